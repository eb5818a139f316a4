import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';

/** SMS Broadcast contact lists and contacts: CRUD, CSV import with per-line errors, merging. */
let ctx: TestContext;
let admin: TestUser;
let outsider: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  const h = await ctx.factory.hierarchy();
  admin = h.companyAdmin;
  outsider = await ctx.factory.user(await ctx.factory.group());
});
afterAll(() => ctx.close());

const newList = async (name = 'Customers') => {
  const { status, body } = await ctx.request('POST', '/v2/smsbroadcast/contactlist', {
    token: admin.token,
    body: { group_id: admin.group_id, list_name: name },
  });
  expect(status).toBe(200);
  return body.data.list_id as number;
};

const contactsOf = async (listId: number) =>
  (await ctx.request('GET', `/v2/smsbroadcast/contact/list?filter=list_id=${listId}`, { token: admin.token }))
    .body.data;

describe('contact lists', () => {
  it('creates, renames, reads and deletes a list, within the caller’s groups', async () => {
    const id = await newList('Spring promo');
    const renamed = await ctx.request('PUT', '/v2/smsbroadcast/contactlist', {
      token: admin.token,
      body: { list_id: id, list_name: 'Spring promo 2026' },
    });
    expect(renamed.body.data).toMatchObject({
      list_id: id,
      list_name: 'Spring promo 2026',
      contact_count: 0,
    });
    const foreign = await ctx.request('GET', `/v2/smsbroadcast/contactlist?id=${id}`, {
      token: outsider.token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ result: 'error', err: 'No contact list found', data: null });
    const outside = await ctx.request('POST', '/v2/smsbroadcast/contactlist', {
      token: outsider.token,
      body: { group_id: admin.group_id, list_name: 'Not mine' },
    });
    expect(outside.status).toBe(404);
    const deleted = await ctx.request('DELETE', '/v2/smsbroadcast/contactlist', {
      token: admin.token,
      body: { list_id: id },
    });
    expect(deleted.status).toBe(200);
    expect(
      (await ctx.request('GET', `/v2/smsbroadcast/contactlist?id=${id}`, { token: admin.token })).status,
    ).toBe(404);
  });
});

describe('CSV import', () => {
  it('normalises numbers to E.164, merges duplicates, keeps custom fields and reports bad lines', async () => {
    const id = await newList();
    const csv = [
      'Phone,First Name,last_name,time_zone,Favourite Color',
      '(801) 555-0101,Ann,Lee,America/Denver,blue',
      '801-555-0102,Bob,,,',
      '+1 801 555 0101,Annie,,,green',
      'not a number,Eve,,,',
      ',Nobody,,,',
      '8015550103,Cy,,Mars/Olympus,',
      '+44 20 7946 0958,Dee,,Europe/London,',
    ].join('\n');
    const { status, body } = await ctx.request('POST', '/v2/smsbroadcast/contactlist/import', {
      token: admin.token,
      body: { list_id: id, csv: csv.replace('Phone', 'phone_number').replace('First Name', 'first_name') },
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      imported: 3,
      added: 3,
      merged: 1,
      errors: [
        { line: 5, error: 'not a number is not a valid phone number' },
        { line: 6, error: 'phone_number is empty' },
        { line: 7, error: 'time_zone Mars/Olympus is not an IANA time zone' },
      ],
    });
    const contacts = await contactsOf(id);
    expect(contacts).toMatchObject([
      {
        phone_number: '+18015550101',
        first_name: 'Annie',
        last_name: 'Lee',
        time_zone: 'America/Denver',
        custom_fields: { favourite_color: 'green' },
      },
      {
        phone_number: '+18015550102',
        first_name: 'Bob',
        last_name: null,
        time_zone: null,
        custom_fields: {},
      },
      { phone_number: '+442079460958', first_name: 'Dee', time_zone: 'Europe/London' },
    ]);

    // importing again merges into the list's contacts instead of adding
    const again = await ctx.request('POST', '/v2/smsbroadcast/contactlist/import', {
      token: admin.token,
      body: { list_id: id, csv: 'mobile,last_name,store\n8015550102,Brown,Main St\n8015550104,,' },
    });
    expect(again.body.data).toMatchObject({ imported: 2, added: 1, merged: 0, errors: [] });
    expect((await contactsOf(id))[1]).toMatchObject({
      first_name: 'Bob',
      last_name: 'Brown',
      custom_fields: { store: 'Main St' },
    });
  });

  it('refuses a file without a phone column, and a list outside the caller’s groups', async () => {
    const id = await newList();
    const { body } = await ctx.request('POST', '/v2/smsbroadcast/contactlist/import', {
      token: admin.token,
      body: { list_id: id, csv: 'name,email\nAnn,ann@example.com' },
    });
    expect(body.data).toEqual({
      imported: 0,
      added: 0,
      merged: 0,
      errors: [{ line: 1, error: 'the header has no phone_number column' }],
    });
    const foreign = await ctx.request('POST', '/v2/smsbroadcast/contactlist/import', {
      token: outsider.token,
      body: { list_id: id, csv: 'phone\n8015550101' },
    });
    expect(foreign.status).toBe(404);
    expect(await contactsOf(id)).toEqual([]);
  });
});

describe('contacts', () => {
  it('creates (merging a number already listed), updates and deletes contacts', async () => {
    const id = await newList();
    const created = await ctx.request('POST', '/v2/smsbroadcast/contact', {
      token: admin.token,
      body: { list_id: id, phone_number: 8015550111, first_name: 'Ann', custom_fields: { tier: 'gold' } },
    });
    expect(created.body.data).toMatchObject({ phone_number: '+18015550111', first_name: 'Ann' });
    const merged = await ctx.request('POST', '/v2/smsbroadcast/contact', {
      token: admin.token,
      body: { list_id: id, phone_number: '+18015550111', last_name: 'Lee' },
    });
    expect(merged.body.data).toMatchObject({
      contact_id: created.body.data.contact_id,
      first_name: 'Ann',
      last_name: 'Lee',
      custom_fields: { tier: 'gold' },
    });
    const bad = await ctx.request('POST', '/v2/smsbroadcast/contact', {
      token: admin.token,
      body: { list_id: id, phone_number: '12' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.err).toBe('phone_number 12 is not a valid phone number');

    const other = await ctx.request('POST', '/v2/smsbroadcast/contact', {
      token: admin.token,
      body: { list_id: id, phone_number: '8015550112' },
    });
    const clash = await ctx.request('PUT', '/v2/smsbroadcast/contact', {
      token: admin.token,
      body: { contact_id: other.body.data.contact_id, phone_number: '8015550111' },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.err).toBe('+18015550111 is already in this list');

    const updated = await ctx.request('PUT', '/v2/smsbroadcast/contact', {
      token: admin.token,
      body: { contact_id: other.body.data.contact_id, time_zone: 'America/New_York' },
    });
    expect(updated.body.data).toMatchObject({ phone_number: '+18015550112', time_zone: 'America/New_York' });
    const deleted = await ctx.request('DELETE', '/v2/smsbroadcast/contact', {
      token: admin.token,
      body: { contact_id: other.body.data.contact_id },
    });
    expect(deleted.status).toBe(200);
    expect((await contactsOf(id)).map((c: { phone_number: string }) => c.phone_number)).toEqual([
      '+18015550111',
    ]);
    const foreign = await ctx.request('GET', `/v2/smsbroadcast/contact?id=${created.body.data.contact_id}`, {
      token: outsider.token,
    });
    expect(foreign.status).toBe(404);
  });
});

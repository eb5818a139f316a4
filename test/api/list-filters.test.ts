import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';

/**
 * The V2 `filter` as real V2 clients send it, on every list: a value encoded twice (Convirza's own
 * test client does that), and `<id field>=null`. The lists come from the OpenAPI document, so a
 * list added later without an entry here fails the first test.
 */
let ctx: TestContext;
let admin: TestUser;
let company: number;
let campaignId: number;
let conversationId: number;

beforeAll(async () => {
  ctx = await createTestContext();
  const h = await ctx.factory.hierarchy();
  admin = h.companyAdmin;
  company = h.company;
  campaignId = await ctx.factory.campaign(admin, company);
  // one row each in the lists the tests below expect to find something in
  await ctx.request('POST', '/v2/blacklistednumber', { token: admin.token, body: { number: 4805551234 } });
  const { rows } = await ctx.db.query<{ conversation_id: number }>(
    `insert into sms_conversation (group_id, tracking_number, contact_number, created_at, last_message_at, last_direction)
     values ($1, '8015550000', '2125550100', now(), now(), 'inbound') returning conversation_id`,
    [company],
  );
  conversationId = (rows[0] as { conversation_id: number }).conversation_id;
});
afterAll(() => ctx.close());

/** Each list: an id field of its filter, the parameters it needs, and its answer when nothing matches. */
interface ListCase {
  field: string;
  query?: () => string;
  empty?: unknown;
  /** a CSV export: nothing matching is the header line alone */
  csvHeader?: string;
}

const LISTS: Record<string, ListCase> = {
  '/v2/group/list': { field: 'group_id' },
  '/v2/group/user': { field: 'group_id' },
  '/v2/user/allowedgroups': { field: 'group_id', query: () => `id=${admin.ct_user_id}` },
  '/v2/number/search': { field: 'phone_number_id' },
  '/v2/number/reserved': { field: 'phone_number_id' },
  '/v2/misc/channel': { field: 'channel_id' },
  '/v2/misc/ratecenter': { field: 'available_count' },
  '/v2/misc/location': { field: 'location_id' },
  '/v2/misc/getaudiolist': { field: 'org_unit_id' },
  '/v2/campaign/list': { field: 'campaign_id' },
  '/v2/campaign/user': { field: 'campaign_id' },
  '/v2/campaign/callflow': { field: 'campaign_id' },
  '/v2/blacklistednumber': { field: 'ou_id', empty: 'No record found.' },
  '/v2/callflow/list': { field: 'call_flow_id' },
  '/v2/callflow/campaign': { field: 'call_flow_id', query: () => `id=${campaignId}` },
  '/v2/callflow/deleted': { field: 'call_flow_id' },
  '/v2/callflow/route': { field: 'call_flow_id' },
  '/v2/callflow/location': { field: 'call_flow_id' },
  '/v2/callflow/number': { field: 'call_flow_id' },
  '/v2/callflow/recording': { field: 'call_flow_id' },
  '/v2/callflow/action': { field: 'call_flow_id' },
  '/v2/callflow/dni': { field: 'call_flow_id' },
  '/v2/callflow/count': { field: 'call_flow_id', empty: expect.anything() },
  '/v2/customsource': { field: 'custom_source_id', query: () => `ouId=${company}` },
  '/v2/call/list': { field: 'call_id' },
  '/v2/call/tag': { field: 'call_id' },
  '/v2/call/customsource': { field: 'call_id' },
  '/v2/call/dni': { field: 'call_id' },
  '/v2/call/detail': { field: 'call_id' },
  '/v2/call/archive': { field: 'call_id' },
  '/v2/call/transcription': { field: 'call_id' },
  '/v2/call/transcription/detail': { field: 'call_id' },
  '/v2/call/transcription/search': { field: 'call_id', query: () => 'query=price' },
  '/v2/call/indicator': { field: 'call_id' },
  '/v2/call/groupActivity': { field: 'call_id' },
  '/v2/call/groupActivity/detail': { field: 'call_id' },
  '/v2/group/calllog': { field: 'call_id', query: () => `id=${company}` },
  '/v2/group/activecallflow': { field: 'call_flow_id', query: () => `id=${company}` },
  '/v2/tag': { field: 'tag_id', empty: 'No data found' },
  '/v2/callaction/list': { field: 'action_id' },
  '/v2/webhook': { field: 'webhook_id', query: () => `ouId=${company}` },
  '/v2/indicator': { field: 'indicator_id' },
  '/v2/insight': { field: 'insight_id' },
  '/v2/scorecard': { field: 'scorecard_id' },
  '/v2/webhook/delivery': { field: 'delivery_id', query: () => 'call_id=1' },
  // the console's figures take List Calls' filter
  '/v2/call/summary': { field: 'call_id', empty: expect.objectContaining({ calls: 0, answered: 0 }) },
  '/v2/call/timeseries': { field: 'call_id' },
  '/v2/call/breakdown': { field: 'call_id', query: () => 'by=campaign' },
  // CSV files: `data` is their rows after the header line
  '/v2/call/export': { field: 'call_id' },
  '/v2/sms/conversation/list': { field: 'conversation_id' },
  '/v2/sms/conversation/message': { field: 'message_id', query: () => `id=${conversationId}` },
  '/v2/sms/optout/list': { field: 'group_id' },
  '/v2/smsbroadcast/contactlist/list': { field: 'list_id' },
  '/v2/smsbroadcast/contact/list': { field: 'contact_id' },
  '/v2/smsbroadcast/list': { field: 'broadcast_id' },
  '/v2/sms/optout/export': {
    field: 'group_id',
    csvHeader: 'group_id,contact_number,opted_out,keyword,tracking_number,opted_out_at,changed_at',
  },
  '/v2/report': { field: 'report_id' },
  '/v2/report/schedule': { field: 'schedule_id' },
  '/v2/report/schedule/run': { field: 'run_id' },
};

/**
 * Operations that take List Calls' `filter` but answer a whole report over a date range, not a
 * list (test/api/reports.test.ts).
 */
const NOT_LISTS = new Set(['/v2/report/call', '/v2/report/call/download']);

const get = async (path: string, filter: string) => {
  const extra = LISTS[path]?.query?.();
  const response = await ctx.app.inject({
    method: 'GET',
    url: `${path}?${extra ? `${extra}&` : ''}filter=${filter}`,
    headers: { authorization: `Bearer ${admin.token}` },
  });
  if (!String(response.headers['content-type']).startsWith('text/csv')) {
    return { status: response.statusCode, body: response.json() };
  }
  const [header, ...rows] = response.body.split(/\r?\n/).filter(Boolean);
  const csvHeader = LISTS[path]?.csvHeader;
  if (csvHeader !== undefined) expect(header).toBe(csvHeader);
  return { status: response.statusCode, body: { result: 'success', err: null, data: rows } };
};

describe('list filters', () => {
  it('covers every list of the OpenAPI document', () => {
    const doc = ctx.app.swagger() as {
      paths: Record<string, { get?: { parameters?: { in: string; name: string }[] } }>;
    };
    const lists = Object.entries(doc.paths)
      .filter(([, ops]) => ops.get?.parameters?.some((p) => p.in === 'query' && p.name === 'filter'))
      .map(([path]) => path)
      .filter((path) => !NOT_LISTS.has(path))
      .sort();
    expect(lists).toEqual(Object.keys(LISTS).sort());
  });

  it.each(Object.keys(LISTS))('%s answers <id field>=null as a filter that matches nothing', async (path) => {
    const { field, empty = [] } = LISTS[path] as ListCase;
    const { status, body } = await get(path, `${field}%3Dnull`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: empty });
  });

  it.each(Object.keys(LISTS))('%s decodes a filter encoded twice, as V2 did', async (path) => {
    const { field, empty = [] } = LISTS[path] as ListCase;
    // what Convirza's test client puts on the wire for `<field>=null`
    const twice = await get(path, `${field}%253dnull`);
    expect(twice.status, JSON.stringify(twice.body)).toBe(200);
    expect(twice.body).toEqual({ result: 'success', err: null, data: empty });
    // the error text echoes the rule decoded twice
    const wrong = await get(path, `${field}%252B1`);
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain(
      `Unsupported comparator used in filter on rule 1 : ${field}+1`,
    );
  });
});

describe('null and percent signs in filter values', () => {
  it('answers the spec example: blacklist filter=ou_id=null is "No record found."', async () => {
    const { status, body } = await ctx.request('GET', '/v2/blacklistednumber?filter=ou_id%3Dnull', {
      token: admin.token,
    });
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: 'No record found.' });
    // and `!=null` is every entry that has the field
    const all = await ctx.request('GET', '/v2/blacklistednumber?filter=ou_id!%3Dnull', {
      token: admin.token,
    });
    expect(all.body.data).toEqual([expect.objectContaining({ ou_id: company, number: 4805551234 })]);
  });

  it('finds a null field with =null: the top group has no parent', async () => {
    const { body } = await ctx.request('GET', '/v2/group/list?filter=group_parent_id%3Dnull', {
      token: admin.token,
    });
    // the company admin's scope starts below the top group, so nothing in it lacks a parent
    expect(body).toEqual({ result: 'success', err: null, data: [] });
    const agencyAdmin = await ctx.factory.user(
      (
        await ctx.db.query<{ p: number }>('select group_parent_id as p from org_group where group_id = $1', [
          company,
        ])
      ).rows[0]?.p as number,
    );
    const top = await ctx.request('GET', '/v2/group/list?filter=group_parent_id%3Dnull', {
      token: agencyAdmin.token,
    });
    expect(top.body.data.map((g: { group_id: number }) => g.group_id)).toEqual([agencyAdmin.group_id]);
  });

  it('reads a value encoded once the same unless it holds % and two hex digits', async () => {
    // a name with a literal % sign, sent encoded once (%25)
    const created = await ctx.request('POST', '/v2/campaign', {
      token: admin.token,
      body: [
        {
          campaign_name: '50% off',
          campaign_start_date: '2026-01-01T00:00:00.000Z',
          campaign_owner_user_id: admin.ct_user_id,
          group_id: company,
        },
      ],
    });
    expect(created.body[0].result).toBe('success');
    const once = await ctx.request('GET', '/v2/campaign/list?filter=campaign_name%3D50%25%20off', {
      token: admin.token,
    });
    expect(once.body.data.map((c: { campaign_name: string }) => c.campaign_name)).toEqual(['50% off']);
    const twice = await ctx.request('GET', '/v2/campaign/list?filter=campaign_name%253D50%2525%2520off', {
      token: admin.token,
    });
    expect(twice.body.data).toEqual(once.body.data);
  });

  it('refuses a NUL character that only the second decoding uncovers', async () => {
    const { status, body } = await ctx.request('GET', '/v2/group/list?filter=group_name%3Dx%2500', {
      token: admin.token,
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      result: 'error',
      err: 'Invalid text in query.filter: the NUL character (\\u0000) is not allowed',
      data: null,
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { twilioProvisioning } from '../../src/telephony/twilio-numbers.js';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { createIvrFlow } from '../helpers/calls.js';
import { freePort } from '../helpers/process.js';
import { startTwilioNumbersApi, type TwilioNumbersApi } from '../helpers/twilio-numbers-api.js';

/**
 * Numbers from the carrier: searching its offer next to the inventory, buying with the webhooks
 * set, releasing after a confirmation, the fail-safe backup, sync and rewire; against a local
 * server speaking Twilio's REST API.
 */
const ACCOUNT = `AC${'1'.repeat(32)}`;

let ctx: TestContext;
let api: TwilioNumbersApi;
let base: string;
let admin: TestUser;
let company: number;

const env = () => ({
  PUBLIC_BASE_URL: base,
  TWILIO_ACCOUNT_SID: ACCOUNT,
  TWILIO_API_BASE_URL: api.base,
  TWILIO_TWIMLETS_BASE_URL: `${api.base}/twimlets`,
});

beforeAll(async () => {
  api = await startTwilioNumbersApi(ACCOUNT, TEST_CARRIER_TOKEN);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await createTestContext(env());
  await ctx.app.listen({ port, host: '127.0.0.1' });
  const h = await ctx.factory.hierarchy();
  admin = h.companyAdmin;
  company = h.company;
  await ctx.factory.inventory(['4805550100'], 'PHOENIX', 'AZ');
  api.offers.push(
    { phone_number: '+14805550199', rate_center: 'PHOENIX', region: 'AZ', locality: 'Phoenix' },
    { phone_number: '+13035550111', rate_center: 'DENVER', region: 'CO', locality: 'Denver' },
    { phone_number: '+18885550123', rate_center: '', region: '', locality: '', tollFree: true },
  );
});

afterAll(async () => {
  await ctx?.db.close();
  await api?.close();
});

const search = (query: string) => ctx.request('GET', `/v2/number/search?${query}`, { token: admin.token });
/** The per-entry results of a bulk write (the envelope's data). */
const entries = async (method: 'POST' | 'PUT', path: string, body: unknown, token = admin.token) => ({
  body: (await ctx.request(method, path, { token, body })).body.data,
});
const reserve = (number: string) => entries('POST', '/v2/number/reserve', [{ number }]);
const release = (body: unknown) => entries('POST', '/v2/number/release', body);

describe('searching and buying', () => {
  it('answers the inventory first, then what the carrier offers, with no id for an offer', async () => {
    const { status, body } = await search('npa=480');
    expect(status).toBe(200);
    expect(body.data).toEqual([
      expect.objectContaining({ number: 4805550100, source: 10001, phone_number_id: expect.any(Number) }),
      expect.objectContaining({
        number: 4805550199,
        phone_number_id: null,
        source: 20001,
        rate_center: 'PHOENIX',
        state: 'AZ',
      }),
    ]);
    const inventoryOnly = await search('npa=480&from=inventory');
    expect(inventoryOnly.body.data.map((n: { number: number }) => n.number)).toEqual([4805550100]);
    const byState = await search('from=carrier&state=co');
    expect(byState.body.data.map((n: { number: number }) => n.number)).toEqual([3035550111]);
    const tollFree = await search('toll_free=true');
    expect(tollFree.body.data.map((n: { number: number }) => n.number)).toEqual([8885550123]);
    // the pattern keeps its meaning on the carrier's offer: starts with 303
    const pattern = await search('from=carrier&pattern=303*');
    expect(pattern.body.data.map((n: { number: number }) => n.number)).toEqual([3035550111]);
  });

  it('buys an offered number on reserve, with its webhooks pointing at this server', async () => {
    const { body } = await reserve('4805550199');
    expect(body).toEqual([{ result: 'success', data: expect.any(Number), entry_count: 1 }]);
    const bought = [...api.owned.values()].find((n) => n.phone_number === '+14805550199');
    expect(bought).toMatchObject({
      voice_url: `${base}/telephony/twilio/voice`,
      status_callback: `${base}/telephony/twilio/status`,
      sms_url: `${base}/telephony/twilio/sms`,
      voice_fallback_url: '',
    });
    const reserved = await ctx.request('GET', '/v2/number/reserved', { token: admin.token });
    expect(reserved.body.data).toEqual([
      expect.objectContaining({
        number: 4805550199,
        source: 20001,
        group_id: admin.group_id,
        backup_number: null,
      }),
    ]);
    // no longer offered, and not offered twice
    expect((await search('npa=480&from=carrier')).body.data).toEqual([]);
  });

  it('says a number the carrier no longer sells is not available, and changes nothing', async () => {
    const { body } = await reserve('6025550142');
    expect(body).toEqual([{ result: 'error', data: 'Number 6025550142 is not available', entry_count: 1 }]);
    const row = await ctx.db.query('select 1 from phone_number where number = $1', ['6025550142']);
    expect(row.rowCount).toBe(0);
  });
});

describe('a plan limit', () => {
  it('refuses to buy a number past the plan, and buys nothing', async () => {
    const h = await ctx.factory.hierarchy();
    const plan = await ctx.request('PUT', '/v2/misc/subscription', {
      token: h.agencyAdmin.token,
      body: { group_id: h.company, plan_name: 'Tiny', max_numbers: 0 },
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    api.offers.push({
      phone_number: '+16025550177',
      rate_center: 'PHOENIX',
      region: 'AZ',
      locality: 'Phoenix',
    });
    const { body } = await entries(
      'POST',
      '/v2/number/reserve',
      [{ number: 6025550177 }],
      h.companyAdmin.token,
    );
    expect(body).toEqual([
      { result: 'error', data: 'Plan limit reached: the plan Tiny allows 0 numbers', entry_count: 1 },
    ]);
    expect([...api.owned.values()].some((n) => n.phone_number === '+16025550177')).toBe(false);
    api.offers.pop();
  });
});

describe('releasing', () => {
  it('asks for confirmation, refuses a number in a flow, then gives it back to the carrier', async () => {
    const unconfirmed = await release([{ number: 4805550199 }]);
    expect(unconfirmed.body).toEqual([
      {
        result: 'error',
        data: 'Releasing 4805550199 gives it back to the carrier for good: send confirm: true to release it',
        entry_count: 1,
      },
    ]);
    expect([...api.owned.values()].some((n) => n.phone_number === '+14805550199')).toBe(true);

    const confirmed = await release([{ number: 4805550199, confirm: true }]);
    expect(confirmed.body[0].result).toBe('success');
    expect([...api.owned.values()].some((n) => n.phone_number === '+14805550199')).toBe(false);
    const { rows } = await ctx.db.query<{ status: string; group_id: number | null }>(
      'select status, group_id from phone_number where number = $1',
      ['4805550199'],
    );
    expect(rows).toEqual([{ status: 'released', group_id: null }]);
  });

  it('returns an inventory number to the inventory, and not one another company holds', async () => {
    await reserve('4805550100');
    const other = await ctx.factory.hierarchy();
    const outsider = await entries(
      'POST',
      '/v2/number/release',
      [{ number: 4805550100, confirm: true }],
      other.companyAdmin.token,
    );
    expect(outsider.body[0]).toEqual({
      result: 'error',
      data: 'Number 4805550100 is not one of your numbers',
      entry_count: 1,
    });
    const { body } = await release([{ number: 4805550100, confirm: true }]);
    expect(body[0].result).toBe('success');
    expect(
      (await search('npa=480&from=inventory')).body.data.map((n: { number: number }) => n.number),
    ).toEqual([4805550100]);
  });

  it('refuses to release a number a live call flow answers', async () => {
    await reserve('3035550111');
    const campaign = await ctx.factory.campaign(admin, company);
    await createIvrFlow(ctx, admin, campaign, '3035550111');
    const { body } = await release([{ number: 3035550111, confirm: true }]);
    expect(body[0]).toEqual({
      result: 'error',
      data: 'Number 3035550111 is used by a call flow: delete the call flow first',
      entry_count: 1,
    });
    expect([...api.owned.values()].some((n) => n.phone_number === '+13035550111')).toBe(true);
  });
});

describe('a carrier slow to answer', () => {
  // On PGlite one transaction holds the one connection: a carrier request inside it would hold
  // every other request of the server, carrier webhooks of live calls included.
  it('holds no transaction while it releases a number or sets its backup', async () => {
    for (const number of ['4805550177', '4805550178']) {
      api.offers.push({
        phone_number: `+1${number}`,
        rate_center: 'PHOENIX',
        region: 'AZ',
        locality: 'Phoenix',
      });
      expect((await reserve(number)).body[0]?.result).toBe('success');
    }
    const cases = [
      () => release([{ number: 4805550177, confirm: true }]),
      () => entries('PUT', '/v2/number/backup', [{ number: 4805550178, backup_number: 6025550100 }]),
    ];
    for (const write of cases) {
      const held = api.holdNumberUpdates();
      const writing = write();
      await held.arrived;
      try {
        // the carrier has the request; the server still answers what needs the database
        const other = await Promise.race([
          ctx.request('GET', '/v2/number/reserved', { token: admin.token }).then((r) => r.status),
          new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
        ]);
        expect(other).toBe(200);
      } finally {
        held.letGo();
      }
      expect((await writing).body[0]?.result).toBe('success');
    }
    const { rows } = await ctx.db.query<{ number: string; status: string; backup_number: string | null }>(
      `select number, status, backup_number from phone_number where number in ('4805550177', '4805550178')
        order by number`,
    );
    expect(rows).toEqual([
      { number: '4805550177', status: 'released', backup_number: null },
      { number: '4805550178', status: 'reserved', backup_number: '6025550100' },
    ]);
  });
});

describe('sync and rewire', () => {
  it('imports what the account owns, reports what points elsewhere, and rewires it here', async () => {
    api.own('+15125550177', 'https://old-host.example/voice');
    api.own('+15125550178', `${base}/telephony/twilio/voice`);
    const provisioning = twilioProvisioning(loadConfig(env()), ctx.db, TEST_CARRIER_TOKEN);
    const report = await provisioning.sync();
    expect(report.imported.sort()).toEqual(['5125550177', '5125550178']);
    expect(report.elsewhere).toEqual([{ number: '5125550177', voiceUrl: 'https://old-host.example/voice' }]);
    // imported as available inventory of the carrier's source
    expect((await search('npa=512&from=inventory')).body.data).toEqual([
      expect.objectContaining({ number: 5125550177, source: 20001 }),
      expect.objectContaining({ number: 5125550178, source: 20001 }),
    ]);
    // a second sync imports nothing twice
    expect((await provisioning.sync()).imported).toEqual([]);

    const { rewired, failed } = await provisioning.rewire();
    expect(failed).toEqual([]);
    expect(rewired).toContain('5125550177');
    expect((await provisioning.sync()).elsewhere).toEqual([]);
  });
});

describe('the fail-safe backup number', () => {
  it('rings the backup through the carrier once this server cannot answer', async () => {
    const set = await entries('PUT', '/v2/number/backup', [
      { number: 3035550111, backup_number: '7205550100' },
    ]);
    expect(set.body[0].result).toBe('success');
    const number = [...api.owned.values()].find((n) => n.phone_number === '+13035550111');
    expect(number?.voice_fallback_url).toBe(`${api.base}/twimlets/forward?PhoneNumber=%2B17205550100`);
    const itself = await entries('PUT', '/v2/number/backup', [
      { number: 3035550111, backup_number: 3035550111 },
    ]);
    expect(itself.body[0].data).toBe('backup_number must not be the tracking number itself');

    // null clears it, at the carrier too
    const cleared = await entries('PUT', '/v2/number/backup', [{ number: 3035550111, backup_number: null }]);
    expect(cleared.body[0].result).toBe('success');
    expect(number?.voice_fallback_url).toBe('');
    await entries('PUT', '/v2/number/backup', [{ number: 3035550111, backup_number: 7205550100 }]);
    expect(number?.voice_fallback_url).toBe(`${api.base}/twimlets/forward?PhoneNumber=%2B17205550100`);

    // up: the call flow answers
    const up = await api.call('+13035550111', '+12125550100');
    expect(up.from).toBe('voice');
    expect(up.twiml).toContain('<Response>');

    // down: the carrier rings the backup itself
    await ctx.app.close();
    const down = await api.call('+13035550111', '+12125550100');
    expect(down).toEqual({
      from: 'fallback',
      twiml: '<?xml version="1.0" encoding="UTF-8"?><Response><Dial>+17205550100</Dial></Response>',
    });
  });
});

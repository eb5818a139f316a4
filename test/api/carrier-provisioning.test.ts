import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { carrierProvisioning } from '../../src/telephony/carrier-provisioning.js';
import { createTelnyxNumbers } from '../../src/telephony/telnyx-numbers.js';
import { createTwilioNumbers } from '../../src/telephony/twilio-numbers.js';
import {
  anotherAppOn,
  createTestContext,
  TEST_CARRIER_TOKEN,
  type TestContext,
  type TestUser,
} from '../helpers/app.js';
import { startTelnyxNumbersApi, type TelnyxNumbersApi } from '../helpers/telnyx-numbers-api.js';
import { startTwilioNumbersApi, type TwilioNumbersApi } from '../helpers/twilio-numbers-api.js';

/**
 * Numbers from SignalWire (its LaML REST API, Twilio's resources under /api/laml) and from Telnyx
 * (API v2: available_phone_numbers, number_orders, phone_numbers, the TeXML application), behind
 * the interface Twilio's provisioning uses; each against a local server speaking that API.
 */
const BASE = 'https://switchboard.example';
const PROJECT = '4b7ae78a-d02e-4889-a63b-08b156d5916e';
const SW_TOKEN = 'PT-signalwire-api-token';
const TELNYX_KEY = 'KEY-telnyx-api-key';
const TEXML_APP = '1293384261075731499';
const MESSAGING_PROFILE = '400017d2-2e7d-4a25-9fc0-0bba0bf7a3a1';

let ctx: TestContext;
let signalwire: TwilioNumbersApi;
let telnyx: TelnyxNumbersApi;
let telnyxApp: { app: App; close: () => Promise<void> };
let admin: TestUser;

const signalWireEnv = () => ({
  PUBLIC_BASE_URL: BASE,
  CARRIER: 'signalwire',
  SIGNALWIRE_SPACE_URL: signalwire.base,
  SIGNALWIRE_PROJECT_ID: PROJECT,
  SIGNALWIRE_API_TOKEN: SW_TOKEN,
  TWILIO_TWIMLETS_BASE_URL: `${signalwire.base}/twimlets`,
});
const telnyxEnv = () => ({
  PUBLIC_BASE_URL: BASE,
  CARRIER: 'telnyx',
  TELNYX_API_BASE_URL: telnyx.base,
  TELNYX_API_KEY: TELNYX_KEY,
  TELNYX_TEXML_APP_ID: TEXML_APP,
  TELNYX_MESSAGING_PROFILE_ID: MESSAGING_PROFILE,
});

beforeAll(async () => {
  signalwire = await startTwilioNumbersApi(PROJECT, SW_TOKEN, {
    prefix: '/api/laml',
    sidOf: () => randomUUID(),
  });
  telnyx = await startTelnyxNumbersApi(TELNYX_KEY, TEXML_APP, MESSAGING_PROFILE);
  ctx = await createTestContext(signalWireEnv());
  telnyxApp = await anotherAppOn(ctx, telnyxEnv());
  admin = (await ctx.factory.hierarchy()).companyAdmin;
  signalwire.offers.push(
    { phone_number: '+14805550199', rate_center: 'PHOENIX', region: 'AZ', locality: 'Phoenix' },
    { phone_number: '+14805550198', rate_center: 'PHOENIX', region: 'AZ', locality: 'Phoenix' },
  );
  telnyx.offers.push(
    { phone_number: '+13125550177', rate_center: 'CHICAGO', state: 'IL', locality: 'Chicago' },
    { phone_number: '+13125550178', rate_center: 'CHICAGO', state: 'IL', locality: 'Chicago' },
    { phone_number: '+18445550123', rate_center: '', state: '', locality: '', tollFree: true },
  );
}, 180_000);

afterAll(async () => {
  await telnyxApp?.close();
  await ctx?.close();
  await signalwire?.close();
  await telnyx?.close();
});

/** A request to the SignalWire app (ctx.app) or the Telnyx app, as the company admin. */
async function request(app: App, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${admin.token}` },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() };
}
const numbersOf = (body: { data: { number: number }[] }) => body.data.map((n) => n.number);
const carrierSid = async (number: string) =>
  (
    await ctx.db.query<{ carrier_sid: string }>('select carrier_sid from phone_number where number = $1', [
      number,
    ])
  ).rows[0]?.carrier_sid;

describe('SignalWire', () => {
  it("searches the space's numbers and buys one on reserve, wired to /telephony/signalwire", async () => {
    const search = await request(ctx.app, 'GET', '/v2/number/search?npa=480&from=carrier');
    expect(search.status).toBe(200);
    expect(numbersOf(search.body)).toEqual([4805550199, 4805550198]);

    const reserve = await request(ctx.app, 'POST', '/v2/number/reserve', [{ number: '4805550199' }]);
    expect(reserve.body.data[0].result).toBe('success');
    const bought = [...signalwire.owned.values()].find((n) => n.phone_number === '+14805550199');
    expect(bought).toMatchObject({
      voice_url: `${BASE}/telephony/signalwire/voice`,
      status_callback: `${BASE}/telephony/signalwire/status`,
      sms_url: `${BASE}/telephony/signalwire/sms`,
      voice_fallback_url: '',
    });
    expect(await carrierSid('4805550199')).toBe(bought?.sid);
    const { rows } = await ctx.db.query('select carrier from phone_number where number = $1', ['4805550199']);
    expect(rows).toEqual([{ carrier: 'signalwire' }]);
    // through the LaML API of the project, with its credentials (the fake refuses anything else)
    const buy = signalwire.requests.find((r) => r.method === 'POST');
    expect(buy?.path).toBe(`/api/laml/2010-04-01/Accounts/${PROJECT}/IncomingPhoneNumbers.json`);
  });

  it('sets a backup as the fallback URL and releases the number at SignalWire after confirmation', async () => {
    const backup = await request(ctx.app, 'PUT', '/v2/number/backup', [
      { number: 4805550199, backup_number: '7205550100' },
    ]);
    expect(backup.body.data[0].result).toBe('success');
    const number = [...signalwire.owned.values()].find((n) => n.phone_number === '+14805550199');
    expect(number?.voice_fallback_url).toBe(`${signalwire.base}/twimlets/forward?PhoneNumber=%2B17205550100`);

    const unconfirmed = await request(ctx.app, 'POST', '/v2/number/release', [{ number: 4805550199 }]);
    expect(unconfirmed.body.data[0].result).toBe('error');
    expect(signalwire.owned.has(number?.sid ?? '')).toBe(true);
    const confirmed = await request(ctx.app, 'POST', '/v2/number/release', [
      { number: 4805550199, confirm: true },
    ]);
    expect(confirmed.body.data[0].result).toBe('success');
    expect(signalwire.owned.has(number?.sid ?? '')).toBe(false);
  });

  it('reads every page of owned numbers through next_page_uri below /api/laml, then syncs and rewires', async () => {
    for (let i = 0; i < 5; i += 1) signalwire.own(`+1512555010${i}`, 'https://old-host.example/laml');
    const client = createTwilioNumbers({
      baseUrl: `${signalwire.base}/api/laml`,
      accountSid: PROJECT,
      authToken: SW_TOKEN,
      timeoutMs: 5000,
    });
    const pages: string[][] = [];
    for await (const page of client.owned(2)) pages.push(page.map((n) => n.number));
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toContain('5125550104');

    const provisioning = carrierProvisioning(loadConfig(signalWireEnv()), ctx.db, TEST_CARRIER_TOKEN);
    const report = await provisioning.sync();
    expect(report.elsewhere.map((e) => e.number).sort()).toEqual(
      ['5125550100', '5125550101', '5125550102', '5125550103', '5125550104'].sort(),
    );
    const { failed } = await provisioning.rewire();
    expect(failed).toEqual([]);
    expect((await provisioning.sync()).elsewhere).toEqual([]);
    expect(
      [...signalwire.owned.values()].every((n) => n.voice_url === `${BASE}/telephony/signalwire/voice`),
    ).toBe(true);
  });
});

describe('Telnyx', () => {
  it('searches Telnyx, orders a number on reserve on the TeXML application, and points the application here', async () => {
    const local = await request(telnyxApp.app, 'GET', '/v2/number/search?npa=312&from=carrier');
    expect(local.body.data).toEqual([
      expect.objectContaining({
        number: 3125550177,
        rate_center: 'CHICAGO',
        state: 'IL',
        phone_number_id: null,
      }),
      expect.objectContaining({ number: 3125550178 }),
    ]);
    const byState = await request(
      telnyxApp.app,
      'GET',
      '/v2/number/search?from=carrier&state=IL&pattern=*0178',
    );
    expect(numbersOf(byState.body)).toEqual([3125550178]);
    const tollFree = await request(telnyxApp.app, 'GET', '/v2/number/search?toll_free=true');
    expect(numbersOf(tollFree.body)).toEqual([8445550123]);

    const reserve = await request(telnyxApp.app, 'POST', '/v2/number/reserve', [{ number: '3125550177' }]);
    expect(reserve.body.data[0].result).toBe('success');
    expect(telnyx.orders).toEqual([
      {
        phone_numbers: [{ phone_number: '+13125550177' }],
        connection_id: TEXML_APP,
        messaging_profile_id: MESSAGING_PROFILE,
      },
    ]);
    // texts: the messaging profile's webhook (API v2 events) points at the Telnyx edge
    expect(telnyx.profile).toMatchObject({
      webhook_url: `${BASE}/telephony/telnyx/sms`,
      webhook_api_version: '2',
    });
    expect(telnyx.application).toMatchObject({
      friendly_name: 'Switchboard',
      voice_url: `${BASE}/telephony/telnyx/voice`,
      voice_method: 'post',
      status_callback: `${BASE}/telephony/telnyx/status`,
    });
    const bought = [...telnyx.owned.values()].find((n) => n.phone_number === '+13125550177');
    expect(bought?.messaging_profile_id).toBe(MESSAGING_PROFILE);
    expect(await carrierSid('3125550177')).toBe(bought?.id);
    // its texts go out through Telnyx, whatever carrier other numbers are at
    const { rows } = await ctx.db.query('select carrier from phone_number where number = $1', ['3125550177']);
    expect(rows).toEqual([{ carrier: 'telnyx' }]);
  });

  it("says Telnyx's reason when a number cannot be ordered, and records nothing", async () => {
    const { body } = await request(telnyxApp.app, 'POST', '/v2/number/reserve', [{ number: '3125550100' }]);
    expect(body.data[0]).toEqual({
      result: 'error',
      data: 'The carrier refused number 3125550100: Invalid phone number: +13125550100 is not available',
      entry_count: 1,
    });
    expect(await carrierSid('3125550100')).toBeUndefined();
  });

  it("refuses a backup per number (Telnyx's fallback belongs to the application), then releases at Telnyx", async () => {
    const backup = await request(telnyxApp.app, 'PUT', '/v2/number/backup', [
      { number: 3125550177, backup_number: '7205550100' },
    ]);
    expect(backup.body.data[0]).toEqual({
      result: 'error',
      data: 'The carrier keeps one fallback URL for all its numbers: no backup can be set for 3125550177',
      entry_count: 1,
    });
    const id = await carrierSid('3125550177');
    const released = await request(telnyxApp.app, 'POST', '/v2/number/release', [
      { number: 3125550177, confirm: true },
    ]);
    expect(released.body.data[0].result).toBe('success');
    expect(telnyx.owned.has(id ?? '')).toBe(false);
    expect(telnyx.requests.some((r) => r.method === 'DELETE' && r.path === `/phone_numbers/${id}`)).toBe(
      true,
    );
  });

  it('syncs what the account owns, reports numbers on another connection, and assigns them to the application', async () => {
    telnyx.own('+17735550101', '999');
    telnyx.own('+17735550102', TEXML_APP);
    const pages: number[] = [];
    const client = createTelnyxNumbers({
      baseUrl: telnyx.base,
      apiKey: TELNYX_KEY,
      applicationId: TEXML_APP,
      timeoutMs: 5000,
    });
    for await (const page of client.owned(1)) pages.push(page.length);
    expect(pages).toEqual([1, 1]);

    const provisioning = carrierProvisioning(loadConfig(telnyxEnv()), ctx.db, TEST_CARRIER_TOKEN);
    const report = await provisioning.sync();
    expect(report.imported.sort()).toEqual(['7735550101', '7735550102']);
    expect(report.elsewhere).toEqual([{ number: '7735550101', voiceUrl: 'connection:999' }]);
    const { rewired, failed } = await provisioning.rewire();
    expect(failed).toEqual([]);
    expect(rewired.sort()).toEqual(['7735550101', '7735550102']);
    expect([...telnyx.owned.values()].every((n) => n.connection_id === TEXML_APP)).toBe(true);
    expect([...telnyx.owned.values()].every((n) => n.messaging_profile_id === MESSAGING_PROFILE)).toBe(true);
    expect((await provisioning.sync()).elsewhere).toEqual([]);
  });

  it('refuses provisioning without the API key, naming what to set', async () => {
    const provisioning = carrierProvisioning(
      loadConfig({ CARRIER: 'telnyx', TELNYX_TEXML_APP_ID: TEXML_APP }),
      ctx.db,
      TEST_CARRIER_TOKEN,
    );
    await expect(provisioning.sync()).rejects.toThrow('TELNYX_API_KEY, TELNYX_TEXML_APP_ID');
  });
});

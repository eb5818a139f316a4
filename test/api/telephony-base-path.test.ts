import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateCall } from '../../src/telephony/simulator.js';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext } from '../helpers/app.js';
import { carrierForm, testCallSid } from '../helpers/carrier.js';

/**
 * PUBLIC_BASE_URL with a path (`https://calls.example.com/sb/`): behind a proxy that strips the
 * path and behind one that passes it through, carriers reach every webhook, signatures are checked
 * over the URL the carrier called, and the TwiML names URLs below the path.
 */
const ORIGIN = 'https://calls.example.com';
const BASE = `${ORIGIN}/sb`;
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let number: string;

beforeAll(async () => {
  ctx = await createTestContext({ PUBLIC_BASE_URL: `${BASE}/` });
  h = await ctx.factory.hierarchy();
  const campaignId = await ctx.factory.campaign(h.companyAdmin, h.company);
  number = '3125558900';
  await ctx.factory.inventory([number], 'CHICAGO', 'IL');
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_name: 'Behind a proxy',
        group_id: h.company,
        campaign_id: campaignId,
        channel_id: 1,
        message: 'Press 1.',
        number: { phone_number: number },
        ivrs: [
          {
            key: 1,
            action: 'simple',
            target_did: 8015550900,
            whisper_enabled: true,
            whisper_message: 'Proxied call',
            screen_calls: true,
          },
        ],
      },
    ],
  });
  expect(body[0].result).toBe('success');
});
afterAll(() => ctx.close());

/** Posts what the carrier sends to `url` as the proxy forwards it: `path(url)` is what reaches us. */
const forwardedBy =
  (path: (url: string) => string) =>
  async (url: string, params: Record<string, string>, signature: string) => {
    expect(url.startsWith(`${BASE}/telephony/twilio/`)).toBe(true);
    const response = await ctx.app.inject({
      method: 'POST',
      url: path(url),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      payload: new URLSearchParams(params).toString(),
    });
    if (response.statusCode !== 200)
      throw new Error(`${url} answered ${response.statusCode}: ${response.body}`);
    return response.body;
  };

const proxies: [string, (url: string) => string][] = [
  ['strips the path', (url) => url.slice(BASE.length)],
  ['passes the path through', (url) => url.slice(ORIGIN.length)],
];

describe.each(proxies)('behind a proxy that %s', (_, path) => {
  it('takes a whole call: menu, whisper, screen and dial results', async () => {
    const result = await simulateCall(
      { to: number, from: '2125550500', press: ['1'], answer: 'first' },
      {
        voiceUrl: `${BASE}/telephony/twilio/voice`,
        statusUrl: `${BASE}/telephony/twilio/status`,
        authToken: TEST_CARRIER_TOKEN,
        transport: forwardedBy(path),
      },
    );
    expect(result.steps).toContainEqual({ kind: 'whisper', detail: 'Proxied call' });
    expect(result.steps).toContainEqual({ kind: 'answered', detail: '8015550900' });
    const { rows } = await ctx.db.query('select disposition from call where carrier_call_sid = $1', [
      result.callSid,
    ]);
    expect(rows).toEqual([{ disposition: 'ANSWERED' }]);
  });

  it('refuses a request signed over the URL without the path', async () => {
    const voice = carrierForm({
      CallSid: testCallSid(`unsigned ${path('x')}`),
      From: '+12125550501',
      To: `+1${number}`,
    });
    const signature = twilio.getExpectedTwilioSignature(
      TEST_CARRIER_TOKEN,
      `${ORIGIN}/telephony/twilio/voice`,
      voice,
    );
    const response = await ctx.app.inject({
      method: 'POST',
      url: path(`${BASE}/telephony/twilio/voice`),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      payload: new URLSearchParams(voice).toString(),
    });
    expect(response.statusCode).toBe(403);
  });

  it('serves the V2 API too', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: path(`${BASE}/v2/callflow/list`),
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
    });
    expect(response.statusCode).toBe(200);
  });
});

import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { createIvrFlow } from '../helpers/calls.js';
import { carrierForm, createCarrier, testCallSid } from '../helpers/carrier.js';
import { createPoolFlow, dniCodeOf, requestNumber } from '../helpers/dni.js';

/**
 * PostgreSQL stores no NUL character in text or jsonb. A request carrying one is refused with a
 * 400 naming the field, before anything is written; before, the statement failed (a 500) and,
 * for the writes made in batches, failed every item of the batch with it.
 */
let ctx: TestContext;
let admin: TestUser;

beforeAll(async () => {
  ctx = await createTestContext({ DNI_RATE_LIMIT_PER_MINUTE: '1000' });
  admin = (await ctx.factory.hierarchy()).companyAdmin;
});
afterAll(() => ctx.close());

const count = async (sql: string, params: unknown[] = []) =>
  (await ctx.db.query<{ n: number }>(sql, params)).rows[0]?.n;

describe('a NUL character', () => {
  it('in a V2 body is refused with the field named, and nothing is created', async () => {
    const campaigns = await count('select count(*)::int as n from campaign');
    const { status, body } = await ctx.request('POST', '/v2/campaign', {
      token: admin.token,
      body: [
        {
          campaign_name: 'Spring\u0000Sale',
          campaign_start_date: '2026-01-01T00:00:00Z',
          campaign_owner_user_id: admin.ct_user_id,
          group_id: admin.group_id,
        },
      ],
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      result: 'error',
      err: 'Invalid text in body[0].campaign_name: the NUL character (\\u0000) is not allowed',
      data: null,
    });
    expect(await count('select count(*)::int as n from campaign')).toBe(campaigns);
  });

  it('in an object key of a body is refused', async () => {
    const { status, body } = await ctx.request('POST', '/v2/campaign', {
      token: admin.token,
      body: [{ 'campaign\u0000name': 'x' }],
    });
    expect(status).toBe(400);
    expect(body.err).toBe('Invalid text in body[0]: the NUL character (\\u0000) is not allowed');
  });

  it('in a query string (%00) is refused', async () => {
    const { status, body } = await ctx.request('GET', '/v2/call/list?filter=caller_name%3Dx%00y', {
      token: admin.token,
    });
    expect(status).toBe(400);
    expect(body.err).toBe('Invalid text in query.filter: the NUL character (\\u0000) is not allowed');
  });

  it('in a carrier webhook is refused and records no call', async () => {
    const campaignId = await ctx.factory.campaign(admin);
    await ctx.factory.inventory(['3125558800']);
    await createIvrFlow(ctx, admin, campaignId, '3125558800');
    const carrier = createCarrier(ctx.app);
    const sid = testCallSid('nul');
    const voice = carrierForm({
      CallSid: sid,
      From: '+12125558801',
      To: '+13125558800',
      FromCity: 'CHI\u0000CAGO',
    });
    const { status } = await carrier.post(
      carrier.voiceUrl,
      voice,
      twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, carrier.voiceUrl, voice),
    );
    expect(status).toBe(400);
    expect(await count(`select count(*)::int as n from call where carrier_call_sid = '${sid}'`)).toBe(0);
  });

  it('in one page view fails that page view only, not the others leased with it', async () => {
    const pool = await createPoolFlow(ctx, admin, 10, { destination_url: 'nul.example.com' });
    const code = await dniCodeOf(ctx, admin.group_id);
    const views = Array.from({ length: 8 }, (_, i) => ({
      code,
      visitor: `nul-visitor-${i}`,
      page: 'https://nul.example.com/',
      referrer: i === 3 ? 'https://search.example.com/?q=a\u0000b' : 'https://search.example.com/',
    }));
    const answers = await Promise.all(
      views.map((view, i) => requestNumber(ctx.app, view, `203.0.113.${i + 1}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(views.map((_, i) => (i === 3 ? 400 : 200)));
    const leased = answers.filter((a) => a.status === 200).map((a) => a.body.number);
    expect(new Set(leased).size).toBe(7);
    for (const number of leased) expect(pool.numbers).toContain(number);
  });
});

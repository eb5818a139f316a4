import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowCache } from '../../src/telephony/flow-cache.js';
import { createTestContext, secondAppOn, TEST_CARRIER_TOKEN, type TestContext } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { testEngine } from '../helpers/db.js';
import { until } from '../helpers/wait.js';

/** The compiled-flow cache of the carrier path: what a flow change evicts, and what it keeps. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let cache: ReturnType<typeof createFlowCache>;
let stop: () => Promise<void>;
const numbers = Array.from({ length: 6 }, (_, i) => `312555${String(7000 + i)}`);

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
  cache = createFlowCache(ctx.db);
  stop = await cache.start();
});
afterAll(async () => {
  await stop();
  await ctx.close();
});

async function saveFlow(number: string, message: string, callFlowId = 0): Promise<number> {
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_id: callFlowId,
        call_flow_name: 'Cached',
        group_id: h.company,
        campaign_id: campaignId,
        channel_id: 1,
        message,
        number: { phone_number: Number(number) },
        ivrs: [{ key: 1, action: 'simple', target_did: 8015550100 }],
      },
    ],
  });
  expect(body[0].result).toBe('success');
  return Number(body[0].data);
}

/** NOTIFY arrives after the commit, asynchronously: wait (bounded) until `check` holds. */
describe('flow cache', () => {
  it('keeps a number warm when another flow changes, and reloads it when its own flow changes', async () => {
    const [first, second] = numbers as [string, string];
    const firstId = await saveFlow(first, 'First menu.');
    const secondId = await saveFlow(second, 'Second menu.');
    // The NOTIFYs of the two creations arrive asynchronously and evict loads in flight: wait
    // until the cached entry for `first` stays put before measuring what a change evicts.
    let warm = await cache.forNumber(first);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const again = await cache.forNumber(first);
      if (again === warm) break;
      warm = again;
    }
    expect(warm?.callFlowId).toBe(firstId);

    await saveFlow(second, 'Second menu, changed.', secondId);
    await until('the new version', async () => (await cache.forNumber(second))?.version === 2, {
      timeoutMs: 5000,
    });
    expect(await cache.forNumber(first)).toBe(warm);

    await saveFlow(first, 'First menu, changed.', firstId);
    await until('the new version', async () => (await cache.forNumber(first))?.version === 2, {
      timeoutMs: 5000,
    });
    expect(await cache.forNumber(first)).not.toBe(warm);
  });

  it('answers a number that had no flow once a flow takes it', async () => {
    const number = numbers[2] as string;
    expect(await cache.forNumber(number)).toBeUndefined();
    const id = await saveFlow(number, 'New line.');
    await until('the new version', async () => (await cache.forNumber(number))?.callFlowId === id, {
      timeoutMs: 5000,
    });
  });

  it('stops answering a number whose flow moved to another number', async () => {
    const [from, to] = [numbers[3], numbers[4]] as [string, string];
    const id = await saveFlow(from, 'Moving.');
    expect((await cache.forNumber(from))?.callFlowId).toBe(id);
    await saveFlow(to, 'Moved.', id);
    await until('the new version', async () => (await cache.forNumber(from)) === undefined, {
      timeoutMs: 5000,
    });
    expect((await cache.forNumber(to))?.callFlowId).toBe(id);
  });
});

describe('a flow saved through one app', () => {
  /** A first voice webhook for the number, as the carrier sends it; the TwiML answered. */
  async function inbound(carrier: ReturnType<typeof createCarrier>, number: string, sid: string) {
    const params = {
      CallSid: sid,
      AccountSid: `AC${'0'.repeat(32)}`,
      From: '+12125550142',
      To: `+1${number}`,
      CallStatus: 'ringing',
    };
    const signature = twilio.getExpectedTwilioSignature(TEST_CARRIER_TOKEN, carrier.voiceUrl, params);
    const response = await carrier.post(carrier.voiceUrl, params, signature);
    expect(response.status).toBe(200);
    return response.body;
  }

  it('is routed by the very next call, on this app and on another on the same database', async () => {
    const number = numbers[5] as string;
    const second = await secondAppOn(ctx);
    try {
      const carriers = [createCarrier(ctx.app), ...(second ? [createCarrier(second.app)] : [])];
      const id = await saveFlow(number, 'Menu 0.');
      for (const [index, carrier] of carriers.entries())
        expect(await inbound(carrier, number, `CA${index}${'0'.repeat(31)}`)).toContain('Menu 0.');
      // Each save returns after its commit; the NOTIFY that evicts the cached flow comes a little
      // later. Every call that starts after the save must hear the new menu all the same.
      for (let round = 1; round <= 20; round++) {
        await saveFlow(number, `Menu ${round}.`, id);
        for (const [index, carrier] of carriers.entries()) {
          const sid = `CA${index}${String(round).padStart(31, '0')}`;
          expect(await inbound(carrier, number, sid)).toContain(`Menu ${round}.`);
        }
      }
      // recorded on the version routed, once each
      const { rows } = await ctx.db.query<{ calls: number; versions: number[] }>(
        `select count(*)::int as calls, array_agg(distinct call_flow_version order by call_flow_version) as versions
           from call where call_flow_id = $1`,
        [id],
      );
      expect(rows[0]).toEqual({
        calls: 21 * carriers.length,
        versions: Array.from({ length: 21 }, (_, i) => i + 1),
      });
    } finally {
      await second?.close();
    }
    expect(testEngine() === 'pglite' || second !== undefined).toBe(true);
  });
});

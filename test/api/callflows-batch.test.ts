import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowCache } from '../../src/telephony/flow-cache.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

/**
 * POST /v2/callflow/multilevelivr with several entries: new flows on named numbers are written
 * together, and every entry still gets the answer it would get alone, in order.
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
const spare = Array.from({ length: 60 }, (_, i) => `714555${String(3000 + i)}`);
let next = 0;
const takeNumber = () => spare[next++] as string;

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin);
  await ctx.factory.inventory(spare);
});
afterAll(() => ctx.close());

function flow(number: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    call_flow_id: 0,
    call_flow_name: 'Batch',
    group_id: h.company,
    campaign_id: campaignId,
    channel_id: 7,
    number,
    ivrs: [{ key: 1, action: 'simple', target_did: 8015550110 }],
    ...overrides,
  };
}
const onNumber = (number: string, overrides: Record<string, unknown> = {}) =>
  flow({ phone_number_id: 0, phone_number: Number(number) }, overrides);

const post = async (body: unknown[]) => {
  const reply = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body,
  });
  expect(reply.status).toBe(200);
  return reply.body as { result: string; data: string; entry_count: number }[];
};

const unavailable = (what: string) =>
  `phone_number ${what} is not available: it is unknown, or used by another call flow`;

const phoneNumberId = async (number: string) =>
  Number(
    (
      await ctx.db.query<{ phone_number_id: number }>(
        'select phone_number_id from phone_number where number = $1',
        [number],
      )
    ).rows[0]?.phone_number_id,
  );

const flowsOn = async (number: string) =>
  (
    await ctx.db.query(
      `select f.call_flow_id from call_flow f join phone_number p on p.phone_number_id = f.phone_number_id
        where p.number = $1 and f.call_flow_status <> 'deleted'`,
      [number],
    )
  ).rowCount;

describe('several new flows in one request', () => {
  it('gives a number named twice to the first entry only, by number or by id', async () => {
    const [x, y] = [takeNumber(), takeNumber()];
    const yId = await phoneNumberId(y);
    const body = await post([
      onNumber(x),
      onNumber(x),
      flow({ phone_number_id: yId }),
      onNumber(y),
      flow({ phone_number_id: yId }),
    ]);
    expect(body.map((r) => [r.result, r.entry_count, r.result === 'error' ? r.data : 'id'])).toEqual([
      ['success', 1, 'id'],
      ['error', 2, unavailable(x)],
      ['success', 3, 'id'],
      ['error', 4, unavailable(y)],
      ['error', 5, unavailable(`id ${yId}`)],
    ]);
    expect(await flowsOn(x)).toBe(1);
    expect(await flowsOn(y)).toBe(1);
    // ids follow the order of the entries, as when each entry was written alone
    expect(Number(body[0]?.data)).toBeLessThan(Number(body[2]?.data));
  });

  it('answers each entry with its own reason, in order, among entries that succeed', async () => {
    const numbers = [takeNumber(), takeNumber(), takeNumber(), takeNumber()] as const;
    const body = await post([
      onNumber(numbers[0]),
      onNumber(numbers[1], { campaign_id: 987654 }),
      onNumber(numbers[2], { channel_id: 9999 }),
      onNumber(numbers[3]),
      onNumber('2125550199'),
    ]);
    expect(body.map((r) => (r.result === 'error' ? r.data : r.result))).toEqual([
      'success',
      'campaign_id 987654 is not a campaign you can access',
      'channel_id 9999 does not exist',
      'success',
      unavailable('2125550199'),
    ]);
    expect(await flowsOn(numbers[1])).toBe(0);
    expect(await flowsOn(numbers[2])).toBe(0);
  });

  it('keeps the order of effects around an entry that is saved alone (an update)', async () => {
    const [a, b, c] = [takeNumber(), takeNumber(), takeNumber()];
    const [created] = await post([onNumber(a)]);
    const id = Number(created?.data);
    // entry 2 moves flow `id` to number c before entry 3 asks for c
    const body = await post([onNumber(b), onNumber(c, { call_flow_id: id }), onNumber(c)]);
    expect(body.map((r) => (r.result === 'error' ? r.data : r.result))).toEqual([
      'success',
      'success',
      unavailable(c),
    ]);
    expect(body[1]?.data).toBe(String(id));
    expect(await flowsOn(c)).toBe(1);
  });

  it('answers as if alone when an entry breaks a constraint: the others are written', async () => {
    const [a, taken, c] = [takeNumber(), takeNumber(), takeNumber()];
    await post([onNumber(taken)]);
    // an inventory row that says available although a live flow holds it
    await ctx.db.query(`update phone_number set status = 'available' where number = $1`, [taken]);
    const body = await post([onNumber(a), onNumber(taken), onNumber(c)]);
    expect(body.map((r) => (r.result === 'error' ? r.data : r.result))).toEqual([
      'success',
      'phone_number is already used by another call flow',
      'success',
    ]);
    expect([await flowsOn(a), await flowsOn(taken), await flowsOn(c)]).toEqual([1, 1, 1]);
  });
});

describe('concurrency', () => {
  it('gives each number to one flow when requests name the same numbers in opposite orders', async () => {
    const numbers = Array.from({ length: 10 }, takeNumber);
    const requests = [numbers, [...numbers].reverse(), numbers, [...numbers].reverse()];
    const replies = await Promise.all(requests.map((list) => post(list.map((n) => onNumber(n)))));
    const results = replies.flat();
    expect(results.filter((r) => r.result === 'success')).toHaveLength(numbers.length);
    for (const r of results) if (r.result === 'error') expect(r.data).toMatch(/ is not available: /);
    for (const number of numbers) expect(await flowsOn(number)).toBe(1);
  });
});

describe('flow cache', () => {
  it('routes every flow of one request once it is committed', async () => {
    const cache = createFlowCache(ctx.db);
    const stop = await cache.start();
    try {
      const numbers = [takeNumber(), takeNumber(), takeNumber()];
      for (const number of numbers) expect(await cache.forNumber(number)).toBeUndefined();
      const body = await post(numbers.map((n) => onNumber(n)));
      const deadline = Date.now() + 5000;
      for (const [i, number] of numbers.entries()) {
        while ((await cache.forNumber(number))?.callFlowId !== Number(body[i]?.data)) {
          if (Date.now() > deadline) throw new Error(`${number} not routed within 5 s`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    } finally {
      await stop();
    }
  });
});

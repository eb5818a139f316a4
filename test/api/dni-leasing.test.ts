import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { TestContext, TestUser } from '../helpers/app.js';
import { createPoolFlow, dniOnTwoApps, releaseNumber, requestNumber } from '../helpers/dni.js';

/**
 * Leasing under many parallel visitors, as a property: whatever visitors arrive, renew, leave and
 * however the clock moves, no pool number is ever held by two live visitors unless both leases
 * are flagged shared, a lease is shared only when the pool had no free number (or another visitor
 * was lent its number), a visitor keeps its number while its lease lives, and every request gets
 * a number. On PostgreSQL the requests are spread over two apps with their own connection pools
 * on one database, as two server processes would be.
 */
const MINUTE = 60_000;
const COOL_MINUTES = 10;
let ctx: TestContext;
let owner: TestUser;
let code: string;
let apps: App[];
let close: () => Promise<void>;

beforeAll(async () => {
  ({ ctx, owner, code, apps, close } = await dniOnTwoApps());
});
afterAll(() => close());

const Op = fc.record({
  visitor: fc.integer({ min: 0, max: 11 }),
  kind: fc.constantFrom('view', 'view', 'view', 'release'),
  app: fc.nat(),
});
const Batch = fc.record({
  advanceMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 45 })),
  // one request per visitor per instant: a visitor's tab does one thing at a time
  ops: fc.uniqueArray(Op, { selector: (op) => op.visitor, minLength: 1, maxLength: 12 }),
});

let run = 0;

async function violations(poolId: number): Promise<{ doubled: unknown[]; needless: unknown[] }> {
  const doubled = await ctx.db.query(
    `select a.lease_id as a, b.lease_id as b, a.phone_number_id
       from dni_lease a join dni_lease b on b.phone_number_id = a.phone_number_id and b.lease_id > a.lease_id
      where a.pool_id = $1 and a.leased_at < b.expires_at and b.leased_at < a.expires_at
        and not (a.shared and b.shared)`,
    [poolId],
  );
  // A shared lease either found no free number when it started, or was live when another
  // visitor was lent its number.
  const needless = await ctx.db.query(
    `select x.lease_id
       from dni_lease x
      where x.pool_id = $1 and x.shared
        and exists (
          select 1 from dni_pool_number n
           where n.pool_id = $1
             and not exists (
               select 1 from dni_lease o
                where o.phone_number_id = n.phone_number_id and o.lease_id <> x.lease_id
                  and o.leased_at <= x.leased_at
                  and o.expires_at + ($2::integer * interval '1 minute') > x.leased_at))
        and not exists (
          select 1 from dni_lease y
           where y.phone_number_id = x.phone_number_id and y.lease_id > x.lease_id and y.shared
             and y.leased_at <= x.expires_at)`,
    [poolId, COOL_MINUTES],
  );
  return { doubled: doubled.rows, needless: needless.rows };
}

describe('leasing under parallel visitors', () => {
  it('never leases one number to two live visitors unless both are flagged shared', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(Batch, { minLength: 1, maxLength: 6 }),
        async (size, batches) => {
          run += 1;
          const host = `run${run}.example.com`;
          const pool = await createPoolFlow(ctx, owner, size, { destination_url: host });
          const held = new Map<number, { number: string; expiresAt: number }>();
          const visitorId = (visitor: number) => `run${run}-visitor-${visitor}`;

          for (const batch of batches) {
            ctx.clock.advance(batch.advanceMinutes * MINUTE);
            const now = ctx.clock.now().getTime();
            const results = await Promise.all(
              batch.ops.map(async (op) => {
                const app = apps[op.app % apps.length] as App;
                const mine = held.get(op.visitor);
                if (op.kind === 'release') {
                  if (!mine) return undefined;
                  const status = await releaseNumber(app, {
                    code,
                    visitor: visitorId(op.visitor),
                    number: mine.number,
                  });
                  expect(status).toBe(204);
                  held.set(op.visitor, { ...mine, expiresAt: now });
                  return undefined;
                }
                const { status, body } = await requestNumber(app, {
                  code,
                  visitor: visitorId(op.visitor),
                  page: `https://${host}/page`,
                });
                expect(status).toBe(200);
                return { op, body };
              }),
            );
            for (const result of results) {
              if (!result) continue;
              const { op, body } = result;
              expect(pool.numbers).toContain(body.number);
              const before = held.get(op.visitor);
              if (before && before.expiresAt > now) expect(body.number).toBe(before.number);
              held.set(op.visitor, { number: body.number, expiresAt: new Date(body.expires_at).getTime() });
            }
          }
          const found = await violations(pool.poolId);
          expect(found).toEqual({ doubled: [], needless: [] });
        },
      ),
      { numRuns: 25 },
    );
  }, 180_000);

  it('gives as many parallel new visitors as there are numbers a number each, unshared', async () => {
    const host = 'burst.example.com';
    const pool = await createPoolFlow(ctx, owner, 20, { destination_url: host });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        requestNumber(apps[i % apps.length] as App, {
          code,
          visitor: `burst-visitor-${i}`,
          page: `https://${host}/`,
        }),
      ),
    );
    const numbers = answers.map(({ status, body }) => {
      expect(status).toBe(200);
      expect(body.shared).toBe(false);
      return body.number;
    });
    expect(new Set(numbers).size).toBe(20);
    expect(new Set(numbers)).toEqual(new Set(pool.numbers));
    const more = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        requestNumber(apps[i % apps.length] as App, {
          code,
          visitor: `burst-late-${i}`,
          page: `https://${host}/`,
        }),
      ),
    );
    for (const { status, body } of more)
      expect({ status, shared: body.shared }).toEqual({ status: 200, shared: true });
    expect(await violations(pool.poolId)).toEqual({ doubled: [], needless: [] });
  });
});

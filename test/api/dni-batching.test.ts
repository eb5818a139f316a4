import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { LEASE_BATCH_MAX } from '../../src/modules/dni/dni.service.js';
import type { TestContext, TestUser } from '../helpers/app.js';
import { withInsertsRefused } from '../helpers/db.js';
import { createPoolFlow, dniOnTwoApps, releaseNumber, requestNumber } from '../helpers/dni.js';

/**
 * Page views of one pool that arrive together are leased by one statement per process (see
 * dni.service.ts): many at once, through the real app. On PostgreSQL the bursts are spread over
 * two apps with their own connection pools on one database, as two server processes would be.
 */
const MINUTE = 60_000;
let ctx: TestContext;
let owner: TestUser;
let code: string;
let apps: App[];
let close: () => Promise<void>;

beforeAll(async () => {
  ({ ctx, owner, code, apps, close } = await dniOnTwoApps());
});
afterAll(() => close());

const page = (host: string, visitor: string) => ({ code, visitor, page: `https://${host}/` });

async function ask(app: App, host: string, visitor: string) {
  const { status, body } = await requestNumber(app, page(host, visitor));
  expect(status).toBe(200);
  return body as { number: string; shared: boolean; expires_at: string; dni_element: string };
}

/** Pairs of leases live at once on one number that are not both flagged shared. */
async function doubled(poolId: number): Promise<unknown[]> {
  const { rows } = await ctx.db.query(
    `select a.lease_id as a, b.lease_id as b, a.phone_number_id
       from dni_lease a join dni_lease b on b.phone_number_id = a.phone_number_id and b.lease_id > a.lease_id
      where a.pool_id = $1 and a.leased_at < b.expires_at and b.leased_at < a.expires_at
        and not (a.shared and b.shared)`,
    [poolId],
  );
  return rows;
}

async function leasesOf(visitor: string): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(
    'select count(*)::int as n from dni_lease where visitor_id = $1',
    [visitor],
  );
  return rows[0]?.n ?? 0;
}

describe('leasing page views in batches', () => {
  it('gives a burst larger than a batch every free number once, unshared, and shares only the rest', async () => {
    const host = 'many.example.com';
    const size = 30;
    const visitors = LEASE_BATCH_MAX + 50;
    const pool = await createPoolFlow(ctx, owner, size, { destination_url: host });
    const answers = await Promise.all(
      Array.from({ length: visitors }, (_, i) =>
        ask(apps[i % apps.length] as App, host, `many-visitor-${i}`),
      ),
    );
    const exclusive = answers.filter((answer) => !answer.shared).map((answer) => answer.number);
    expect(exclusive).toHaveLength(size);
    expect(new Set(exclusive)).toEqual(new Set(pool.numbers));
    for (const answer of answers) expect(pool.numbers).toContain(answer.number);
    expect(await doubled(pool.poolId)).toEqual([]);
    const { rows } = await ctx.db.query<{ n: number }>(
      'select count(*)::int as n from dni_lease where pool_id = $1',
      [pool.poolId],
    );
    expect(rows[0]?.n).toBe(visitors);
  });

  it('gives a visitor asking from several tabs at once one number and one lease', async () => {
    const host = 'tabs.example.com';
    await createPoolFlow(ctx, owner, 10, { destination_url: host });
    const others = Array.from({ length: 6 }, (_, i) => ask(ctx.app, host, `tabs-other-${i}`));
    const tabs = await Promise.all(Array.from({ length: 4 }, () => ask(ctx.app, host, 'tabs-visitor')));
    await Promise.all(others);
    expect(new Set(tabs.map((tab) => tab.number)).size).toBe(1);
    expect(tabs.every((tab) => !tab.shared)).toBe(true);
    expect(await leasesOf('tabs-visitor')).toBe(1);
  });

  it('never lends a number a visitor resumes to a new visitor of the same batch', async () => {
    const host = 'resume.example.com';
    const pool = await createPoolFlow(ctx, owner, 2, { destination_url: host, TTL: 30 });
    const first = await ask(ctx.app, host, 'resume-holder');
    ctx.clock.advance(MINUTE);
    const other = await ask(ctx.app, host, 'resume-other');
    expect(other.number).not.toBe(first.number);
    expect(await releaseNumber(ctx.app, { code, visitor: 'resume-holder', number: first.number })).toBe(204);
    // Past the cooldown (10 minutes) the released number counts as free, and within the
    // keep-alive its visitor may still resume it: it must not also go to the newcomer.
    ctx.clock.advance(15 * MINUTE);
    const [back, newcomer] = await Promise.all([
      ask(ctx.app, host, 'resume-holder'),
      ask(ctx.app, host, 'resume-newcomer'),
    ]);
    expect(back.number).toBe(first.number);
    expect(newcomer.shared).toBe(true);
    expect(await doubled(pool.poolId)).toEqual([]);
  });

  it('answers a batch that spans a settings change under the new setting, and writes nothing under the old', async () => {
    const host = 'change.example.com';
    const pool = await createPoolFlow(ctx, owner, 20, { destination_url: host, dni_element: 'before' });
    expect(await ask(ctx.app, host, 'change-0')).toMatchObject({ dni_element: 'before', shared: false });
    // The change as another process makes it, before this process hears of it: the version moves
    // and the process still remembers the old match, so its next batch is read under the old one.
    await ctx.db.transaction(async (tx) => {
      await tx.query(`set local session_replication_role = replica`);
      await tx.query(`update dni_setting set dni_element = 'after' where call_flow_id = $1`, [
        pool.callFlowId,
      ]);
      await tx.query(`select nextval('dni_config_version')`);
    });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ask(ctx.app, host, `change-${1 + (i % 10)}`)),
    );
    for (const answer of answers) expect(answer).toMatchObject({ dni_element: 'after', shared: false });
    for (let i = 1; i <= 10; i++) expect(await leasesOf(`change-${i}`)).toBe(1);
    expect(new Set(answers.map((answer) => answer.number)).size).toBe(10);
    expect(await doubled(pool.poolId)).toEqual([]);
  });

  it('leases a batch the database refuses page view by page view, so only the refused one fails', async () => {
    const host = 'refused.example.com';
    const pool = await createPoolFlow(ctx, owner, 10, { destination_url: host });
    await withInsertsRefused(ctx.db, 'dni_lease', "new.visitor_id = 'refused-visitor-3'", async () => {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => requestNumber(ctx.app, page(host, `refused-visitor-${i}`))),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 500, 200, 200, 200, 200]);
      const leased = answers.filter((a) => a.status === 200).map((a) => a.body.number);
      expect(new Set(leased).size).toBe(7);
      expect(await leasesOf('refused-visitor-3')).toBe(0);
      expect(await doubled(pool.poolId)).toEqual([]);
    });
  });

  it('leases page views arriving over the network in a few statements, not one each', async () => {
    const host = 'wire.example.com';
    const pool = await createPoolFlow(ctx, owner, 10, { destination_url: host });
    const app = ctx.app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    // Closed-loop clients, like the bench's: each asks again as soon as it is answered, so
    // requests keep arriving on the sockets while a statement runs.
    const clients = 16;
    const perClient = 8;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let i = 0; i < perClient; i++) {
          const response = await fetch(`http://127.0.0.1:${port}/dni/v1/number`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: JSON.stringify(page(host, `wire-visitor-${client}-${i}`)),
          });
          expect(response.status).toBe(200);
          await response.text();
        }
      }),
    );
    // A lease row carries the transaction id of the statement that wrote or flagged it last:
    // distinct ids count the statements at most.
    const { rows } = await ctx.db.query<{ leases: number; statements: number }>(
      'select count(*)::int as leases, count(distinct xmin::text)::int as statements from dni_lease where pool_id = $1',
      [pool.poolId],
    );
    expect(rows[0]?.leases).toBe(128);
    expect(rows[0]?.statements).toBeLessThanOrEqual(64);
  });
});

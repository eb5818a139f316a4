import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { HOURLY_MS } from '../../src/jobs/hourly.js';
import { pruneDeliveryLogs } from '../../src/jobs/log-retention.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

/**
 * Delivery-log retention: webhook deliveries (with their attempts), call-action results and call
 * e-mail notifications that finished more than DELIVERY_LOG_RETENTION_DAYS ago are deleted by an
 * hourly job; pending and running rows are kept however old, recent ones are kept.
 */
const DAY = 86_400_000;

let ctx: TestContext;
let groupId: number;
let webhookId: number;
let actionId: number;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0', DELIVERY_LOG_RETENTION_DAYS: '30' });
  const h = await ctx.factory.hierarchy();
  groupId = h.company;
  const { rows: hooks } = await ctx.db.query<{ webhook_id: number }>(
    `insert into webhook (group_id, webhook_name, target_url, signing_secret, created_at)
     values ($1, 'Retention', 'https://hooks.example.test/calls', 'secret', now()) returning webhook_id`,
    [groupId],
  );
  webhookId = (hooks[0] as { webhook_id: number }).webhook_id;
  const { rows: actions } = await ctx.db.query<{ action_id: number }>(
    `insert into call_action (group_id, action, action_target, created_at)
     values ($1, 'email_alert', 'ops@example.test', now()) returning action_id`,
    [groupId],
  );
  actionId = (actions[0] as { action_id: number }).action_id;
});
afterAll(() => ctx.close());

const daysAgo = (days: number) => new Date(ctx.clock.now().getTime() - days * DAY);

/** A call with its logs, all written `ageDays` ago and finished as `status` says. */
async function callWithLogs(label: string, ageDays: number, status: { delivery: string; log: string }) {
  const at = daysAgo(ageDays);
  const { rows } = await ctx.db.query<{ call_id: number }>(
    `insert into call (carrier_call_sid, group_id, tracking_number, caller_number, started_at)
     values ($1, $2, '8015550101', '4805551234', $3) returning call_id`,
    [`retention-${label}`, groupId, at],
  );
  const callId = (rows[0] as { call_id: number }).call_id;
  const finishedAt = status.log === 'running' ? null : at;
  await ctx.db.query(
    `with d as (
       insert into webhook_delivery (event_id, webhook_id, call_id, event_type, payload, status, give_up_at,
                                     created_at, completed_at)
       values (gen_random_uuid(), $2, $1, 'call.completed', '{}', $3, $4, $4,
               case when $3 = 'pending' then null else $4::timestamptz end)
       returning delivery_id)
     insert into webhook_attempt (delivery_id, attempted_at, status_code, latency_ms)
     select delivery_id, $4, 200, 5 from d, generate_series(1, 2)`,
    [callId, webhookId, status.delivery, at],
  );
  await ctx.db.query(
    `insert into call_action_log (call_id, action_id, status, created_at, finished_at) values ($1, $2, $3, $4, $5)`,
    [callId, actionId, status.log, at, finishedAt],
  );
  await ctx.db.query(
    `insert into call_notification (call_id, kind, status, created_at, finished_at)
     values ($1, 'email_to_notify', $2, $3, $4)`,
    [callId, status.log, at, finishedAt],
  );
  return callId;
}

/** Per call label: [deliveries, attempts, action results, notifications] left. */
async function left(callIds: Record<string, number>): Promise<Record<string, number[]>> {
  const result: Record<string, number[]> = {};
  for (const [label, callId] of Object.entries(callIds)) {
    const { rows } = await ctx.db.query<{ counts: number[] }>(
      `select array[(select count(*) from webhook_delivery where call_id = $1),
                    (select count(*) from webhook_attempt a join webhook_delivery d using (delivery_id) where d.call_id = $1),
                    (select count(*) from call_action_log where call_id = $1),
                    (select count(*) from call_notification where call_id = $1)]::int[] as counts`,
      [callId],
    );
    result[label] = (rows[0] as { counts: number[] }).counts;
  }
  return result;
}

/**
 * The walk stops at the first key written after the cutoff: each test starts from empty logs, as
 * rows it writes later would otherwise wait behind the recent rows of the test before.
 */
async function clear(): Promise<void> {
  await ctx.db.exec(
    'delete from webhook_delivery; delete from call_action_log; delete from call_notification',
  );
}

describe('the delivery-log retention', () => {
  it('deletes what finished before the retention, walking in key order a few keys at a time, and keeps pending, running and recent rows', async () => {
    await clear();
    const calls = {
      succeeded: await callWithLogs('succeeded', 60, { delivery: 'succeeded', log: 'succeeded' }),
      failed: await callWithLogs('failed', 50, { delivery: 'failed', log: 'failed' }),
      pending: await callWithLogs('pending', 45, { delivery: 'pending', log: 'running' }),
      skipped: await callWithLogs('skipped', 40, { delivery: 'succeeded', log: 'skipped' }),
      recent: await callWithLogs('recent', 10, { delivery: 'succeeded', log: 'succeeded' }),
    };
    const pruned = await pruneDeliveryLogs(ctx.db, { cutoff: daysAgo(30), batchKeys: 1 });
    expect(pruned).toEqual({
      deleted: { webhook_delivery: 3, call_action_log: 3, call_notification: 3 },
      done: true,
    });
    expect(await left(calls)).toEqual({
      succeeded: [0, 0, 0, 0],
      failed: [0, 0, 0, 0],
      pending: [1, 2, 1, 1],
      skipped: [0, 0, 0, 0],
      recent: [1, 2, 1, 1],
    });
  });

  it('stops at its batch limit and says so, for a new run to go on', async () => {
    await clear();
    const calls = {
      a: await callWithLogs('limit-a', 70, { delivery: 'succeeded', log: 'succeeded' }),
      b: await callWithLogs('limit-b', 69, { delivery: 'succeeded', log: 'succeeded' }),
    };
    const first = await pruneDeliveryLogs(ctx.db, { cutoff: daysAgo(30), batchKeys: 1, maxBatches: 1 });
    expect(first.done).toBe(false);
    expect(await pruneDeliveryLogs(ctx.db, { cutoff: daysAgo(30) })).toMatchObject({ done: true });
    expect(await left(calls)).toEqual({ a: [0, 0, 0, 0], b: [0, 0, 0, 0] });
  });

  it('runs hourly as a job, with DELIVERY_LOG_RETENTION_DAYS', async () => {
    await clear();
    const calls = {
      old: await callWithLogs('hourly-old', 31, { delivery: 'succeeded', log: 'succeeded' }),
      kept: await callWithLogs('hourly-kept', 29, { delivery: 'succeeded', log: 'succeeded' }),
    };
    ctx.clock.advance(HOURLY_MS);
    await ctx.app.services.jobs.drain();
    expect(await left(calls)).toEqual({ old: [0, 0, 0, 0], kept: [1, 2, 1, 1] });
  });
});

describe('DELIVERY_LOG_RETENTION_DAYS', () => {
  it('defaults to 90 days and refuses less than one', () => {
    expect(loadConfig({}).DELIVERY_LOG_RETENTION_DAYS).toBe(90);
    expect(() => loadConfig({ DELIVERY_LOG_RETENTION_DAYS: '0' })).toThrow(ConfigError);
  });
});

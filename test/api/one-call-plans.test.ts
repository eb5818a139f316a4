import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_FOR_SQL, CALL_ACTIONS_WANTED_SQL } from '../../src/modules/callactions/callaction-runner.js';
import { completionWantedSql, STARTED_JOB_SQL } from '../../src/modules/calls/call-lifecycle.js';
import { RECORDS_BY_ID_SQL } from '../../src/modules/calls/call-record.js';
import { CALL_NOTIFY_CLAIM_SQL, CALL_NOTIFY_WANTED_SQL } from '../../src/modules/email/call-notify.js';
import {
  fanOutSql,
  preCallFanOutPendingSql,
  RELEASE_READY_SQL,
  TARGETS_CTES,
} from '../../src/modules/webhooks/webhook-delivery.js';
import {
  INSERT_SCREENED_SQL,
  NEW_CALL_TYPES,
  SCREENED_COLUMNS,
} from '../../src/telephony/call-routing.repo.js';
import { RECORDINGS_TO_COPY_SQL } from '../../src/telephony/recording-copy.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { createIvrFlow } from '../helpers/calls.js';

/**
 * The statements a completed call's jobs run for that one call (webhook targets, the post-call
 * fan-out, which completion steps have anything to do, call summary claim, call actions, the call record, the call.started job) read a handful of pages however
 * many flows exist. They are prepared, so they run on a generic plan, and the planner judges a
 * join from the call to its flow by the call table's statistics: when the stored calls are on
 * old flows and the call is on the newest, a merge join that "stops early" in fact walks every
 * flow. Seen in the benchmark: 26,000 flows read per delivery, 37 ms of database CPU each.
 */
const OLD_FLOWS = 6_000;
const OLD_CALLS = 5_000;
/** Jobs finished before the statistics were taken, and a backlog queued after. */
const DONE_JOBS = 1_000;
const BACKLOG_JOBS = 20_000;
/** Index lookups of one call, its flow and version, its group, and a few small tables. */
const MAX_BUFFERS = 60;

class Rollback extends Error {}

let ctx: TestContext;
let callId: number;
let groupId: number;
let webhookId: number;
let callFlowOfOldCalls: number;

beforeAll(async () => {
  ctx = await createTestContext();
  const h = await ctx.factory.hierarchy();
  const admin = h.locationAdmin;
  groupId = h.location;
  const campaignId = await ctx.factory.campaign(admin);
  await ctx.factory.inventory(['8015550101', '8015550102']);
  const first = await createIvrFlow(ctx, admin, campaignId, '8015550101');
  callFlowOfOldCalls = first;

  // Old flows (deleted copies of the first, so they may keep its number), and old calls all on
  // the first flow.
  const { rows: columns } = await ctx.db.query<{ name: string }>(
    `select column_name as name from information_schema.columns
      where table_schema = current_schema() and table_name = 'call_flow'
        and column_name not in ('call_flow_id', 'call_flow_status') and is_generated = 'NEVER'
      order by ordinal_position`,
  );
  const list = columns.map((c) => c.name).join(', ');
  await ctx.db.query(
    `with copies as (
       insert into call_flow (call_flow_status, ${list})
       select 'deleted', ${list} from call_flow, generate_series(1, $2::integer)
        where call_flow_id = $1 returning call_flow_id, document)
     insert into call_flow_version (call_flow_id, version, document, saved_at)
     select call_flow_id, 1, document, now() from copies`,
    [first, OLD_FLOWS],
  );
  await ctx.db.query(
    `insert into call (carrier_call_sid, call_flow_id, call_flow_version, group_id, campaign_id, channel_id,
                       tracking_number, caller_number, started_at)
     select 'old-' || i, f.call_flow_id, 1, f.group_id, f.campaign_id, f.channel_id, '8015550101', '4805551234',
            now() - i * interval '1 minute'
       from call_flow f, generate_series(1, $2::integer) as i
      where f.call_flow_id = $1`,
    [first, OLD_CALLS],
  );
  // Something for each statement to find: a webhook of the group wanting both events, an action
  // of the first flow and a default action of the group.
  const { rows: hooks } = await ctx.db.query<{ webhook_id: number }>(
    `insert into webhook (group_id, webhook_name, target_url, signing_secret, created_at)
     values ($1, 'Plans', 'https://hooks.example.test/calls', 'secret', now()) returning webhook_id`,
    [groupId],
  );
  webhookId = (hooks[0] as { webhook_id: number }).webhook_id;
  await ctx.db.query(
    `insert into call_action (group_id, call_flow_id, action, action_target, created_at)
     values ($1, $2, 'tag_call', 'old flow', now()), ($1, null, 'tag_call', 'group default', now())`,
    [groupId, first],
  );
  await ctx.db.query(
    `insert into job (kind, payload, dedupe_key, done_at)
     select 'call.completed', '{}', 'done:' || i, now() from generate_series(1, $1::integer) as i`,
    [DONE_JOBS],
  );
  await ctx.db.query('analyze');
  await ctx.db.query(
    `insert into job (kind, payload, dedupe_key, run_at)
     select 'call.completed', '{}', 'backlog:' || i, now() + interval '1 hour'
       from generate_series(1, $1::integer) as i`,
    [BACKLOG_JOBS],
  );

  // The newest flow, made through the API, with the webhook as its own, and a call on it after
  // the statistics were taken.
  const newest = await createIvrFlow(ctx, admin, campaignId, '8015550102');
  await ctx.db.query(
    `update call_flow_version
        set document = document || jsonb_build_object('webhook_enabled', true, 'webhook_id', $2::integer)
      where call_flow_id = $1`,
    [newest, webhookId],
  );
  const { rows } = await ctx.db.query<{ call_id: number }>(
    `insert into call (carrier_call_sid, call_flow_id, call_flow_version, group_id, campaign_id, channel_id,
                       tracking_number, caller_number, started_at, ended_at, disposition)
     select 'newest', f.call_flow_id, v.version, f.group_id, f.campaign_id, f.channel_id, '8015550102',
            '4805551234', now(), now(), 'ANSWERED'
       from call_flow f join call_flow_version v on v.call_flow_id = f.call_flow_id
      where f.call_flow_id = $1
      order by v.version desc limit 1
     returning call_id::integer as call_id`,
    [newest],
  );
  callId = (rows[0] as { call_id: number }).call_id;
}, 120_000);

afterAll(async () => {
  await ctx?.close();
});

/**
 * Shared buffers the statement touches on a generic plan (as a prepared statement runs after its
 * fifth execution), measured by EXPLAIN ANALYZE in a transaction that is rolled back.
 */
async function buffersOnGenericPlan(sql: string, args: string): Promise<number> {
  let buffers = Number.NaN;
  await ctx.db
    .transaction(async (tx) => {
      await tx.query('set local plan_cache_mode = force_generic_plan');
      await tx.query(`prepare probe as ${sql}`);
      try {
        const { rows } = await tx.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, number> }> }>(
          `explain (analyze, buffers, format json) execute probe(${args})`,
        );
        const plan = rows[0]?.['QUERY PLAN'][0]?.Plan ?? {};
        buffers = (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
      } finally {
        await tx.query('deallocate probe');
      }
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return buffers;
}

describe(`one call's statements with ${OLD_FLOWS} older flows and ${BACKLOG_JOBS} jobs queued`, () => {
  it('the webhook targets', async () => {
    expect(
      await buffersOnGenericPlan(`with ${TARGETS_CTES} select * from targets`, `${callId}, 'call.completed'`),
    ).toBeLessThan(MAX_BUFFERS);
  });

  it('the post-call fan-out: targets, the call record and the delivery with its job, in one statement', async () => {
    // reads as the others do, and writes two rows with their indexes (walking every flow: 480)
    expect(
      await buffersOnGenericPlan(
        fanOutSql({ finish: false }),
        `${callId}, 'call.completed', now() + interval '1 day', now(), 1, now() + interval '1 minute', 'plans'`,
      ),
    ).toBeLessThan(2 * MAX_BUFFERS);
  });

  it("a late change's fan-out (call.updated), which waits for the call's earlier events", async () => {
    expect(
      await buffersOnGenericPlan(
        fanOutSql({ finish: false }),
        `${callId}, 'call.updated', now() + interval '1 day', now(), 1, now() + interval '1 minute', 'plans'`,
      ),
    ).toBeLessThan(2 * MAX_BUFFERS);
  });

  it("the release of the call's post-call deliveries once its pre-call side has ended", async () => {
    expect(await buffersOnGenericPlan(RELEASE_READY_SQL, `${callId}, now()`)).toBeLessThan(MAX_BUFFERS);
  });

  it('which completion steps have anything to do (call actions, e-mail, recordings)', async () => {
    const sql = completionWantedSql([
      CALL_ACTIONS_WANTED_SQL,
      CALL_NOTIFY_WANTED_SQL,
      RECORDINGS_TO_COPY_SQL,
    ]);
    expect(await buffersOnGenericPlan(sql, `${callId}`)).toBeLessThan(MAX_BUFFERS);
  });

  it('the call summary claim', async () => {
    expect(
      await buffersOnGenericPlan(CALL_NOTIFY_CLAIM_SQL, `${callId}, now(), 'skipped', 'not sent'`),
    ).toBeLessThan(MAX_BUFFERS);
  });

  it('the call.started job', async () => {
    expect(await buffersOnGenericPlan(STARTED_JOB_SQL, `${callId}, ${groupId}, true`)).toBeLessThan(
      MAX_BUFFERS,
    );
  });

  it('the call actions of the call', async () => {
    expect(await buffersOnGenericPlan(ACTIONS_FOR_SQL, `${callId}`)).toBeLessThan(MAX_BUFFERS);
  });

  it("whether the call's pre-call fan-out is still to run, with a backlog of jobs", async () => {
    expect(
      await buffersOnGenericPlan(`select ${preCallFanOutPendingSql('$1::bigint')}`, `${callId}`),
    ).toBeLessThan(MAX_BUFFERS);
  });

  it('an inbound call: the caller screen and the insert, in one statement', async () => {
    // a new caller to the number the older calls came in on: reads as the others do, and writes
    // the row, its nine indexes and two foreign-key checks (the 5,000 calls fill 91 pages)
    const values: Record<string, string> = {
      carrier_call_sid: "'plans-new'",
      call_flow_id: `${callFlowOfOldCalls}`,
      call_flow_version: '1',
      group_id: `${groupId}`,
      tracking_number: "'8015550101'",
      caller_number: "'4805559999'",
      started_at: 'now()',
      disposition: "'IN PROGRESS'",
      trail: `'[]'`,
      key_path: "''",
      step: '1',
    };
    const args = [
      ...SCREENED_COLUMNS.map((column) => `array[${values[column] ?? 'null'}]::${NEW_CALL_TYPES[column]}[]`),
      "array[now() - interval '1 hour']::timestamptz[]",
      "array[now() - interval '1 day']::timestamptz[]",
      'array[null]::integer[]',
      // the flow's row version as the cache read it: checked by primary key
      "array['1']::text[]",
    ];
    expect(await buffersOnGenericPlan(INSERT_SCREENED_SQL, args.join(', '))).toBeLessThan(2 * MAX_BUFFERS);
  });

  it('the call record', async () => {
    expect(await buffersOnGenericPlan(RECORDS_BY_ID_SQL, `array[${callId}]::bigint[]`)).toBeLessThan(
      MAX_BUFFERS,
    );
  });
});

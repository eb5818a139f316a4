import type { Queryable } from '../db/index.js';
import { insertJobsSql } from '../jobs/queue.js';
import type { CallState } from '../routing/engine.js';
import { flowChangedSql } from './flow-cache.js';

export interface NewCall {
  /** the carrier whose edge the call came through */
  carrier: string;
  carrier_call_sid: string;
  call_flow_id: number | null;
  call_flow_version: number | null;
  group_id: number | null;
  campaign_id: number | null;
  channel_id: number | null;
  tracking_number: string;
  caller_number: string;
  caller_city: string | null;
  caller_state: string | null;
  caller_zip: string | null;
  stir_verstat: string | null;
  started_at: Date;
  ended_at: Date | null;
  disposition: string;
  is_repeat: boolean;
  call_value: number | null;
  trail: string[];
  key_path: string;
  state: CallState | null;
  step: number;
  last_twiml: string;
}

export interface CallRow {
  call_id: number;
  call_flow_id: number | null;
  call_flow_version: number | null;
  step: number;
  state: CallState | null;
  last_twiml: string | null;
  disposition: string;
  caller_state: string | null;
  caller_zip: string | null;
  caller_number: string;
  answered_at: Date | null;
  screened_step: number | null;
  screened_by: string | null;
  tracking_number: string;
  /** set by the carrier's final status callback */
  ended_at: Date | null;
}

export interface StepChanges {
  state: CallState;
  last_twiml: string;
  trail: string[];
  key_path: string;
  disposition?: string | undefined;
  answered_at?: Date | undefined;
  answered_by?: string | undefined;
  recording_url?: string | undefined;
  voicemail_url?: string | undefined;
}

const NEW_CALL_COLUMNS = [
  'carrier',
  'carrier_call_sid',
  'call_flow_id',
  'call_flow_version',
  'group_id',
  'campaign_id',
  'channel_id',
  'tracking_number',
  'caller_number',
  'caller_city',
  'caller_state',
  'caller_zip',
  'stir_verstat',
  'started_at',
  'ended_at',
  'disposition',
  'is_repeat',
  'call_value',
  'trail',
  'key_path',
  'state',
  'step',
  'last_twiml',
] as const;

function columnValue<C extends Partial<NewCall>>(call: C, column: keyof NewCall) {
  return column === 'trail' || column === 'state' ? JSON.stringify(call[column]) : call[column];
}

/** A final status: the call's end as the carrier reports it. */
export interface CallEnd {
  carrierCallSid: string;
  endedAt: Date;
  durationSeconds: number;
  disposition: string;
}

/**
 * The jobs of a call's post-call work (see `finish` and `saveStep`): each is enqueued with the
 * payload `{ callId }` and the dedupe key `<kind>:<callId>`, as `enqueue` would.
 */
export interface PostCallJobs {
  /** the post-call work, enqueued once when the call ends */
  completed: readonly string[];
  /** what a result that changes the call after its post-call work began enqueues */
  updated: readonly string[];
}

/** When the post-call work of a call that ends runs (see `finish`). */
export interface CallSettling {
  /** the phases whose carrier result comes even after the caller hung up */
  awaitingPhases: readonly string[];
  /** when the post-call work runs without a result still awaited */
  settleBy: Date;
}

export interface CallerScreen {
  callerNumber: string;
  trackingNumber: string;
  groupId: number;
  hourAgo: Date;
  /** repeat callers are counted since then; none when undefined */
  repeatSince: Date | undefined;
  /** the flow routing the call, and the row version it was compiled from (NumberFlow.rowVersion) */
  callFlowId: number;
  flowRowVersion: string | undefined;
}

/** A call for `insertScreened`: screened by the caller and tracking number it carries. */
export interface ScreenedCall {
  call: Omit<NewCall, 'is_repeat'>;
  screen: Pick<CallerScreen, 'hourAgo' | 'repeatSince' | 'flowRowVersion'>;
  /** calls in the last hour from which the caller is refused (none: never) */
  spamLimit: number | undefined;
}

export interface ScreenResult {
  blacklisted: boolean;
  lastHour: number;
  sinceRepeat: number;
  /** the flow was saved after the version the call was routed with: nothing was inserted */
  flowChanged: boolean;
}

/** A screened call's outcome: its id when it was inserted. */
export type ScreenedResult = ScreenResult & { callId: number | undefined };

interface ScreenRow {
  blacklisted: boolean;
  last_hour: number;
  since_repeat: number;
  flow_changed: boolean;
}

/**
 * The caller screen of each row of a relation `r` (caller_number, tracking_number, group_id,
 * hour_ago, repeat_since, call_flow_id, flow_row_version, i), as a CTE `s` (i, blacklisted,
 * last_hour, since_repeat, flow_changed): whether the caller is blacklisted for the group or a
 * group above it, and their calls to the tracking number since `hour_ago` and since
 * `repeat_since` (none when null); and whether the flow was written since `flow_row_version`
 * (flowChangedSql: one primary-key look-up). Only 10-digit numbers can be blacklisted;
 * "anonymous" or a foreign caller cannot match.
 */
const SCREEN_CTE = `s as (
  select r.i, ${flowChangedSql('r.call_flow_id', 'r.flow_row_version')} as flow_changed,
         exists (select 1 from blacklisted_number b join org_group g on g.group_id = r.group_id
                  where b.number = case when r.caller_number ~ '^[0-9]{10}$' then r.caller_number::bigint end
                    and b.group_id = any(g.path)) as blacklisted,
         n.last_hour, n.since_repeat
    from r cross join lateral (
      select count(*) filter (where c.started_at >= r.hour_ago)::int as last_hour,
             count(*) filter (where r.repeat_since is not null and c.started_at >= r.repeat_since)::int
               as since_repeat
        from call c
       where c.caller_number = r.caller_number and c.tracking_number = r.tracking_number
         and c.started_at >= least(r.hour_ago, coalesce(r.repeat_since, r.hour_ago))) n)`;

/** Each column of a new call with its type, for the arrays a batch insert unnests. */
export const NEW_CALL_TYPES: Record<(typeof NEW_CALL_COLUMNS)[number], string> = {
  carrier: 'text',
  carrier_call_sid: 'text',
  call_flow_id: 'integer',
  call_flow_version: 'integer',
  group_id: 'integer',
  campaign_id: 'integer',
  channel_id: 'integer',
  tracking_number: 'text',
  caller_number: 'text',
  caller_city: 'text',
  caller_state: 'text',
  caller_zip: 'text',
  stir_verstat: 'text',
  started_at: 'timestamptz',
  ended_at: 'timestamptz',
  disposition: 'text',
  is_repeat: 'boolean',
  call_value: 'numeric',
  trail: 'jsonb',
  key_path: 'text',
  state: 'jsonb',
  step: 'integer',
  last_twiml: 'text',
};

/** The columns a screened insert takes from its caller; `is_repeat` comes from the screen. */
export const SCREENED_COLUMNS = NEW_CALL_COLUMNS.filter((column) => column !== 'is_repeat');

/**
 * The usual inbound calls, many in one statement: each row of the arrays is screened as
 * `SCREEN_CTE` says and inserted when it passes (not blacklisted, fewer than `spam_limit` calls
 * in the last hour when given), with `is_repeat` from its screen. A CallSid twice in the batch
 * (a carrier retry) is inserted once, as its first row. Answers each row's screen, in order,
 * with the call id where that row was inserted. Rows go in CallSid order, so two processes whose
 * batches share CallSids (retries sent to both) wait for each other's keys in one order and
 * cannot deadlock.
 */
export const INSERT_SCREENED_SQL = `with r as (
  select * from unnest(${SCREENED_COLUMNS.map((column, i) => `$${i + 1}::${NEW_CALL_TYPES[column]}[]`).join(', ')},
                       $${SCREENED_COLUMNS.length + 1}::timestamptz[], $${SCREENED_COLUMNS.length + 2}::timestamptz[],
                       $${SCREENED_COLUMNS.length + 3}::integer[], $${SCREENED_COLUMNS.length + 4}::text[]) with ordinality
    as r(${SCREENED_COLUMNS.join(', ')}, hour_ago, repeat_since, spam_limit, flow_row_version, i)
),
${SCREEN_CTE},
ins as (
  insert into call (${SCREENED_COLUMNS.join(', ')}, is_repeat)
  select distinct on (r.carrier_call_sid) ${SCREENED_COLUMNS.map((column) => `r.${column}`).join(', ')},
         s.since_repeat > 0
    from r join s on s.i = r.i
   where not s.blacklisted and not s.flow_changed and (r.spam_limit is null or s.last_hour < r.spam_limit)
   order by r.carrier_call_sid, r.i
  on conflict (carrier_call_sid) do nothing
  returning call_id, carrier_call_sid
)
select s.*, ins.call_id
  from r join s on s.i = r.i left join ins on ins.carrier_call_sid = r.carrier_call_sid
 order by r.i`;

function screenResult(row: ScreenRow | undefined): ScreenResult {
  return {
    blacklisted: row?.blacklisted === true,
    lastHour: row?.last_hour ?? 0,
    sinceRepeat: row?.since_repeat ?? 0,
    flowChanged: row?.flow_changed === true,
  };
}

/**
 * The call rows as the carrier edge writes them while it routes a call: the insert (screened),
 * each step's state and TwiML, the answering leg, the end. The calls API reads and edits the same
 * rows through modules/calls/calls.repo.ts.
 */
export function createCallRoutingRepo(db: Queryable) {
  return {
    /** Inserts the call unless the carrier sent this CallSid before; its id when inserted. */
    async insert(call: NewCall): Promise<number | undefined> {
      const values = NEW_CALL_COLUMNS.map((column) => columnValue(call, column));
      const { rows } = await db.query<{ call_id: number }>(
        `insert into call (${NEW_CALL_COLUMNS.join(', ')})
         values (${NEW_CALL_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
         on conflict (carrier_call_sid) do nothing
         returning call_id`,
        values,
        { prepare: 'call_insert' },
      );
      return rows[0] === undefined ? undefined : Number(rows[0].call_id);
    },

    async lastTwiml(carrierCallSid: string): Promise<string | undefined> {
      const { rows } = await db.query<{ last_twiml: string | null }>(
        'select last_twiml from call where carrier_call_sid = $1',
        [carrierCallSid],
        { prepare: 'call_last_twiml' },
      );
      return rows[0]?.last_twiml ?? undefined;
    },

    /** The call as routing left it at its last step. */
    async findBySid(carrierCallSid: string): Promise<CallRow | undefined> {
      const { rows } = await db.query<CallRow>(
        `select call_id, call_flow_id, call_flow_version, step, state, last_twiml, disposition,
                caller_state, caller_zip, caller_number, answered_at, screened_step, screened_by,
                tracking_number, ended_at
           from call where carrier_call_sid = $1`,
        [carrierCallSid],
        { prepare: 'call_find_by_sid' },
      );
      return rows[0];
    },

    /**
     * Saves the next step of a call that is still at `atStep`, and says whether it did. Two
     * deliveries of one callback read the same step; only the first to write advances the call.
     *
     * A result for a call that already ended (the carrier sent the final status first) is the one
     * its post-call work was waiting for: in the same statement it lets the `jobs.completed` go
     * now. When one of them has already begun (the settle window passed), the result comes too
     * late for it, and when it `changesRecord` it enqueues the `jobs.updated` instead. The row
     * lock on the call orders this statement and the status callback's (`finish`); the job is
     * found by its key with ON CONFLICT, which sees a row committed after this statement began.
     */
    async saveStep(
      callId: number,
      atStep: number,
      changes: StepChanges,
      late: PostCallJobs & { changesRecord: boolean } = { completed: [], updated: [], changesRecord: false },
    ): Promise<boolean> {
      const { rows } = await db.query<{ saved: number }>(
        `with saved as (
           update call set state = $2, last_twiml = $3, trail = $4, key_path = $5, step = step + 1,
                  disposition = coalesce($6, disposition), answered_at = coalesce(answered_at, $7),
                  answered_by = coalesce($8, answered_by), recording_url = coalesce($9, recording_url),
                  voicemail_url = coalesce($10, voicemail_url)
            where call_id = $1 and step = $11
            returning call_id, ended_at is not null as has_ended),
         woken as (${insertJobsSql(
           `select kind, jsonb_build_object('callId', call_id), kind || ':' || call_id
             from saved, unnest($12::text[]) as kind
            where has_ended`,
           {
             onConflict: `do update set run_at = null
            where job.attempts = 0 and job.done_at is null and job.failed_at is null`,
             returning: 'job_id',
           },
         )}),
         updated as (${insertJobsSql(
           `select kind, jsonb_build_object('callId', call_id), kind || ':' || call_id
             from saved, unnest($13::text[]) as kind
            where has_ended and $14::boolean and not exists (select 1 from woken)`,
         )})
         select count(*)::int as saved from saved`,
        [
          callId,
          JSON.stringify(changes.state),
          changes.last_twiml,
          JSON.stringify(changes.trail),
          changes.key_path,
          changes.disposition ?? null,
          changes.answered_at ?? null,
          changes.answered_by ?? null,
          changes.recording_url ?? null,
          changes.voicemail_url ?? null,
          atStep,
          late.completed,
          late.updated,
          late.changesRecord,
        ],
        { prepare: 'call_save_step' },
      );
      return rows[0]?.saved === 1;
    },

    /** A screened leg was accepted (pressed 1) for the `<Dial>` rendered at `step`. */
    async markScreened(carrierCallSid: string, step: number, answeredBy: string | null): Promise<void> {
      await db.query(
        `update call set screened_step = $2, screened_by = $3
          where carrier_call_sid = $1 and step = $2 and ended_at is null`,
        [carrierCallSid, step, answeredBy],
        { prepare: 'call_mark_screened' },
      );
    },

    /**
     * Closes the call once and returns its id; a repeated final status changes nothing. In the
     * same statement it enqueues, for a call it closed, one job of each of `jobKinds` with the
     * payload `{ callId }` and the dedupe key `<kind>:<callId>` (as `enqueue` would): due at once,
     * or, while the call is in one of `settling.awaitingPhases` (the carrier's dial or recording
     * result is still to come), at `settling.settleBy`, unless that result wakes them first
     * (`saveStep`). Meanwhile the disposition the status implies stands, for the result to correct.
     */
    async finish(
      end: CallEnd,
      jobKinds: readonly string[] = [],
      settling: CallSettling = { awaitingPhases: [], settleBy: end.endedAt },
    ): Promise<number | undefined> {
      const { rows } = await db.query<{ call_id: number }>(
        `with finished as (
           update call set ended_at = $2, duration_seconds = $3,
                  disposition = case when disposition = 'IN PROGRESS' then $4 else disposition end
            where carrier_call_sid = $1 and ended_at is null
            returning call_id, coalesce(state->>'phase' = any($6::text[]), false) as awaits_result),
         queued as (${insertJobsSql(
           `select kind, jsonb_build_object('callId', call_id), kind || ':' || call_id,
                  case when awaits_result then $7::timestamptz end
             from finished, unnest($5::text[]) as kind`,
           { columns: ['run_at'] },
         )})
         select call_id from finished`,
        [
          end.carrierCallSid,
          end.endedAt,
          end.durationSeconds,
          end.disposition,
          jobKinds,
          settling.awaitingPhases,
          settling.settleBy,
        ],
        { prepare: 'call_finish' },
      );
      return rows[0] === undefined ? undefined : Number(rows[0].call_id);
    },

    /**
     * What the runtime checks before routing, in one indexed statement: whether the caller is
     * blacklisted for the flow's group or any group above it (uncached, so a number blacklisted a
     * moment ago is refused at once), and their earlier calls to this tracking number in the last
     * hour (spam bursts) and since `repeatSince` (repeat callers; none when undefined); and
     * whether the flow changed since the call read it.
     */
    async screenCaller(screen: CallerScreen): Promise<ScreenResult> {
      const { rows } = await db.query<ScreenRow>(
        `with r as (select $1::text as caller_number, $2::text as tracking_number, $3::integer as group_id,
                           $4::timestamptz as hour_ago, $5::timestamptz as repeat_since,
                           $6::integer as call_flow_id, $7::text as flow_row_version, 1 as i),
         ${SCREEN_CTE}
         select * from s`,
        [
          screen.callerNumber,
          screen.trackingNumber,
          screen.groupId,
          screen.hourAgo,
          screen.repeatSince ?? null,
          screen.callFlowId,
          screen.flowRowVersion ?? null,
        ],
        { prepare: 'call_screen' },
      );
      return screenResult(rows[0]);
    },

    /**
     * The usual inbound calls in one statement (INSERT_SCREENED_SQL): each is screened as
     * `screenCaller` does and inserted only when it passes. A result's `callId` is undefined when
     * the screen refused the call or the carrier sent its CallSid before (or earlier in the same
     * batch); the screen tells which.
     */
    async insertScreened(
      calls: readonly ScreenedCall[],
    ): Promise<Array<ScreenResult & { callId: number | undefined }>> {
      const { rows } = await db.query<ScreenRow & { call_id: number | null }>(
        INSERT_SCREENED_SQL,
        [
          ...SCREENED_COLUMNS.map((column) => calls.map(({ call }) => columnValue(call, column))),
          calls.map(({ screen }) => screen.hourAgo),
          calls.map(({ screen }) => screen.repeatSince ?? null),
          calls.map(({ spamLimit }) => spamLimit ?? null),
          calls.map(({ screen }) => screen.flowRowVersion ?? null),
        ],
        { prepare: 'call_insert_screened' },
      );
      const seen = new Set<number>();
      return rows.map((row) => {
        // a CallSid twice in the batch: the row inserted answers for the first only
        const callId = row.call_id == null || seen.has(Number(row.call_id)) ? undefined : Number(row.call_id);
        if (callId !== undefined) seen.add(callId);
        return { ...screenResult(row), callId };
      });
    },
  };
}

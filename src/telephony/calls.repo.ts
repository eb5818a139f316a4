import type { Queryable } from '../db/index.js';
import type { CallState } from '../routing/engine.js';

export interface NewCall {
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

export interface CallerScreen {
  callerNumber: string;
  trackingNumber: string;
  groupId: number;
  hourAgo: Date;
  /** repeat callers are counted since then; none when undefined */
  repeatSince: Date | undefined;
}

export interface ScreenResult {
  blacklisted: boolean;
  lastHour: number;
  sinceRepeat: number;
}

interface ScreenRow {
  blacklisted: boolean;
  last_hour: number;
  since_repeat: number;
}

/** The caller screen as a CTE `s` of one row; its parameters are `screenParams`. */
const SCREEN_SQL = `with s as (
  select exists (select 1 from blacklisted_number b join org_group g on g.group_id = $5
                  where b.number = $6::bigint and b.group_id = any(g.path)) as blacklisted,
         count(*) filter (where started_at >= $3)::int as last_hour,
         count(*) filter (where $4::timestamptz is not null and started_at >= $4)::int as since_repeat
    from call
   where caller_number = $1 and tracking_number = $2 and started_at >= least($3, coalesce($4, $3)))`;
const SCREEN_PARAMS = 6;

function screenParams(screen: CallerScreen): unknown[] {
  return [
    screen.callerNumber,
    screen.trackingNumber,
    screen.hourAgo,
    screen.repeatSince ?? null,
    screen.groupId,
    // only 10-digit numbers can be blacklisted; "anonymous" or a foreign caller cannot match
    /^\d{10}$/.test(screen.callerNumber) ? screen.callerNumber : null,
  ];
}

function screenResult(row: ScreenRow | undefined): ScreenResult {
  return {
    blacklisted: row?.blacklisted === true,
    lastHour: row?.last_hour ?? 0,
    sinceRepeat: row?.since_repeat ?? 0,
  };
}

export function createCallsRepo(db: Queryable) {
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
                tracking_number
           from call where carrier_call_sid = $1`,
        [carrierCallSid],
        { prepare: 'call_find_by_sid' },
      );
      return rows[0];
    },

    /**
     * Saves the next step of a call that is still at `atStep`, and says whether it did. Two
     * deliveries of one callback read the same step; only the first to write advances the call.
     */
    async saveStep(callId: number, atStep: number, changes: StepChanges): Promise<boolean> {
      const { rowCount } = await db.query(
        `update call set state = $2, last_twiml = $3, trail = $4, key_path = $5, step = step + 1,
                disposition = coalesce($6, disposition), answered_at = coalesce(answered_at, $7),
                answered_by = coalesce($8, answered_by), recording_url = coalesce($9, recording_url),
                voicemail_url = coalesce($10, voicemail_url)
          where call_id = $1 and step = $11`,
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
        ],
        { prepare: 'call_save_step' },
      );
      return rowCount === 1;
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
     * payload `{ callId }` and the dedupe key `<kind>:<callId>` (as `enqueue` would).
     */
    async finish(end: CallEnd, jobKinds: string[] = []): Promise<number | undefined> {
      const { rows } = await db.query<{ call_id: number }>(
        `with finished as (
           update call set ended_at = $2, duration_seconds = $3,
                  disposition = case when disposition = 'IN PROGRESS' then $4 else disposition end
            where carrier_call_sid = $1 and ended_at is null
            returning call_id),
         queued as (
           insert into job (kind, payload, dedupe_key)
           select kind, jsonb_build_object('callId', call_id), kind || ':' || call_id
             from finished, unnest($5::text[]) as kind
           on conflict (dedupe_key) do nothing)
         select call_id from finished`,
        [end.carrierCallSid, end.endedAt, end.durationSeconds, end.disposition, jobKinds],
        { prepare: 'call_finish' },
      );
      return rows[0] === undefined ? undefined : Number(rows[0].call_id);
    },

    /**
     * What the runtime checks before routing, in one indexed statement: whether the caller is
     * blacklisted for the flow's group or any group above it (uncached, so a number blacklisted a
     * moment ago is refused at once), and their earlier calls to this tracking number in the last
     * hour (spam bursts) and since `repeatSince` (repeat callers; none when undefined).
     */
    async screenCaller(screen: CallerScreen): Promise<ScreenResult> {
      const { rows } = await db.query<ScreenRow>(`${SCREEN_SQL} select * from s`, screenParams(screen));
      return screenResult(rows[0]);
    },

    /**
     * The usual inbound call in one statement: screens the caller as `screenCaller` does and
     * inserts the call only when it passes (not blacklisted, fewer than `spamLimit` calls in the
     * last hour when given), with `is_repeat` from the same screen. `callId` is undefined when
     * the screen refused the call or the carrier sent this CallSid before; the screen tells which.
     */
    async insertScreened(
      call: Omit<NewCall, 'is_repeat'>,
      screen: CallerScreen,
      spamLimit: number | undefined,
    ): Promise<ScreenResult & { callId: number | undefined }> {
      const first = SCREEN_PARAMS;
      const columns = NEW_CALL_COLUMNS.filter((column) => column !== 'is_repeat');
      const { rows } = await db.query<ScreenRow & { call_id: number | null }>(
        `${SCREEN_SQL},
         ins as (
           insert into call (${columns.join(', ')}, is_repeat)
           select ${columns.map((_, i) => `$${first + i + 2}`).join(', ')}, s.since_repeat > 0 from s
            where not s.blacklisted and ($${first + 1}::int is null or s.last_hour < $${first + 1}::int)
           on conflict (carrier_call_sid) do nothing
           returning call_id)
         select s.*, (select call_id from ins) as call_id from s`,
        [...screenParams(screen), spamLimit ?? null, ...columns.map((column) => columnValue(call, column))],
        { prepare: 'call_insert_screened' },
      );
      const row = rows[0];
      return { ...screenResult(row), callId: row?.call_id == null ? undefined : Number(row.call_id) };
    },
  };
}

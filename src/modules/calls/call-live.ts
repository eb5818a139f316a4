import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/index.js';
import type { Clock } from '../../lib/clock.js';
import { inScope, isoTime } from '../shared/sql.js';

/**
 * Calls in progress, pushed to the console as they ring, move through menus, are answered and
 * end. The database announces every such change (`call_live`, migration 0027) to every process
 * after its commit; each process reads the changed calls once per burst and sends each to the
 * streams whose group's subtree holds it.
 */

export interface LiveCall {
  call_id: number;
  group_id: number;
  group_name: string;
  call_flow_id: number | null;
  call_flow_name: string | null;
  campaign_name: string | null;
  tracking_number: string;
  caller_id: string;
  caller_city: string | null;
  caller_state: string | null;
  disposition: string;
  key_path: string;
  /** what the call is doing: in the flow's menus or routing, ringing a number, connected, or ended */
  state: 'routing' | 'ringing' | 'connected' | 'ended';
  /** the number ringing or answered, when there is one */
  ringing: string | null;
  call_started: string;
  call_answered: string | null;
  call_ended: string | null;
}

interface LiveRow extends Omit<LiveCall, 'state' | 'ringing'> {
  path: number[];
  last_step: string | null;
  answered_by: string | null;
}

/** A call still without an end this long after it started is left off the panel (a lost status callback). */
const MAX_LIVE_HOURS = 4;
/** Changes that arrive within this long are read and sent together. */
const BURST_MS = 25;
/** The most calls in progress a panel is sent when it opens. */
const SNAPSHOT_MAX = 500;

const LIVE_COLUMNS = `c.call_id::integer as call_id, c.group_id, g.group_name, g.path, c.call_flow_id,
       (select f.call_flow_name from call_flow f where f.call_flow_id = c.call_flow_id) as call_flow_name,
       (select cp.campaign_name from campaign cp where cp.campaign_id = c.campaign_id) as campaign_name,
       c.tracking_number, c.caller_number as caller_id, c.caller_city, c.caller_state, c.disposition, c.key_path,
       c.trail->>-1 as last_step, c.answered_by,
       ${isoTime('c.started_at')} as call_started,
       case when c.answered_at is null then null else ${isoTime('c.answered_at')} end as call_answered,
       case when c.ended_at is null then null else ${isoTime('c.ended_at')} end as call_ended`;

function toLiveCall({ path: _path, last_step, answered_by, ...row }: LiveRow): LiveCall {
  const ringingNumber = last_step?.startsWith('ring:') ? last_step.slice('ring:'.length) : null;
  const state: LiveCall['state'] =
    row.call_ended !== null
      ? 'ended'
      : row.call_answered !== null
        ? 'connected'
        : ringingNumber
          ? 'ringing'
          : 'routing';
  return { ...row, state, ringing: answered_by ?? ringingNumber };
}

export interface LiveSubscriber {
  /** the group whose subtree the stream shows */
  scopeGroupId: number;
  send(calls: LiveCall[]): void;
}

export function createLiveCalls({ db, clock, logger }: { db: Db; clock: Clock; logger: FastifyBaseLogger }) {
  const subscribers = new Set<LiveSubscriber>();
  let changed = new Set<number>();
  let flushTimer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    flushTimer = undefined;
    const ids = [...changed];
    changed = new Set();
    if (ids.length === 0 || subscribers.size === 0) return;
    const { rows } = await db.query<LiveRow>(
      `select ${LIVE_COLUMNS} from call c join org_group g on g.group_id = c.group_id
        where c.call_id = any($1::bigint[]) order by c.started_at`,
      [ids],
    );
    for (const subscriber of subscribers) {
      const calls = rows.filter((row) => row.path.includes(subscriber.scopeGroupId)).map(toLiveCall);
      if (calls.length > 0) subscriber.send(calls);
    }
  }

  function onChange(payload: string): void {
    const callId = Number.parseInt(payload, 10);
    if (!Number.isInteger(callId) || subscribers.size === 0) return;
    changed.add(callId);
    flushTimer ??= setTimeout(() => {
      flush().catch((err) => logger.warn({ err }, 'live calls: reading changed calls failed'));
    }, BURST_MS);
  }

  return {
    /** Listens for call changes from every process; resolves to a stop function. */
    async start(): Promise<() => Promise<void>> {
      const unlisten = await db.listen('call_live', onChange);
      return async () => {
        if (flushTimer) clearTimeout(flushTimer);
        await unlisten();
      };
    },

    /** The calls in progress in the subtree of `scopeGroupId`, newest first. */
    async inProgress(scopeGroupId: number): Promise<LiveCall[]> {
      const since = new Date(clock.now().getTime() - MAX_LIVE_HOURS * 3_600_000);
      const { rows } = await db.query<LiveRow>(
        `select ${LIVE_COLUMNS} from call c join org_group g on g.group_id = c.group_id
          where c.ended_at is null and c.started_at > $2 and ${inScope('c.group_id', '$1')}
          order by c.started_at desc limit ${SNAPSHOT_MAX}`,
        [scopeGroupId, since],
      );
      return rows.map(toLiveCall);
    },

    subscribe(subscriber: LiveSubscriber): () => void {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
  };
}

export type LiveCalls = ReturnType<typeof createLiveCalls>;

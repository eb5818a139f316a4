import { USAGE_WINDOW_DAYS } from '../../config.js';
import { isConflict, retryOnConflict } from '../../db/conflicts.js';
import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import { MAX_ID } from '../../http/schemas.js';
import type { Clock } from '../../lib/clock.js';
import { createGroupCommit } from '../../lib/group-commit.js';
import { createMaxAgeMap } from '../../lib/max-age-map.js';
import type { Principal } from '../auth/principal.js';
import type { StartedCall } from '../calls/call-lifecycle.js';
import {
  createDniRepo,
  type DniLeaseAsk,
  type DniLeaseResult,
  type DniLeaseTerms,
  type DniMatch,
  type DniPageView,
} from './dni.repo.js';
import {
  type AssignBody,
  type AssignResponse,
  HISTORY_MAX_POINTS,
  type LeasedNumber,
  type PoolUsage,
  type PoolUsageHistory,
  type ReleaseBody,
} from './dni.schemas.js';
import { customParams, formatNanp, readPageView } from './dni.visit.js';

export interface DniServiceDeps {
  db: Db;
  clock: Clock;
  /** where dni.js is served from: PUBLIC_BASE_URL */
  publicBaseUrl: string;
  cooldownMinutes: number;
  graceMinutes: number;
  /** POOL_SAMPLE_MINUTES: how often the pool sampler runs (pool-sampler.ts) */
  sampleMinutes?: number;
}

/** V2's strings for GET /v2/group/dnisnippet, letter for letter (QA suite). */
export const SnippetMessages = {
  blank: 'Id cannot be blank',
  invalid: (id: string) => `Not a valid group id: ${id}`,
  noAccess: (id: string) => `You are not authorized to view the requested dni snippet for group id: ${id}`,
} as const;

/** Head-room over the peak: the rule of thumb 15 concurrent visitors -> about 20 numbers. */
const SIZE_HEADROOM = 1.25;
/**
 * Tries of a page view's lease: again when its statement was chosen as a deadlock victim, or
 * when its batch found no number for it while the pool has some (see LEASE_SQL).
 */
const LEASE_ATTEMPTS = 3;
/**
 * Most page views one lease statement takes. The statement's cost grows with its batch while the
 * commit's does not; a cap keeps a burst's first answers from waiting on its last ones.
 */
export const LEASE_BATCH_MAX = 100;
/** Further tries when the DNI settings changed between the match and the lease (anywhere). */
const STALE_ATTEMPTS = 5;

/** How often the script renews a lease: a third of the keep-alive, between 15 s and 60 s. */
export const heartbeatSeconds = (keepAliveMinutes: number) =>
  Math.max(15, Math.min(60, Math.floor((keepAliveMinutes * 60) / 3)));

/**
 * V2's snippet with our server in it: the deferred dni.js and the loader that waits for
 * getDNIRecord, unchanged so pages and CMS plugins that look for it keep working.
 */
export function snippetHtml(publicBaseUrl: string, dniCode: string): string {
  const host = new URL(publicBaseUrl).host;
  return (
    `<!-- Convirza Script Begins --><script defer src='${publicBaseUrl}/dni.js?app_id=CT' ></script>` +
    `<script type='text/javascript'>function dniLoadingTimer() { if (typeof(getDNIRecord) == 'function'){ getDNIRecord('${dniCode}', '${host}'); }else{ setTimeout(dniLoadingTimer, 100); }}setTimeout(dniLoadingTimer, 100);</script><!-- Convirza Script Ends -->`
  );
}

const NO_NUMBER: AssignResponse = { number: null };

/**
 * How long a remembered pool match is trusted without a NOTIFY: a safety net for a notification
 * lost with a dropped LISTEN connection (a lease also checks the settings' version itself).
 */
export const DNI_MATCH_MAX_AGE_MS = 60_000;
/** Remembered matches per process; past this the oldest go (hosts come from anyone). */
const MATCH_CACHE_ENTRIES = 10_000;

/** A pool match, and the dni_config_version it was read at. */
interface PoolMatch {
  match: DniMatch & { pool_id: number; keep_alive_minutes: number };
  version: string;
}

/** Page views of one pool, settings version and keep-alive waiting for one lease statement. */
type LeaseTerms = Omit<DniLeaseTerms, 'now'>;

const matchKey = (code: string, view: DniPageView) =>
  `${code}\n${view.host}\n${view.referrerHost}\n${view.referrerType ?? ''}`;

export function createDniService({
  db,
  clock,
  publicBaseUrl,
  cooldownMinutes,
  graceMinutes,
  sampleMinutes = 15,
}: DniServiceDeps) {
  const repo = createDniRepo(db);

  /**
   * Page views that matched a pool setting, per code, host, referrer host and traffic type: the
   * settings change rarely, and the match is as costly as the lease. Only pool matches are kept:
   * the lease statement re-checks the version they were read at, so a setting changed since is
   * never used, and any change (NOTIFY `dni_changed`, from any process) empties the memory.
   */
  const poolMatches = createMaxAgeMap<string, PoolMatch>({
    maxAgeMs: DNI_MATCH_MAX_AGE_MS,
    maxEntries: MATCH_CACHE_ENTRIES,
  });
  const forget = () => poolMatches.clear();

  /** The match of a page view: remembered when it names a pool; undefined for an unknown code. */
  const matchOf = async (
    code: string,
    view: DniPageView,
    fresh: boolean,
  ): Promise<{ match: DniMatch | { call_flow_id: null }; version: string } | undefined> => {
    const key = matchKey(code, view);
    const known = fresh ? undefined : poolMatches.get(key);
    if (known) return known;
    const epoch = poolMatches.epoch();
    const row = await repo.match(code, view);
    if (!row) return undefined;
    const { version, ...match } = row;
    if (
      match.call_flow_id !== null &&
      match.dni_type === 'session' &&
      match.pool_id !== null &&
      match.keep_alive_minutes !== null
    ) {
      poolMatches.set(key, { match: match as PoolMatch['match'], version }, epoch);
    } else {
      poolMatches.delete(key);
    }
    return { match, version };
  };

  /**
   * Leasing in batches (createGroupCommit): per pool (and the version and keep-alive the
   * statement is given) one lease statement at most is in flight in this process, and the page
   * views that arrive while it runs go together in the next. In one process a batch is also what
   * serialises a pool's leases, so they never wait on each other's row locks; other processes'
   * batches are kept apart by the locks (LEASE_SQL).
   */
  const leaseQueues = new Map<string, (ask: DniLeaseAsk) => Promise<DniLeaseResult | undefined>>();

  /**
   * The lease of one page view, from the batch it joins; undefined when the statement was
   * chosen as a deadlock victim (the caller asks again). A batch that fails otherwise is leased
   * again page view by page view, so a page view the database refuses fails alone.
   */
  const leaseInBatch = (terms: LeaseTerms, ask: DniLeaseAsk) => {
    const key = `${terms.poolId}\n${terms.version}\n${terms.keepAliveMinutes}`;
    let queue = leaseQueues.get(key);
    if (!queue) {
      queue = createGroupCommit({
        max: LEASE_BATCH_MAX,
        run: (batch: DniLeaseAsk[]) => leaseBatch(terms, batch),
        retryAlone: true,
        onIdle: () => leaseQueues.delete(key),
      });
      leaseQueues.set(key, queue);
    }
    return queue(ask);
  };

  const leaseBatch = async (terms: LeaseTerms, batch: DniLeaseAsk[]) => {
    const now = clock.now();
    const results = await repo.lease({ ...terms, now }, batch).catch((error: unknown): undefined => {
      // A deadlock or serialisation failure rolls the statement back whole: ask again.
      if (isConflict(error)) return undefined;
      throw error;
    });
    // Flag, once per number, the leases a stale shared lease could not see (see LEASE_SQL).
    const later = new Map<number, number>();
    for (const result of results ?? []) {
      if (result.mark_later) later.set(result.phone_number_id, result.lease_id);
    }
    // The leases are committed: a deadlock here (with another batch's lease statement) must not
    // fail the page views that got them, so the flag is set again until it sticks.
    for (const [phoneNumberId, leaseId] of later)
      await retryOnConflict(() => repo.markShared(phoneNumberId, leaseId, now));
    return batch.map((_, index) => results?.[index]);
  };

  const answer = (match: DniMatch, number: string, extra: Partial<AssignResponse> = {}): AssignResponse => ({
    number,
    formatted: formatNanp(number),
    e164: `+1${number}`,
    dni_element: match.dni_element,
    dni_type: match.dni_type,
    call_flow_id: match.call_flow_id,
    ...extra,
  });

  return {
    /** The snippet of a group in the caller's scope; `id` arrives as text, as V2 types it. */
    async snippet(principal: Principal, id: string): Promise<Array<Record<string, string>>> {
      if (id.trim() === '') throw invalidInput(SnippetMessages.blank);
      if (!/^-?\d+$/.test(id.trim())) throw invalidInput(SnippetMessages.invalid(id));
      const groupId = Number(id.trim());
      const { rows } =
        groupId > 0 && groupId <= MAX_ID
          ? await db.query<{ dni_code: string }>(
              'select dni_code from org_group where group_id = $2 and path @> array[$1::integer]',
              [principal.groupId, groupId],
            )
          : { rows: [] };
      const code = rows[0]?.dni_code;
      if (code === undefined) throw notFound(SnippetMessages.noAccess(id));
      return [{ [String(groupId)]: snippetHtml(publicBaseUrl, code) }];
    },

    /**
     * The number a page view shows. The first matching setting decides (repo.match): a source or
     * url setting shows the flow's tracking number; a session setting leases a pool number for
     * the visitor, or keeps the one it has. Unknown codes are a 404; a page no setting matches,
     * or a pool without numbers, gets `number: null` (the page keeps its own number).
     */
    async assign(input: AssignBody): Promise<AssignResponse> {
      const view = readPageView(input);
      if (!view) throw invalidInput('page must be an http(s) URL');
      let fresh = false;
      let stale = 0;
      for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
        const found = await matchOf(input.code, view, fresh);
        if (!found) throw notFound('Unknown DNI code');
        const { match, version } = found;
        if (match.call_flow_id === null) return NO_NUMBER;
        if (match.dni_type !== 'session') {
          return match.fixed_number ? answer(match, match.fixed_number) : NO_NUMBER;
        }
        if (match.pool_id === null || match.keep_alive_minutes === null) return NO_NUMBER;

        const terms = {
          poolId: match.pool_id,
          version,
          keepAliveMinutes: match.keep_alive_minutes,
          cooldownMinutes,
        };
        const visit = {
          group_id: match.group_id,
          call_flow_id: match.call_flow_id,
          visitor_id: input.visitor,
          landing_page: view.landing,
          last_page: view.page,
          referrer: view.referrer,
          search_words: view.searchWords,
          ...view.utm,
          gclid: view.gclid,
          custom_params: customParams(view, match.custom_cookie),
        };
        const lease = await leaseInBatch(terms, { visit, view: input.view ?? null });
        if (lease && lease.number !== null) {
          return answer(match, lease.number, {
            shared: lease.shared,
            expires_at: new Date(lease.expires_at).toISOString(),
            heartbeat_seconds: heartbeatSeconds(match.keep_alive_minutes),
          });
        }
        if (lease && lease.version !== version) {
          // The settings changed since the match was read: nothing was written; match again.
          forget();
          fresh = true;
          if (++stale <= STALE_ATTEMPTS) attempt--;
          continue;
        }
        // None left for this page view in its batch: an empty pool, or (rarely) free numbers that
        // ran out within a batch while every other row was locked; the next batch shares them.
        if (lease && !(await repo.poolHasNumbers(match.pool_id))) return NO_NUMBER;
      }
      // Deadlock victim or left over in every try: show the page's own number this time.
      return NO_NUMBER;
    },

    /** Listens for DNI setting changes (any process); resolves to a stop function. */
    async start(): Promise<() => Promise<void>> {
      return db.listen('dni_changed', forget);
    },

    /** Ends the visitor's lease on the number now (page left); unknown leases are ignored. */
    async release(input: ReleaseBody): Promise<void> {
      const now = clock.now();
      await db.transaction(async (tx) => {
        const txRepo = createDniRepo(tx);
        const phoneNumberId = await txRepo.endLease(input.visitor, input.number, input.view ?? null, now);
        if (phoneNumberId !== undefined) await txRepo.refreshHold(phoneNumberId, now);
      });
    },

    /** Utilisation of a pool in the caller's scope, and the size its recent peak suggests. */
    async poolUsage(principal: Principal, poolId: number): Promise<PoolUsage> {
      const now = clock.now();
      const since = new Date(now.getTime() - USAGE_WINDOW_DAYS * 24 * 3600 * 1000);
      const row =
        poolId > 0 ? await repo.poolUsage(principal.groupId, poolId, now, cooldownMinutes, since) : undefined;
      if (!row) throw notFound(`No number pool found for id: ${poolId}`);
      return {
        pool_id: row.pool_id,
        pool_name: row.pool_name,
        group_id: row.group_id,
        call_flow_id: row.call_flow_id,
        keep_alive_minutes: row.keep_alive_minutes,
        size: row.size,
        leased: row.held,
        cooling: row.cooling,
        free: row.size - row.held - row.cooling,
        live_visitors: row.live_leases,
        utilisation: row.size === 0 ? 0 : Math.round((row.held / row.size) * 100) / 100,
        window_days: USAGE_WINDOW_DAYS,
        peak_demand: row.peak_demand,
        shared_leases: row.shared_leases,
        suggested_size: Math.max(1, Math.ceil(row.peak_demand * SIZE_HEADROOM)),
      };
    },

    /**
     * A pool's usage over the last `days` (the sampler's rows, pool-sampler.ts): one point per
     * sample, or per longer bucket so that no more than HISTORY_MAX_POINTS come back, and the
     * period's shared-lease rate.
     */
    async poolUsageHistory(principal: Principal, poolId: number, days: number): Promise<PoolUsageHistory> {
      if (!(poolId > 0 && (await repo.poolInScope(principal.groupId, poolId))))
        throw notFound(`No number pool found for id: ${poolId}`);
      const since = new Date(clock.now().getTime() - days * 24 * 3600 * 1000);
      const perPoint = Math.ceil((days * 1440) / HISTORY_MAX_POINTS / sampleMinutes) * sampleMinutes;
      const bucketMinutes = Math.max(sampleMinutes, perPoint);
      const samples = await repo.usageHistory(poolId, since, bucketMinutes * 60);
      const started = samples.reduce((sum, s) => sum + s.leases_started, 0);
      const shared = samples.reduce((sum, s) => sum + s.shared_started, 0);
      return {
        pool_id: poolId,
        days,
        sample_minutes: sampleMinutes,
        bucket_minutes: bucketMinutes,
        leases_started: started,
        shared_leases: shared,
        shared_lease_rate: started === 0 ? 0 : Math.round((shared / started) * 1000) / 1000,
        samples,
      };
    },

    /** The numbers of a pool in the caller's scope that live visitors hold now, longest held first. */
    async poolLeases(principal: Principal, poolId: number): Promise<LeasedNumber[]> {
      if (!(poolId > 0 && (await repo.poolInScope(principal.groupId, poolId))))
        throw notFound(`No number pool found for id: ${poolId}`);
      return repo.leasedNow(poolId, clock.now());
    },

    /**
     * The `started` call hook: a call to a pool number is joined to the visit holding the number
     * at the call's time (or within the grace window after), in the call's own transaction.
     */
    async attributeCall(tx: Queryable, call: StartedCall): Promise<void> {
      if (!call.isPoolNumber) return;
      await createDniRepo(tx).attribute(call.callId, call.trackingNumber, call.startedAt, graceMinutes);
    },

    /** A text to a pool number, joined to the visit as a call at that moment would be. */
    async attributeText(tx: Queryable, messageId: number, trackingNumber: string, at: Date): Promise<void> {
      await createDniRepo(tx).attributeMessage(messageId, trackingNumber, at, graceMinutes);
    },
  };
}

export type DniService = ReturnType<typeof createDniService>;

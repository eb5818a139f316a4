import type { Queryable } from '../../db/index.js';
import type { DniType } from '../callflows/callflow-dni.schemas.js';
import { inScope, isoTime } from '../shared/sql.js';

/** The call flow whose DNI setting fits a page view, or none (the group's code exists). */
export interface DniMatch {
  call_flow_id: number;
  group_id: number;
  dni_type: DniType;
  dni_element: string;
  custom_cookie: string;
  pool_id: number | null;
  /** the flow's tracking number (source and url settings) */
  fixed_number: string | null;
  /** how long a pool number stays with a visitor after the last heartbeat */
  keep_alive_minutes: number | null;
}

/** A match, or no matching setting, with the dni_config_version it was read at. */
export type MatchResult = (DniMatch | { call_flow_id: null }) & { version: string };

/** A page view as the repo needs it: hosts lower-cased, the paid/organic type when known. */
export interface DniPageView {
  host: string;
  referrerHost: string;
  referrerType: 'paid' | 'organic' | null;
}

/** What a new visit records: where the visitor landed and where from. */
export interface DniVisitValues {
  group_id: number;
  call_flow_id: number;
  visitor_id: string;
  landing_page: string;
  last_page: string;
  referrer: string;
  search_words: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  gclid: string | null;
  custom_params: Record<string, string>;
}

/** What every request of one lease statement shares: the pool, the settings' version, the time. */
export interface DniLeaseTerms {
  poolId: number;
  /** the dni_config_version the match was read at: nothing is leased if it moved since */
  version: string;
  now: Date;
  keepAliveMinutes: number;
  cooldownMinutes: number;
}

/** One page view asking for a number in a lease statement. */
export interface DniLeaseAsk {
  visit: DniVisitValues;
  /** the page view asking (dni.js makes one id per page load); null when not given */
  view: string | null;
}

export interface DniLease {
  number: string;
  phone_number_id: number;
  lease_id: number;
  shared: boolean;
  expires_at: Date;
  is_new: boolean;
  /** a new shared lease whose number changed while the statement ran: flag its leases again */
  mark_later: boolean;
}

/** What a lease statement answers a request: the lease, or none, and the settings' version it saw. */
export type DniLeaseResult = (DniLease | { [K in keyof DniLease]: null }) & {
  /** dni_config_version now: when it is not the one given, the statement wrote nothing */
  version: string;
};

export interface PoolUsageRow {
  pool_id: number;
  pool_name: string;
  group_id: number;
  call_flow_id: number | null;
  keep_alive_minutes: number;
  size: number;
  held: number;
  cooling: number;
  live_leases: number;
  shared_leases: number;
  peak_demand: number;
}

const minutes = (param: string) => `(${param}::integer * interval '1 minute')`;

/**
 * One statement for every page view or heartbeat of a pool waiting in a process (the service
 * batches them): the per-statement and per-commit costs are most of a lease, so they are paid
 * once per batch. Requests come as parallel arrays, one element each; a visitor asking twice in
 * a batch (two tabs) is one ask: its first request's visit, its last request's page and view,
 * and both requests get the one lease.
 *  - own: each visitor's lease in this pool that is live, or lapsed within the keep-alive on a
 *    number nobody was given since (a page reload or the next page after a release).
 *  - free: the visitors without one get distinct numbers, least recently used first, whose
 *    holders left more than the cooldown ago, ranked and joined to the visitors by rank.
 *  - taken: only the visitors left over when no number is free (pool exhausted) get shared
 *    leases, spread over the least recently used numbers, cooling ones before held ones and
 *    numbers renewed in this batch last (as if they had been renewed first); the leases already
 *    live on those numbers are flagged shared.
 *
 * Locking (why no number is ever leased exclusively twice, and why batches do not deadlock):
 * every lease change locks its number's dni_pool_number row first, then its leases, and reads
 * the row again once it holds it (EvalPlanQual re-checks the WHERE on the newest version).
 *  - own locks in phone_number_id order and waits: a batch waits there only for rows above the
 *    ones it holds, so own steps never wait on each other in a circle. The re-check of
 *    n.lease_id after the wait keeps a lapsed lease from being resumed on a number another
 *    visitor has just taken.
 *  - free and the first taken step never wait (SKIP LOCKED); a row another batch changed
 *    meanwhile is re-checked and skipped when no longer free, so a free number is leased by the
 *    one batch that holds it, once (the numbers are ranked, each rank goes to one visitor), and
 *    never to a visitor of its own batch that resumes it (own numbers are left out: rows this
 *    transaction holds are not "locked" to SKIP LOCKED).
 *  - the waited taken step runs only when the batch holds no row at all (no own lease: rows it
 *    held would have been found unlocked; no free number: else the leftover visitors get no
 *    number and the service asks again), so it cannot close a circle either. An exhausted pool
 *    still answers every visitor.
 * Leases are also written by markShared, which locks no pool number; a deadlock with it is
 * possible, rare, and the service retries (40P01).
 */
const LEASE_SQL = `
with config as (
  select last_value::text as version, last_value::text = $5 as is_current from dni_config_version
),
req as (
  select * from unnest($6::text[], $7::text[], $8::integer[], $9::integer[], $10::text[], $11::text[],
                       $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                       $18::text[], $19::text[], $20::text[]) with ordinality
    as r(visitor_id, view, group_id, call_flow_id, landing_page, last_page, referrer, search_words,
         utm_source, utm_medium, utm_campaign, utm_term, utm_content, gclid, custom_params, i)
),
ask as (
  select distinct on (r.visitor_id) r.*, last_value(r.last_page) over w as latest_page,
         last_value(r.view) over w as latest_view
    from req r
  window w as (partition by r.visitor_id order by r.i rows between unbounded preceding and unbounded following)
   order by r.visitor_id, r.i
),
own_number as (
  select n.phone_number_id, n.lease_id
    from dni_pool_number n
   where n.pool_id = $1 and (select is_current from config)
     and n.phone_number_id = any(array(
       select l.phone_number_id from dni_lease l
        where l.visitor_id = any($6::text[]) and l.pool_id = $1
          and l.expires_at > $2::timestamptz - ${minutes('$3')}))
   order by n.phone_number_id
   for update
),
own as (
  select distinct on (l.visitor_id) l.visitor_id, l.lease_id, l.phone_number_id, l.visit_id
    from dni_lease l join own_number n on n.phone_number_id = l.phone_number_id
   where l.visitor_id = any($6::text[]) and l.pool_id = $1
     and l.expires_at > $2::timestamptz - ${minutes('$3')}
     and (l.expires_at > $2::timestamptz or n.lease_id = l.lease_id)
   order by l.visitor_id, l.expires_at desc
),
need as (
  select a.visitor_id, row_number() over (order by a.i) as rank
    from ask a
   where not exists (select 1 from own where own.visitor_id = a.visitor_id)
),
free as (
  select n.phone_number_id, n.last_used_at
    from dni_pool_number n
   where n.pool_id = $1 and n.held_until <= $2::timestamptz - ${minutes('$4')} and (select is_current from config)
     and not (n.phone_number_id = any(array(select phone_number_id from own)))
   order by n.last_used_at, n.phone_number_id
   limit (select count(*) from need)
   for update skip locked
),
free_ranked as (
  select phone_number_id, row_number() over (order by last_used_at, phone_number_id) as rank from free
),
taken_unlocked as (
  select n.phone_number_id, n.phone_number_id = any(array(select phone_number_id from own)) as is_own,
         n.held_until > $2::timestamptz as is_held, n.last_used_at, n.xmin as locked_xmin
    from dni_pool_number n
   where n.pool_id = $1 and (select is_current from config)
     and not (n.phone_number_id = any(array(select phone_number_id from free)))
   order by n.phone_number_id = any(array(select phone_number_id from own)), n.held_until > $2::timestamptz,
            n.last_used_at, n.phone_number_id
   limit greatest((select count(*) from need) - (select count(*) from free), 0)
   for update skip locked
),
taken_waited as (
  select n.phone_number_id, false as is_own, n.held_until > $2::timestamptz as is_held, n.last_used_at, n.xmin as locked_xmin
    from dni_pool_number n
   where n.pool_id = $1 and (select is_current from config)
     and exists (select 1 from need) and not exists (select 1 from free)
     and not exists (select 1 from taken_unlocked)
   order by n.held_until > $2::timestamptz, n.last_used_at, n.phone_number_id
   limit 1
   for update
),
taken as (
  select t.*, row_number() over (order by t.is_own, t.is_held, t.last_used_at, t.phone_number_id) as rank,
         count(*) over () as size
    from (select * from taken_unlocked union all select * from taken_waited) t
),
fresh as (
  select need.visitor_id, coalesce(f.phone_number_id, t.phone_number_id) as phone_number_id,
         f.phone_number_id is null as is_shared
    from need
    left join free_ranked f on f.rank = need.rank
    left join taken t on f.phone_number_id is null
                     and t.rank = (need.rank - (select count(*) from free) - 1) % t.size + 1
   where coalesce(f.phone_number_id, t.phone_number_id) is not null
),
-- The leases live on a number lent once more are flagged shared here when this statement's
-- snapshot shows every lease on it: the locked row is the version the snapshot sees (nobody
-- changed the number since it began; every lease change locks and stamps that row first).
-- Otherwise (stale) the service flags them in a statement of its own, which sees them all.
stale as (
  select t.phone_number_id, not (s.xmin = t.locked_xmin) as is_stale
    from taken t join dni_pool_number s on s.phone_number_id = t.phone_number_id
),
-- A lease of this batch's own visitors on such a number is flagged by its renewal instead: one
-- statement must not update a row twice.
marked as (
  update dni_lease o set shared = true
    from stale
   where o.phone_number_id = stale.phone_number_id and not o.shared
     and o.leased_at <= $2::timestamptz and o.expires_at > $2::timestamptz
     and not (o.lease_id = any(array(select lease_id from own)))
),
visit as (
  insert into dni_visit (group_id, call_flow_id, visitor_id, landing_page, last_page, referrer, search_words,
                         utm_source, utm_medium, utm_campaign, utm_term, utm_content, gclid, custom_params,
                         started_at, last_seen_at)
  select a.group_id, a.call_flow_id, a.visitor_id, a.landing_page, a.latest_page, a.referrer, a.search_words,
         a.utm_source, a.utm_medium, a.utm_campaign, a.utm_term, a.utm_content, a.gclid, a.custom_params::jsonb,
         $2, $2
    from fresh join ask a on a.visitor_id = fresh.visitor_id
  returning visit_id, visitor_id
),
leased as (
  insert into dni_lease (pool_id, phone_number_id, visit_id, visitor_id, leased_at, expires_at, shared, last_view)
  select $1, fresh.phone_number_id, visit.visit_id, fresh.visitor_id, $2, $2::timestamptz + ${minutes('$3')},
         fresh.is_shared, a.latest_view
    from fresh
    join visit on visit.visitor_id = fresh.visitor_id
    join ask a on a.visitor_id = fresh.visitor_id
  returning visitor_id, lease_id, phone_number_id, shared, expires_at, true as is_new
),
renewed as (
  update dni_lease l
     set expires_at = $2::timestamptz + ${minutes('$3')}, last_view = a.latest_view,
         shared = l.shared or exists (select 1 from taken where taken.phone_number_id = l.phone_number_id)
    from own join ask a on a.visitor_id = own.visitor_id
   where l.lease_id = own.lease_id
  returning l.visitor_id, l.lease_id, l.phone_number_id, l.shared, l.expires_at, false as is_new
),
touched as (
  update dni_visit v set last_page = a.latest_page, last_seen_at = $2
    from own join ask a on a.visitor_id = own.visitor_id
   where v.visit_id = own.visit_id
),
chosen as (select * from leased union all select * from renewed),
-- One update per number (several leases of a batch may be on it): the newest lease is the one
-- a lapsed visitor must still own to resume.
stamped as (
  update dni_pool_number n
     set lease_id = coalesce(c.newest, n.lease_id),
         held_until = greatest(n.held_until, c.expires_at),
         last_used_at = $2
    from (select phone_number_id, max(lease_id) filter (where is_new) as newest, max(expires_at) as expires_at
            from chosen group by phone_number_id) c
   where n.phone_number_id = c.phone_number_id
)
select p.number, c.phone_number_id, c.lease_id, c.shared, c.expires_at, c.is_new,
       coalesce(s.is_stale, false) as mark_later, (select version from config) as version
  from req r
  left join (chosen c join phone_number p on p.phone_number_id = c.phone_number_id) on c.visitor_id = r.visitor_id
  left join stale s on s.phone_number_id = c.phone_number_id
 order by r.i`;

/**
 * Ends the visitor's live lease on a number now (the page was left), row lock first, unless another
 * page view of the visitor renewed it since (the next page, or another tab, got there first). The
 * visitor may resume it within the keep-alive while nobody else has the number.
 */
const END_LEASE_SQL = `
with mine as (
  select l.lease_id, l.phone_number_id
    from dni_lease l
    join dni_pool_number n on n.phone_number_id = l.phone_number_id
    join phone_number p on p.phone_number_id = l.phone_number_id
   where l.visitor_id = $1 and p.number = $2 and l.expires_at > $3::timestamptz
     and ($4::text is null or l.last_view is null or l.last_view = $4::text)
   for update of n
)
update dni_lease l set expires_at = greatest(l.leased_at, $3::timestamptz)
  from mine where l.lease_id = mine.lease_id
returning l.phone_number_id`;

/**
 * The attribution of a call to a pool number, written in the transaction that records the call:
 * the lease live at the call's time (newest first), else the one that ended last within the
 * grace window; `no session` when there is none.
 */
/** The attribution of a call (call_attribution) or of a text (sms_attribution), keyed by $1. */
const attributeSql = (table: 'call_attribution' | 'sms_attribution', key: 'call_id' | 'message_id') => `
insert into ${table} (${key}, confidence, visitor_id, visit_id, landing_page, referrer, search_words,
                              utm_source, utm_medium, utm_campaign, utm_term, utm_content, gclid,
                              custom_params, attributed_at)
select $1, coalesce(m.confidence, 'no session'), m.visitor_id, m.visit_id, m.landing_page, m.referrer,
       m.search_words, m.utm_source, m.utm_medium, m.utm_campaign, m.utm_term, m.utm_content, m.gclid,
       coalesce(m.custom_params, '{}'::jsonb), $3
  from (select 1) as one
  left join lateral (
    select case when l.expires_at <= $3::timestamptz then 'grace'
                when l.shared then 'shared' else 'exact' end as confidence,
           v.visitor_id, v.visit_id, v.landing_page, v.referrer, v.search_words, v.utm_source, v.utm_medium,
           v.utm_campaign, v.utm_term, v.utm_content, v.gclid, v.custom_params
      from phone_number p
      join dni_lease l on l.phone_number_id = p.phone_number_id
      join dni_visit v on v.visit_id = l.visit_id
     where p.number = $2 and l.leased_at <= $3::timestamptz
       and l.expires_at > $3::timestamptz - ${minutes('$4')}
     order by l.expires_at > $3::timestamptz desc,
              case when l.expires_at > $3::timestamptz then l.leased_at else l.expires_at end desc
     limit 1
  ) m on true
on conflict (${key}) do nothing`;
const ATTRIBUTE_SQL = attributeSql('call_attribution', 'call_id');
const ATTRIBUTE_MESSAGE_SQL = attributeSql('sms_attribution', 'message_id');

export function createDniRepo(db: Queryable) {
  return {
    /**
     * The group of a DNI code, and the active flow below it whose setting fits the page view:
     * the lowest precedence first (referrer rule, then host rule, then paid/organic before
     * both; see callflow-dni.rules.ts), then the oldest flow. A visit without a referrer
     * (direct traffic) matches only an any-referrer rule such as `*.*`. Undefined when the
     * code is unknown; a row with call_flow_id null when nothing matches.
     */
    async match(code: string, view: DniPageView): Promise<MatchResult | undefined> {
      const { rows } = await db.query<MatchResult>(
        `select m.call_flow_id, m.group_id, m.dni_type, m.dni_element, m.custom_cookie, m.pool_id,
                m.fixed_number, m.keep_alive_minutes,
                (select last_value from dni_config_version)::text as version
           from org_group g
           left join lateral (
             select f.call_flow_id, f.group_id, d.dni_type, d.dni_element, d.custom_cookie, f.pool_id,
                    t.number as fixed_number, coalesce(d.ttl_minutes, np.keep_alive_minutes) as keep_alive_minutes
               from call_flow f
               join dni_setting d on d.call_flow_id = f.call_flow_id
               left join phone_number t on t.phone_number_id = f.phone_number_id
               left join number_pool np on np.pool_id = f.pool_id
              where ${inScope('f.group_id', 'g.group_id')} and f.call_flow_status = 'active'
                and $2::text like d.destination_like
                and ($3::text like d.referrer_like or ($3::text = '' and d.referrer_like ~ '^[%.]+$'))
                and (d.referrer_type is null or d.referrer_type = $4::text)
              order by d.precedence, f.call_flow_id
              limit 1
           ) m on true
          where g.dni_code = $1`,
        [code, view.host, view.referrerHost, view.referrerType],
        { prepare: 'dni_match' },
      );
      return rows[0];
    },

    /**
     * Keeps or leases a pool number for each ask, in one statement; one answer per ask, in order.
     * Number null when the pool has none left for it, or when the DNI settings changed since the
     * match (version differs from terms.version: then nothing was written).
     */
    async lease(terms: DniLeaseTerms, asks: readonly DniLeaseAsk[]): Promise<DniLeaseResult[]> {
      const column = <T>(pick: (ask: DniLeaseAsk) => T) => asks.map(pick);
      const { rows } = await db.query<DniLeaseResult>(
        LEASE_SQL,
        [
          terms.poolId,
          terms.now,
          terms.keepAliveMinutes,
          terms.cooldownMinutes,
          terms.version,
          column((a) => a.visit.visitor_id),
          column((a) => a.view),
          column((a) => a.visit.group_id),
          column((a) => a.visit.call_flow_id),
          column((a) => a.visit.landing_page),
          column((a) => a.visit.last_page),
          column((a) => a.visit.referrer),
          column((a) => a.visit.search_words),
          column((a) => a.visit.utm_source),
          column((a) => a.visit.utm_medium),
          column((a) => a.visit.utm_campaign),
          column((a) => a.visit.utm_term),
          column((a) => a.visit.utm_content),
          column((a) => a.visit.gclid),
          column((a) => JSON.stringify(a.visit.custom_params)),
        ],
        { prepare: 'dni_lease_batch' },
      );
      return rows;
    },

    /** Ends the visitor's live leases on the number; the pool number's id when there were any. */
    async endLease(
      visitorId: string,
      number: string,
      view: string | null,
      now: Date,
    ): Promise<number | undefined> {
      const { rows } = await db.query<{ phone_number_id: number }>(END_LEASE_SQL, [
        visitorId,
        number,
        now,
        view,
      ]);
      return rows[0]?.phone_number_id;
    },

    /**
     * Recomputes how long a number stays held from all its leases (after one ended early); the
     * cooldown runs from then. A statement of its own so it sees leases committed meanwhile.
     */
    async refreshHold(phoneNumberId: number, now: Date): Promise<void> {
      await db.query(
        `update dni_pool_number n
            set held_until = greatest($2::timestamptz,
                  (select max(l.expires_at) from dni_lease l where l.phone_number_id = n.phone_number_id))
          where n.phone_number_id = $1`,
        [phoneNumberId, now],
      );
    },

    /**
     * Flags the leases live on a number that was just lent to one more visitor. A statement of
     * its own, after the lease: in READ COMMITTED it sees a lease another visitor committed
     * while this one waited for the row.
     */
    async markShared(phoneNumberId: number, exceptLeaseId: number, now: Date): Promise<void> {
      await db.query(
        `update dni_lease set shared = true
          where phone_number_id = $1 and lease_id <> $2 and not shared
            and leased_at <= $3::timestamptz and expires_at > $3::timestamptz`,
        [phoneNumberId, exceptLeaseId, now],
      );
    },

    async poolHasNumbers(poolId: number): Promise<boolean> {
      const { rowCount } = await db.query('select 1 from dni_pool_number where pool_id = $1 limit 1', [
        poolId,
      ]);
      return rowCount > 0;
    },

    async attribute(callId: number, trackingNumber: string, at: Date, graceMinutes: number): Promise<void> {
      await db.query(ATTRIBUTE_SQL, [callId, trackingNumber, at, graceMinutes]);
    },

    /** A text to a pool number, attributed as a call at that time would be. */
    async attributeMessage(
      messageId: number,
      trackingNumber: string,
      at: Date,
      graceMinutes: number,
    ): Promise<void> {
      await db.query(ATTRIBUTE_MESSAGE_SQL, [messageId, trackingNumber, at, graceMinutes]);
    },

    /**
     * A pool's numbers now, and its peak demand over the window: the most numbers in use at
     * once, counting each lease from its start until its cooldown ended (a shared lease counts
     * as its own number, since that is what it would have needed).
     */
    async poolUsage(
      scopeGroupId: number,
      poolId: number,
      now: Date,
      cooldownMinutes: number,
      since: Date,
    ): Promise<PoolUsageRow | undefined> {
      const { rows } = await db.query<PoolUsageRow>(
        `select np.pool_id, np.pool_name, np.group_id, np.keep_alive_minutes,
                (select f.call_flow_id from call_flow f
                  where f.pool_id = np.pool_id and f.call_flow_status <> 'deleted' limit 1) as call_flow_id,
                (select count(*)::int from dni_pool_number n where n.pool_id = np.pool_id) as size,
                (select count(*)::int from dni_pool_number n
                  where n.pool_id = np.pool_id and n.held_until > $3::timestamptz) as held,
                (select count(*)::int from dni_pool_number n
                  where n.pool_id = np.pool_id and n.held_until <= $3::timestamptz
                    and n.held_until > $3::timestamptz - ${minutes('$4')}) as cooling,
                (select count(*)::int from dni_lease l
                  where l.pool_id = np.pool_id and l.leased_at <= $3::timestamptz
                    and l.expires_at > $3::timestamptz) as live_leases,
                (select count(*)::int from dni_lease l
                  where l.pool_id = np.pool_id and l.shared and l.leased_at >= $5::timestamptz) as shared_leases,
                (select coalesce(max(e.running), 0)::int from (
                   select sum(d.delta) over (order by d.at, d.delta rows unbounded preceding) as running
                     from (
                       select greatest(l.leased_at, $5::timestamptz) as at, 1 as delta
                         from dni_lease l
                        where l.pool_id = np.pool_id and l.expires_at + ${minutes('$4')} > $5::timestamptz
                          and l.leased_at <= $3::timestamptz
                       union all
                       select l.expires_at + ${minutes('$4')}, -1
                         from dni_lease l
                        where l.pool_id = np.pool_id and l.expires_at + ${minutes('$4')} > $5::timestamptz
                          and l.leased_at <= $3::timestamptz
                     ) d
                 ) e) as peak_demand
           from number_pool np
          where np.pool_id = $2 and ${inScope('np.group_id', '$1')}`,
        [scopeGroupId, poolId, now, cooldownMinutes, since],
      );
      return rows[0];
    },

    /** Whether pool $2 is in the caller's scope. */
    async poolInScope(scopeGroupId: number, poolId: number): Promise<boolean> {
      const { rows } = await db.query(
        `select 1 from number_pool np where np.pool_id = $2 and ${inScope('np.group_id', '$1')}`,
        [scopeGroupId, poolId],
      );
      return rows.length > 0;
    },

    /**
     * A pool's samples since `since`, in buckets of `bucketSeconds` (from the epoch): each
     * bucket's peaks of the counts taken at one moment, and its sums of the leases started.
     */
    async usageHistory(poolId: number, since: Date, bucketSeconds: number): Promise<PoolSampleRow[]> {
      const { rows } = await db.query<PoolSampleRow>(
        `select ${isoTime('to_timestamp(floor(extract(epoch from s.sampled_at)::float8 / $3::int) * $3::int)')} as sampled_at,
                max(s.size)::int as size, max(s.leased)::int as leased,
                max(s.live_visitors)::int as live_visitors, max(s.shared_visitors)::int as shared_visitors,
                sum(s.leases_started)::int as leases_started, sum(s.shared_started)::int as shared_started
           from number_pool_sample s
          where s.pool_id = $1 and s.sampled_at >= $2::timestamptz
          group by 1 order by 1`,
        [poolId, since, bucketSeconds],
      );
      return rows;
    },

    /**
     * The numbers of pool $1 live visitors hold at $2: since the earliest live lease on each, how
     * many visitors share it, and the landing page and referrer of that earliest lease's visit.
     */
    async leasedNow(poolId: number, now: Date): Promise<LeasedNumberRow[]> {
      const { rows } = await db.query<LeasedNumberRow>(
        `select pn.number, ${isoTime('min(l.leased_at)')} as leased_at, ${isoTime('max(l.expires_at)')} as expires_at,
                count(*)::int as visitors, bool_or(l.shared) as shared,
                (array_agg(v.landing_page order by l.leased_at, l.lease_id))[1] as landing_page,
                (array_agg(v.referrer order by l.leased_at, l.lease_id))[1] as referrer
           from dni_pool_number n
           join phone_number pn on pn.phone_number_id = n.phone_number_id
           join dni_lease l on l.phone_number_id = n.phone_number_id and l.pool_id = n.pool_id
                           and l.leased_at <= $2::timestamptz and l.expires_at > $2::timestamptz
           join dni_visit v on v.visit_id = l.visit_id
          where n.pool_id = $1
          group by pn.number
          order by min(l.leased_at), pn.number`,
        [poolId, now],
      );
      return rows;
    },
  };
}

/** A pool number a live visitor holds. */
export interface LeasedNumberRow {
  number: string;
  leased_at: string;
  expires_at: string;
  visitors: number;
  shared: boolean;
  landing_page: string;
  referrer: string;
}

/** One point of a pool's usage history (a bucket of samples). */
export interface PoolSampleRow {
  sampled_at: string;
  size: number;
  leased: number;
  live_visitors: number;
  shared_visitors: number;
  leases_started: number;
  shared_started: number;
}

export type DniRepo = ReturnType<typeof createDniRepo>;

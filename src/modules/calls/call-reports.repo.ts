import type { Queryable } from '../../db/index.js';
import type { CompiledFilter } from '../../http/filter.js';
import { whereClause } from '../../http/filter.js';
import { ATTRIBUTION_VALUES, OUTCOME_SQL } from './calls.repo.js';

/**
 * The console's reports (our design, beside V2's groupActivity): totals, calls over time and
 * breakdowns, over the live calls of a group's subtree that pass a V2 filter. Each is one
 * aggregate statement over `call c` (and the attribution row `a` when a breakdown needs it).
 */

/** The figures every report row has, by outcome (OUTCOME_SQL). */
const FIGURES_SQL = `count(*)::integer as calls,
       (count(*) filter (where ${OUTCOME_SQL} = 'answered'))::integer as answered,
       (count(*) filter (where ${OUTCOME_SQL} = 'missed'))::integer as missed,
       (count(*) filter (where ${OUTCOME_SQL} = 'voicemail'))::integer as voicemails,
       (count(*) filter (where ${OUTCOME_SQL} = 'blocked'))::integer as blocked,
       (count(*) filter (where not c.is_repeat))::integer as first_time,
       (count(*) filter (where c.is_repeat))::integer as repeat_calls,
       coalesce(sum(greatest(0, extract(epoch from (c.ended_at - c.answered_at))))
         filter (where c.disposition = 'ANSWERED' and c.answered_at is not null and c.ended_at is not null), 0)::integer
         as talk_seconds,
       coalesce(sum(greatest(0, extract(epoch from (c.answered_at - c.started_at))))
         filter (where c.disposition = 'ANSWERED' and c.answered_at is not null), 0)::integer
         as answer_seconds,
       coalesce(sum(c.call_value), 0)::float8 as call_value`;

export interface ReportFigures {
  calls: number;
  answered: number;
  missed: number;
  voicemails: number;
  blocked: number;
  first_time: number;
  repeat_calls: number;
  talk_seconds: number;
  /** start to answer, summed over the answered calls */
  answer_seconds: number;
  call_value: number;
}

export interface SummaryRow extends ReportFigures {
  unique_callers: number;
  total_duration: number;
  /** each call's duration rounded up to the minute, as groupActivity counts them */
  billable_minutes: number;
  in_progress: number;
}

export interface SeriesRow extends ReportFigures {
  /** the bucket's start in the report's zone: `YYYY-MM-DDTHH:mm` */
  bucket: string;
}

export const SERIES_INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type SeriesInterval = (typeof SERIES_INTERVALS)[number];

export interface HeatmapCell {
  /** ISO day of the week in the report's zone: 1 Monday ... 7 Sunday */
  weekday: number;
  /** hour of the day in the report's zone, 0-23 */
  hour: number;
  calls: number;
  answered: number;
}

export interface BreakdownRow extends ReportFigures {
  key: string | null;
  label: string | null;
}

export const BREAKDOWN_DIMENSIONS = [
  'campaign',
  'channel',
  'tracking_number',
  'call_flow',
  'group',
  'landing_page',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_source_medium',
  'key_path',
  'ring_to',
  'disposition',
] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

/**
 * Per dimension: the key (SQL on `c` and the attribution `a`), its label (SQL on the grouped
 * `r.key`), and whether the statement needs the attribution row.
 */
const DIMENSIONS: Record<BreakdownDimension, { key: string; label: string; attribution?: true }> = {
  campaign: {
    key: 'c.campaign_id',
    label: '(select cp.campaign_name from campaign cp where cp.campaign_id = r.key)',
  },
  channel: {
    key: 'c.channel_id',
    label: `(select ch.category || ': ' || ch.sub_category from channel ch where ch.channel_id = r.key)`,
  },
  tracking_number: {
    key: 'c.tracking_number',
    label: `(select f.call_flow_name from call_flow f join phone_number p on p.phone_number_id = f.phone_number_id
              where p.number = r.key order by f.call_flow_status = 'deleted', f.call_flow_id desc limit 1)`,
  },
  call_flow: {
    key: 'c.call_flow_id',
    label: '(select f.call_flow_name from call_flow f where f.call_flow_id = r.key)',
  },
  group: { key: 'c.group_id', label: '(select g.group_name from org_group g where g.group_id = r.key)' },
  landing_page: { key: ATTRIBUTION_VALUES.landing_page, label: 'r.key', attribution: true },
  referrer: { key: ATTRIBUTION_VALUES.referrer, label: 'r.key', attribution: true },
  utm_source: { key: ATTRIBUTION_VALUES.utm_source, label: 'r.key', attribution: true },
  utm_medium: { key: ATTRIBUTION_VALUES.utm_medium, label: 'r.key', attribution: true },
  utm_source_medium: { key: ATTRIBUTION_VALUES.utm_source_medium, label: 'r.key', attribution: true },
  key_path: { key: 'c.key_path', label: 'r.key' },
  disposition: { key: 'c.disposition', label: 'r.key' },
  ring_to: { key: 'c.answered_by', label: 'r.key' },
};

/** Live calls of the subtree of $1 that pass the filter (whose params number on from `firstParam`). */
export const scopedCalls = (filter: CompiledFilter, withAttribution = false) =>
  `from call c join org_group g on g.group_id = c.group_id
   ${withAttribution ? 'left join call_attribution a on a.call_id = c.call_id' : ''}
   where g.path @> array[$1::integer] and c.archived_at is null and ${whereClause(filter.conditions)}`;

export interface ExportRow {
  call_id: number;
  call_started: string;
  caller_id: string;
  caller_name: string | null;
  caller_city: string | null;
  caller_state: string | null;
  tracking_number: string;
  call_flow_name: string | null;
  campaign_name: string | null;
  channel: string | null;
  group_name: string;
  disposition: string;
  duration: number | null;
  talk_seconds: number | null;
  repeat_call: boolean;
  key_path: string;
  ring_to: string | null;
  tags: string;
  call_value: number | null;
  utm_source: string | null;
  landing_page: string | null;
  referrer: string | null;
  recording_url: string | null;
  /** the page key of the next page (keyset: newest first) */
  started_at: Date;
}

/** Where an export page starts: after this call, newest first. */
export interface ExportCursor {
  startedAt: Date;
  callId: number;
}

export function createCallReportsRepo(db: Queryable) {
  return {
    /**
     * One page of the CSV export, newest first, after `cursor` (keyset paging, so the millionth
     * row costs what the first does). $1 the scope, $2 the zone, $3 the page size, $4/$5 the
     * cursor; filter params from $6.
     */
    async exportPage(
      scopeGroupId: number,
      filter: CompiledFilter,
      timezone: string,
      limit: number,
      cursor: ExportCursor | undefined,
    ): Promise<ExportRow[]> {
      const { rows } = await db.query<ExportRow>(
        `select c.call_id::integer as call_id,
                to_char(c.started_at at time zone $2::text, 'YYYY-MM-DD HH24:MI:SS') as call_started,
                c.caller_number as caller_id, c.caller_name, c.caller_city, c.caller_state, c.tracking_number,
                (select f.call_flow_name from call_flow f where f.call_flow_id = c.call_flow_id) as call_flow_name,
                (select cp.campaign_name from campaign cp where cp.campaign_id = c.campaign_id) as campaign_name,
                (select ch.category || ': ' || ch.sub_category from channel ch where ch.channel_id = c.channel_id) as channel,
                g.group_name, c.disposition, c.duration_seconds as duration,
                case when c.answered_at is not null and c.ended_at is not null
                     then greatest(0, extract(epoch from (c.ended_at - c.answered_at)))::integer end as talk_seconds,
                c.is_repeat as repeat_call, c.key_path, c.answered_by as ring_to,
                coalesce((select string_agg(t.tag_name, '; ' order by t.tag_name)
                            from call_tag ct join tag t on t.tag_id = ct.tag_id where ct.call_id = c.call_id), '') as tags,
                c.call_value::float8 as call_value, a.utm_source, a.landing_page, a.referrer, c.recording_url,
                c.started_at
           ${scopedCalls(filter, true)}
            and ($4::timestamptz is null or (c.started_at, c.call_id) < ($4::timestamptz, $5::bigint))
          order by c.started_at desc, c.call_id desc
          limit $3`,
        [scopeGroupId, timezone, limit, cursor?.startedAt ?? null, cursor?.callId ?? null, ...filter.params],
      );
      return rows;
    },

    /** $1 the scope group; filter params from $2. */
    async summary(scopeGroupId: number, filter: CompiledFilter): Promise<SummaryRow> {
      const { rows } = await db.query<SummaryRow>(
        `select ${FIGURES_SQL},
                count(distinct c.caller_number)::integer as unique_callers,
                coalesce(sum(c.duration_seconds), 0)::integer as total_duration,
                coalesce(sum(ceil(coalesce(c.duration_seconds, 0) / 60.0)), 0)::integer as billable_minutes,
                (count(*) filter (where c.ended_at is null))::integer as in_progress
           ${scopedCalls(filter)}`,
        [scopeGroupId, ...filter.params],
      );
      return rows[0] as SummaryRow;
    },

    /** $1 the scope group, $2 the bucket (hour, day, week, month), $3 the zone; filter params from $4. */
    async series(
      scopeGroupId: number,
      filter: CompiledFilter,
      interval: SeriesInterval,
      timezone: string,
    ): Promise<SeriesRow[]> {
      const { rows } = await db.query<SeriesRow>(
        `select to_char(date_trunc($2::text, c.started_at at time zone $3::text), 'YYYY-MM-DD"T"HH24:MI') as bucket,
                ${FIGURES_SQL}
           ${scopedCalls(filter)}
          group by 1 order by 1`,
        [scopeGroupId, interval, timezone, ...filter.params],
      );
      return rows;
    },

    /** $1 the scope group, $2 the most rows; filter params from $3. Most calls first. */
    async breakdown(
      scopeGroupId: number,
      filter: CompiledFilter,
      by: BreakdownDimension,
      limit: number,
    ): Promise<BreakdownRow[]> {
      const dimension = DIMENSIONS[by];
      const { rows } = await db.query<BreakdownRow>(
        `with r as (
           select ${dimension.key} as key, ${FIGURES_SQL}
             ${scopedCalls(filter, dimension.attribution)}
            group by 1 order by calls desc, 1 limit $2)
         select r.key::text as key, ${dimension.label}::text as label, r.calls, r.answered, r.missed, r.voicemails,
                r.blocked, r.first_time, r.repeat_calls, r.talk_seconds, r.answer_seconds, r.call_value
           from r order by r.calls desc, r.key`,
        [scopeGroupId, limit, ...filter.params],
      );
      return rows;
    },

    /**
     * Calls per hour of the day and day of the week in the zone (cells without calls left out).
     * $1 the scope group, $2 the zone; filter params from $3.
     */
    async heatmap(scopeGroupId: number, filter: CompiledFilter, timezone: string): Promise<HeatmapCell[]> {
      const { rows } = await db.query<HeatmapCell>(
        `select extract(isodow from c.started_at at time zone $2::text)::integer as weekday,
                extract(hour from c.started_at at time zone $2::text)::integer as hour,
                count(*)::integer as calls,
                (count(*) filter (where ${OUTCOME_SQL} = 'answered'))::integer as answered
           ${scopedCalls(filter)}
          group by 1, 2 order by 1, 2`,
        [scopeGroupId, timezone, ...filter.params],
      );
      return rows;
    },
  };
}

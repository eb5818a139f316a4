import type { Queryable } from '../../db/index.js';
import type {
  BreakdownRow,
  HeatmapCell,
  SeriesInterval,
  SeriesRow,
  SummaryRow,
} from '../calls/call-reports.repo.js';

/**
 * Report figures from the roll-up (migrations/0128_create_call_rollup.sql): the ended live calls
 * of a subtree per group, campaign and UTC hour, plus the calls still in progress read from the
 * call table, so a month over a million calls adds up hours. Used for reports without a filter
 * whose zone's offsets over the range are whole hours (report.service.ts decides); each figure
 * is the same expression the call statements use, so the two paths agree to the unit.
 *
 * Every statement: $1 the scope group, $2 and $3 the range's instants [from, to).
 */

/** One call's figures, as the roll-up's triggers add them up (the same expressions). */
const CALL_FIGURES: readonly [string, string][] = [
  ['calls', '1'],
  ['answered', `(c.disposition = 'ANSWERED')::integer`],
  [
    'missed',
    `(c.disposition is null or c.disposition not in ('ANSWERED', 'VOICEMAIL', 'BLOCKED', 'IN PROGRESS'))::integer`,
  ],
  ['voicemails', `(c.disposition = 'VOICEMAIL')::integer`],
  ['blocked', `(c.disposition = 'BLOCKED')::integer`],
  ['first_time', '(not c.is_repeat)::integer'],
  ['repeat_calls', 'c.is_repeat::integer'],
  [
    'talk_seconds',
    `case when c.disposition = 'ANSWERED' and c.answered_at is not null and c.ended_at is not null
          then greatest(0, extract(epoch from (c.ended_at - c.answered_at))) else 0 end`,
  ],
  [
    'answer_seconds',
    `case when c.disposition = 'ANSWERED' and c.answered_at is not null
          then greatest(0, extract(epoch from (c.answered_at - c.started_at))) else 0 end`,
  ],
  ['call_value', 'coalesce(c.call_value, 0)'],
  ['total_duration', 'coalesce(c.duration_seconds, 0)'],
  ['billable_minutes', 'ceil(coalesce(c.duration_seconds, 0) / 60.0)'],
];
const NAMES = CALL_FIGURES.map(([name]) => name);

/** The roll-up's hours of the subtree and range, and the calls in progress as hours of one call. */
const SOURCE = `(
  select r.group_id, nullif(r.campaign_id, 0) as campaign_id, r.hour, ${NAMES.map((n) => `r.${n}`).join(', ')},
         0 as in_progress
    from call_rollup r join org_group g on g.group_id = r.group_id
   where g.path @> array[$1::integer] and r.hour >= $2 and r.hour < $3
  union all
  select c.group_id, c.campaign_id, date_trunc('hour', c.started_at, 'UTC'),
         ${CALL_FIGURES.map(([name, sql]) => `${sql} as ${name}`).join(',\n         ')},
         1
    from call c join org_group g on g.group_id = c.group_id
   where g.path @> array[$1::integer] and c.ended_at is null and c.archived_at is null
     and c.started_at >= $2 and c.started_at < $3
) u`;

/** The figures of report rows, summed as the call statements sum them. */
const FIGURES = `coalesce(sum(u.calls), 0)::integer as calls,
       coalesce(sum(u.answered), 0)::integer as answered,
       coalesce(sum(u.missed), 0)::integer as missed,
       coalesce(sum(u.voicemails), 0)::integer as voicemails,
       coalesce(sum(u.blocked), 0)::integer as blocked,
       coalesce(sum(u.first_time), 0)::integer as first_time,
       coalesce(sum(u.repeat_calls), 0)::integer as repeat_calls,
       coalesce(sum(u.talk_seconds), 0)::integer as talk_seconds,
       coalesce(sum(u.answer_seconds), 0)::integer as answer_seconds,
       coalesce(sum(u.call_value), 0)::float8 as call_value`;

/** The dimensions the roll-up keeps, with the label the call statements give them. */
export const ROLLUP_DIMENSIONS = {
  campaign: {
    key: 'u.campaign_id',
    label: '(select cp.campaign_name from campaign cp where cp.campaign_id = r.key)',
  },
  group: { key: 'u.group_id', label: '(select g.group_name from org_group g where g.group_id = r.key)' },
} as const;
export type RollupDimension = keyof typeof ROLLUP_DIMENSIONS;

export function createReportRollupRepo(db: Queryable) {
  return {
    /** The totals; unique callers are counted from the calls (distinct callers do not add up). */
    async summary(scopeGroupId: number, from: Date, to: Date): Promise<SummaryRow> {
      const { rows } = await db.query<SummaryRow>(
        `select ${FIGURES},
                (select count(distinct c.caller_number)::integer
                   from call c join org_group g on g.group_id = c.group_id
                  where g.path @> array[$1::integer] and c.archived_at is null
                    and c.started_at >= $2 and c.started_at < $3) as unique_callers,
                coalesce(sum(u.total_duration), 0)::integer as total_duration,
                coalesce(sum(u.billable_minutes), 0)::integer as billable_minutes,
                coalesce(sum(u.in_progress), 0)::integer as in_progress
           from ${SOURCE}`,
        [scopeGroupId, from, to],
      );
      return rows[0] as SummaryRow;
    },

    /** $4 the bucket, $5 the zone. */
    async series(
      scopeGroupId: number,
      from: Date,
      to: Date,
      interval: SeriesInterval,
      timezone: string,
    ): Promise<SeriesRow[]> {
      const { rows } = await db.query<SeriesRow>(
        `select to_char(date_trunc($4::text, u.hour at time zone $5::text), 'YYYY-MM-DD"T"HH24:MI') as bucket,
                ${FIGURES}
           from ${SOURCE}
          group by 1 having sum(u.calls) > 0 order by 1`,
        [scopeGroupId, from, to, interval, timezone],
      );
      return rows;
    },

    /** $4 the most rows. Most calls first. */
    async breakdown(
      scopeGroupId: number,
      from: Date,
      to: Date,
      by: RollupDimension,
      limit: number,
    ): Promise<BreakdownRow[]> {
      const dimension = ROLLUP_DIMENSIONS[by];
      const { rows } = await db.query<BreakdownRow>(
        `with r as (
           select ${dimension.key} as key, ${FIGURES}
             from ${SOURCE}
            group by 1 having sum(u.calls) > 0 order by calls desc, 1 limit $4)
         select r.key::text as key, ${dimension.label}::text as label, r.calls, r.answered, r.missed, r.voicemails,
                r.blocked, r.first_time, r.repeat_calls, r.talk_seconds, r.answer_seconds, r.call_value
           from r order by r.calls desc, r.key`,
        [scopeGroupId, from, to, limit],
      );
      return rows;
    },

    /** $4 the zone. */
    async heatmap(scopeGroupId: number, from: Date, to: Date, timezone: string): Promise<HeatmapCell[]> {
      const { rows } = await db.query<HeatmapCell>(
        `select extract(isodow from u.hour at time zone $4::text)::integer as weekday,
                extract(hour from u.hour at time zone $4::text)::integer as hour,
                sum(u.calls)::integer as calls, sum(u.answered)::integer as answered
           from ${SOURCE}
          group by 1, 2 having sum(u.calls) > 0 order by 1, 2`,
        [scopeGroupId, from, to, timezone],
      );
      return rows;
    },
  };
}

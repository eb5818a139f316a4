import type { Queryable } from '../../db/index.js';
import type { CompiledFilter } from '../../http/filter.js';
import { type SeriesInterval, scopedCalls } from '../calls/call-reports.repo.js';
import { inScope } from '../shared/sql.js';

/**
 * The report's sections beyond the call figures: indicator scores and scorecard averages over the
 * report's calls (the same calls, by the same filter), in total and per call flow and agent; and
 * the texts of the subtree over the report's range.
 */

export const SCORE_BREAKDOWNS = ['total', 'call_flow', 'agent'] as const;
export type ScoreBreakdown = (typeof SCORE_BREAKDOWNS)[number];

export interface ScoreRow {
  /** an indicator's score (call intelligence) or a scorecard's (a supervisor's) */
  source: 'indicator' | 'scorecard';
  source_id: number;
  source_name: string;
  breakdown: ScoreBreakdown;
  /** the call flow's id or the agent (assigned to, else the ring-to number); null on the total row */
  key: string | null;
  label: string | null;
  /** the calls scored */
  calls: number;
  /** mean score (0-100), two decimals */
  average_score: number;
}

export interface TextFigures {
  texts: number;
  inbound: number;
  outbound: number;
  delivered: number;
  /** outbound texts the carrier did not deliver (failed or undelivered) */
  failed: number;
  /** conversations with a text in the bucket */
  conversations: number;
}

export interface TextSeriesRow extends TextFigures {
  bucket: string;
}

const GROUPED = `case when grouping(k.call_flow_id) = 0 then 'call_flow'
                      when grouping(k.agent) = 0 then 'agent' else 'total' end`;
const GROUPED_KEY = `case when grouping(k.call_flow_id) = 0 then k.call_flow_id::text
                          when grouping(k.agent) = 0 then k.agent end`;

const BUCKET = 'date_trunc($2::text, m.created_at at time zone $3::text)';

export function createReportSectionsRepo(db: Queryable) {
  return {
    /**
     * Indicator and scorecard scores of the live calls of the subtree of $1 that pass the filter
     * (params from $2): per indicator and scorecard, over all of them, per call flow and per agent.
     * Totals first, then flows and agents, most calls first.
     */
    async scores(scopeGroupId: number, filter: CompiledFilter): Promise<ScoreRow[]> {
      // written out in each branch (not a shared CTE, which would be materialised), so a branch
      // without scores can skip reading the calls
      const calls = `(select c.call_id, c.call_flow_id, coalesce(c.assigned_to, c.answered_by) as agent
                        ${scopedCalls(filter)}) k`;
      const { rows } = await db.query<ScoreRow>(
        `with r as (
           select 'indicator'::text as source, s.indicator_id as source_id, min(s.indicator_name) as source_name,
                  ${GROUPED} as breakdown, ${GROUPED_KEY} as key,
                  count(*)::integer as calls, round(avg(s.score), 2)::float8 as average_score
             from ${calls} join call_indicator_score s on s.call_id = k.call_id
            group by s.indicator_id, grouping sets ((), (k.call_flow_id), (k.agent))
           union all
           select 'scorecard'::text, cs.scorecard_id, min(sc.scorecard_name),
                  ${GROUPED}, ${GROUPED_KEY},
                  count(*)::integer, round(avg(cs.score), 2)::float8
             from ${calls} join call_scorecard cs on cs.call_id = k.call_id
                    join scorecard sc on sc.scorecard_id = cs.scorecard_id
            group by cs.scorecard_id, grouping sets ((), (k.call_flow_id), (k.agent)))
         select r.source, r.source_id::integer as source_id, r.source_name, r.breakdown, r.key,
                case when r.breakdown = 'call_flow'
                     then (select f.call_flow_name from call_flow f where f.call_flow_id = r.key::integer)
                     else r.key end as label,
                r.calls, r.average_score
           from r
          order by r.source, r.source_id, array_position(array['total', 'call_flow', 'agent'], r.breakdown),
                   r.calls desc, r.key nulls last`,
        [scopeGroupId, ...filter.params],
      );
      return rows;
    },

    /**
     * The texts of the subtree of $1 written in [$4, $5): the totals (bucket null) and per bucket
     * ($2 the interval, $3 the zone).
     */
    async texts(
      scopeGroupId: number,
      from: Date,
      to: Date,
      interval: SeriesInterval,
      timezone: string,
    ): Promise<{ totals: TextFigures; series: TextSeriesRow[] }> {
      const { rows } = await db.query<TextSeriesRow & { bucket: string | null }>(
        `select to_char(${BUCKET}, 'YYYY-MM-DD"T"HH24:MI') as bucket,
                count(*)::integer as texts,
                (count(*) filter (where m.direction = 'inbound'))::integer as inbound,
                (count(*) filter (where m.direction = 'outbound'))::integer as outbound,
                (count(*) filter (where m.direction = 'outbound' and m.status = 'delivered'))::integer as delivered,
                (count(*) filter (where m.direction = 'outbound' and m.status in ('failed', 'undelivered')))::integer
                  as failed,
                count(distinct m.conversation_id)::integer as conversations
           from sms_message m
          where ${inScope('m.group_id', '$1')} and m.created_at >= $4 and m.created_at < $5
          group by grouping sets ((), (${BUCKET}))
          order by 1 nulls first`,
        [scopeGroupId, interval, timezone, from, to],
      );
      const [first, ...rest] = rows;
      const empty: TextFigures = {
        texts: 0,
        inbound: 0,
        outbound: 0,
        delivered: 0,
        failed: 0,
        conversations: 0,
      };
      if (!first || first.bucket !== null) return { totals: empty, series: [] };
      const { bucket: _none, ...totals } = first;
      return { totals, series: rest };
    },
  };
}

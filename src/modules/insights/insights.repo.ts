import type { Queryable } from '../../db/index.js';
import { type CompiledFilter, type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';

export interface InsightRow {
  insight_id: number;
  group_id: number;
  insight_name: string;
  query: string;
  filter: string;
  interval: string;
  insight_status: string;
  created_by: number | null;
  created_at: string;
}

const COLUMNS = `i.insight_id, i.group_id, i.insight_name, i.query, i.call_filter as filter,
  i.report_interval as interval, i.insight_status, i.created_by, ${isoTime('i.created_at')} as created_at`;

/** The transcribed calls of group $1's subtree in the range ($from, $to: dates in zone $tz). */
const rangeCalls = (tz: string, from: string, to: string, filter: CompiledFilter) =>
  `from call c join org_group g on g.group_id = c.group_id
     join call_transcript t on t.call_id = c.call_id and t.transcript_status = 'done'
    where g.path @> array[$1::integer] and c.archived_at is null
      and c.started_at >= (${from}::date::timestamp at time zone ${tz})
      and c.started_at < ((${to}::date + 1)::timestamp at time zone ${tz})
      and ${whereClause(filter.conditions)}`;

export function createInsightsRepo(db: Queryable) {
  const filterFields: FilterFields = {
    insight_id: { column: 'i.insight_id', type: 'integer' },
    group_id: { column: 'i.group_id', type: 'integer' },
    insight_name: { column: 'i.insight_name', type: 'string' },
  };
  return {
    filterFields,

    async insert(
      values: {
        group_id: number;
        insight_name: string;
        query: string;
        call_filter: string;
        report_interval: string;
      },
      userId: number,
      now: Date,
    ): Promise<InsightRow> {
      const { rows } = await db.query<InsightRow>(
        `insert into insight as i (group_id, insight_name, query, call_filter, report_interval, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
        [
          values.group_id,
          values.insight_name,
          values.query,
          values.call_filter,
          values.report_interval,
          userId,
          now,
        ],
      );
      return rows[0] as InsightRow;
    },

    async list(scopeGroupId: number, page: ListPage): Promise<InsightRow[]> {
      const { rows } = await db.query<InsightRow>(
        `select ${COLUMNS} from insight i
          where ${inScope('i.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by i.insight_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async get(scopeGroupId: number, id: number): Promise<InsightRow | undefined> {
      const { rows } = await db.query<InsightRow>(
        `select ${COLUMNS} from insight i where i.insight_id = $2 and ${inScope('i.group_id', '$1')}`,
        [scopeGroupId, id],
      );
      return rows[0];
    },

    /** Per period of the range: the calls and the matching calls (one statement; empty periods too). */
    async periods(
      groupId: number,
      query: string,
      interval: string,
      tz: string,
      range: { from: string; to: string },
      filterAt: (firstParam: number) => CompiledFilter,
    ): Promise<{ period_start: string; calls: number; matching: number }[]> {
      const filter = filterAt(7);
      const { rows } = await db.query<{ period_start: string; calls: number; matching: number }>(
        `with calls as (
           select c.call_id, date_trunc($2, c.started_at at time zone $3)::date as period,
                  t.search_vector @@ websearch_to_tsquery('english', $4) as is_match
           ${rangeCalls('$3', '$5', '$6', filter)})
         select to_char(p.period, 'YYYY-MM-DD') as period_start, count(c.call_id)::integer as calls,
                (count(c.call_id) filter (where c.is_match))::integer as matching
           from generate_series(date_trunc($2, $5::date::timestamp), $6::date::timestamp, ('1 ' || $2)::interval)
                as p(period)
           left join calls c on c.period = p.period::date
          group by p.period order by p.period`,
        [groupId, interval, tz, query, range.from, range.to, ...filter.params],
      );
      return rows;
    },

    /** The newest matching calls of the range, with the transcript's best fragments marked. */
    async matchingCalls(
      groupId: number,
      query: string,
      tz: string,
      range: { from: string; to: string },
      limit: number,
      filterAt: (firstParam: number) => CompiledFilter,
    ): Promise<{ call_id: number; group_id: number; call_started: string; headline: string }[]> {
      const filter = filterAt(7);
      const { rows } = await db.query<{
        call_id: number;
        group_id: number;
        call_started: string;
        headline: string;
      }>(
        `select c.call_id::integer as call_id, c.group_id, ${isoTime('c.started_at')} as call_started,
                ts_headline('english', coalesce(t.transcript, ''), websearch_to_tsquery('english', $2),
                            'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxFragments=2, MaxWords=20, MinWords=6')
                  as headline
           ${rangeCalls('$3', '$4', '$5', filter)}
            and t.search_vector @@ websearch_to_tsquery('english', $2)
          order by c.started_at desc, c.call_id desc limit $6`,
        [groupId, query, tz, range.from, range.to, limit, ...filter.params],
      );
      return rows;
    },

    async groupInScope(scopeGroupId: number, groupId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from org_group g where g.group_id = $2 and ${inScope('g.group_id', '$1')}`,
        [scopeGroupId, groupId],
      );
      return rowCount > 0;
    },
  };
}

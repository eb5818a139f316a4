import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';
import type { Answer, Section } from './scoring.js';

export interface ScorecardRow {
  scorecard_id: number;
  group_id: number;
  scorecard_name: string;
  sections: Section[];
  scorecard_status: string;
  created_by: number | null;
  created_at: string;
}

const COLUMNS = `s.scorecard_id, s.group_id, s.scorecard_name, s.sections, s.scorecard_status, s.created_by,
  ${isoTime('s.created_at')} as created_at`;

export const scorecardFilterFields: FilterFields = {
  scorecard_id: { column: 's.scorecard_id', type: 'integer' },
  group_id: { column: 's.group_id', type: 'integer' },
  scorecard_name: { column: 's.scorecard_name', type: 'string' },
  scorecard_status: { column: 's.scorecard_status', type: 'string' },
};

const AGENT = 'coalesce(c.assigned_to, c.answered_by)';

export function createScorecardsRepo(db: Queryable) {
  return {
    async insert(
      values: { group_id: number; scorecard_name: string; sections: Section[] },
      userId: number,
      now: Date,
    ): Promise<ScorecardRow> {
      const { rows } = await db.query<ScorecardRow>(
        `insert into scorecard as s (group_id, scorecard_name, sections, created_by, created_at)
         values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
        [values.group_id, values.scorecard_name, JSON.stringify(values.sections), userId, now],
      );
      return rows[0] as ScorecardRow;
    },

    /** Scorecards of the caller's subtree and of the groups above it (usable, as inherited). */
    async list(scopeGroupId: number, page: ListPage): Promise<ScorecardRow[]> {
      const { rows } = await db.query<ScorecardRow>(
        `select ${COLUMNS} from scorecard s
          where (${inScope('s.group_id', '$1')}
                 or s.group_id = any((select g.path from org_group g where g.group_id = $1)::integer[]))
            and ${whereClause(page.filter.conditions)}
          order by s.scorecard_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /** A scorecard the caller may use: of its subtree or of a group above it. */
    async usable(scopeGroupId: number, id: number): Promise<ScorecardRow | undefined> {
      const { rows } = await db.query<ScorecardRow>(
        `select ${COLUMNS} from scorecard s
          where s.scorecard_id = $2
            and (${inScope('s.group_id', '$1')}
                 or s.group_id = any((select g.path from org_group g where g.group_id = $1)::integer[]))`,
        [scopeGroupId, id],
      );
      return rows[0];
    },

    async archive(scopeGroupId: number, id: number, now: Date): Promise<ScorecardRow | undefined> {
      const { rows } = await db.query<ScorecardRow>(
        `update scorecard s set scorecard_status = 'archived', archived_at = coalesce(s.archived_at, $3)
          where s.scorecard_id = $2 and ${inScope('s.group_id', '$1')} returning ${COLUMNS}`,
        [scopeGroupId, id, now],
      );
      return rows[0];
    },

    async indicatorScores(callId: number): Promise<Record<number, number>> {
      const { rows } = await db.query<{ indicator_id: number; score: number }>(
        'select indicator_id, score from call_indicator_score where call_id = $1',
        [callId],
      );
      return Object.fromEntries(rows.map((row) => [row.indicator_id, row.score]));
    },

    async upsertScore(
      values: {
        call_id: number;
        scorecard_id: number;
        call_title: string | undefined;
        answers: Record<string, Answer>;
        score: number;
      },
      userId: number,
      now: Date,
    ) {
      const { rows } = await db.query<{
        call_id: number;
        scorecard_id: number;
        call_title: string;
        answers: Record<string, Answer>;
        score: number;
        scored_by: number | null;
        scored_at: string;
      }>(
        `insert into call_scorecard as cs (call_id, scorecard_id, call_title, answers, score, scored_by, scored_at)
         values ($1, $2, coalesce($3, ''), $4, $5, $6, $7)
         on conflict (call_id, scorecard_id) do update
           set call_title = coalesce($3, cs.call_title), answers = excluded.answers, score = excluded.score,
               scored_by = excluded.scored_by, scored_at = excluded.scored_at
         returning cs.call_id::integer as call_id, cs.scorecard_id, cs.call_title, cs.answers, cs.score::float8 as score,
                   cs.scored_by, ${isoTime('cs.scored_at')} as scored_at`,
        [
          values.call_id,
          values.scorecard_id,
          values.call_title ?? null,
          JSON.stringify(values.answers),
          values.score,
          userId,
          now,
        ],
      );
      return rows[0];
    },

    /** The scorings of one call, each with its scorecard's name and sections, newest first. */
    async scoresOfCall(callId: number) {
      const { rows } = await db.query<{
        call_id: number;
        scorecard_id: number;
        scorecard_name: string;
        sections: Section[];
        call_title: string;
        answers: Record<string, Answer>;
        score: number;
        scored_by: number | null;
        scored_at: string;
      }>(
        `select cs.call_id::integer as call_id, cs.scorecard_id, s.scorecard_name, s.sections, cs.call_title,
                cs.answers, cs.score::float8 as score, cs.scored_by, ${isoTime('cs.scored_at')} as scored_at
           from call_scorecard cs join scorecard s on s.scorecard_id = cs.scorecard_id
          where cs.call_id = $1
          order by cs.scored_at desc, cs.scorecard_id`,
        [callId],
      );
      return rows;
    },

    /** The scored calls of the scorecard in the caller's subtree, newest first (at most 500). */
    async scoredCalls(scopeGroupId: number, scorecardId: number) {
      const { rows } = await db.query<{
        call_id: number;
        call_title: string;
        score: number;
        agent: string | null;
        call_flow_id: number | null;
        call_started: string;
        scored_at: string;
      }>(
        `select c.call_id::integer as call_id, cs.call_title, cs.score::float8 as score, ${AGENT} as agent,
                c.call_flow_id, ${isoTime('c.started_at')} as call_started, ${isoTime('cs.scored_at')} as scored_at
           from call_scorecard cs join call c on c.call_id = cs.call_id
          where cs.scorecard_id = $2 and ${inScope('c.group_id', '$1')}
          order by c.started_at desc, c.call_id desc limit 500`,
        [scopeGroupId, scorecardId],
      );
      return rows;
    },

    /** Count and average score per agent, flow or day (in zone $3) over the caller's subtree. */
    async groups(
      scopeGroupId: number,
      scorecardId: number,
      groupBy: 'agent' | 'flow' | 'date',
      timezone: string,
    ) {
      const key = {
        agent: AGENT,
        flow: 'c.call_flow_id::text',
        date: `to_char(c.started_at at time zone $3, 'YYYY-MM-DD')`,
      }[groupBy];
      const { rows } = await db.query<{ key: string | null; calls: number; average_score: number }>(
        `select ${key} as key, count(*)::integer as calls, round(avg(cs.score), 2)::float8 as average_score
           from call_scorecard cs join call c on c.call_id = cs.call_id
          where cs.scorecard_id = $2 and ${inScope('c.group_id', '$1')} and $3::text is not null
          group by 1 order by 1 nulls last`,
        [scopeGroupId, scorecardId, timezone],
      );
      return rows;
    },
  };
}

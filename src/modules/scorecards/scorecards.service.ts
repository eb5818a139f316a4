import type { Db } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { createCallsRepo } from '../calls/calls.repo.js';
import { CALL_NOT_FOUND, checkTimezone } from '../calls/calls.service.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { createScorecardsRepo, scorecardFilterFields } from './scorecards.repo.js';
import { type Answer, answerProblem, type Section, scorecardScore } from './scoring.js';

export const SCORECARD_NOT_FOUND = 'Scorecard_id does not exist.';

/** Scorecards (docs/analytics.md): criteria in sections a supervisor scores calls on, and the report. */
export function createScorecardsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createScorecardsRepo(db);

  function checkSections(sections: readonly Section[]) {
    const keys = new Set<string>();
    for (const criterion of sections.flatMap((section) => section.criteria)) {
      if (keys.has(criterion.key)) throw invalidInput(`Criterion key ${criterion.key} is used twice`);
      keys.add(criterion.key);
      if (criterion.type === 'points' && criterion.max_points === undefined)
        throw invalidInput(`Criterion ${criterion.key} of type points needs max_points`);
    }
  }

  return {
    async create(
      principal: Principal,
      body: { group_id?: number | undefined; scorecard_name: string; sections: Section[] },
    ) {
      const groupId = body.group_id ?? principal.groupId;
      if (!(await createCallsRepo(db).groupInScope(principal.groupId, groupId)))
        throw invalidInput('Group_id does not exist.');
      checkSections(body.sections);
      return repo.insert(
        { group_id: groupId, scorecard_name: body.scorecard_name.trim(), sections: body.sections },
        principal.userId,
        clock.now(),
      );
    },

    list(principal: Principal, query: ListQuery) {
      return repo.list(principal.groupId, toPage(query, scorecardFilterFields, 3));
    },

    /** A copy in the caller's own group, named "<name> (copy)" unless named. */
    async duplicate(
      principal: Principal,
      body: { scorecard_id: number; scorecard_name?: string | undefined },
    ) {
      const original = await repo.usable(principal.groupId, body.scorecard_id);
      if (!original) throw invalidInput(SCORECARD_NOT_FOUND);
      return repo.insert(
        {
          group_id: principal.groupId,
          scorecard_name: body.scorecard_name?.trim() ?? `${original.scorecard_name} (copy)`.slice(0, 255),
          sections: original.sections,
        },
        principal.userId,
        clock.now(),
      );
    },

    async archive(principal: Principal, id: number) {
      const row = await repo.archive(principal.groupId, id, clock.now());
      if (!row) throw invalidInput(SCORECARD_NOT_FOUND);
      return row;
    },

    /** Scores a call (or scores it again), with its title; unanswered criteria linked to indicators are pre-filled. */
    async scoreCall(
      principal: Principal,
      body: {
        call_id: number;
        scorecard_id: number;
        call_title?: string | undefined;
        answers?: Record<string, Answer> | undefined;
      },
    ) {
      const scorecard = await repo.usable(principal.groupId, body.scorecard_id);
      if (scorecard?.scorecard_status !== 'active') throw invalidInput(SCORECARD_NOT_FOUND);
      if ((await createCallsRepo(db).idsInScope(principal.groupId, [body.call_id])).length === 0)
        throw invalidInput(CALL_NOT_FOUND);
      const answers = body.answers ?? {};
      const criteria = new Map(
        scorecard.sections.flatMap((section) => section.criteria).map((c) => [c.key, c]),
      );
      for (const [key, answer] of Object.entries(answers)) {
        const criterion = criteria.get(key);
        if (!criterion) throw invalidInput(`Unknown criterion ${key}`);
        const problem = answerProblem(criterion, answer);
        if (problem) throw invalidInput(problem);
      }
      const { score, prefilled } = scorecardScore(
        scorecard.sections,
        answers,
        await repo.indicatorScores(body.call_id),
      );
      const row = await repo.upsertScore(
        {
          call_id: body.call_id,
          scorecard_id: body.scorecard_id,
          call_title: body.call_title,
          answers,
          score,
        },
        principal.userId,
        clock.now(),
      );
      return { ...(row as NonNullable<typeof row>), prefilled };
    },

    /** The scorecards a call of the caller's subtree was scored on, with its answers (newest first). */
    async scoresOfCall(principal: Principal, callId: number) {
      if ((await createCallsRepo(db).idsInScope(principal.groupId, [callId])).length === 0)
        throw notFound(CALL_NOT_FOUND);
      const indicatorScores = await repo.indicatorScores(callId);
      return (await repo.scoresOfCall(callId)).map(({ sections, ...row }) => ({
        ...row,
        prefilled: scorecardScore(sections, row.answers, indicatorScores).prefilled,
      }));
    },

    async report(
      principal: Principal,
      query: {
        scorecard_id: number;
        group_by?: 'agent' | 'flow' | 'date' | undefined;
        timezone?: string | undefined;
      },
    ) {
      const scorecard = await repo.usable(principal.groupId, query.scorecard_id);
      if (!scorecard) throw notFound(SCORECARD_NOT_FOUND);
      const timezone = checkTimezone(query.timezone);
      const groups = await repo.groups(
        principal.groupId,
        query.scorecard_id,
        query.group_by ?? 'agent',
        timezone,
      );
      const calls = groups.reduce((sum, group) => sum + group.calls, 0);
      const total = groups.reduce((sum, group) => sum + group.average_score * group.calls, 0);
      return {
        groups,
        overall: { calls, average_score: calls === 0 ? 0 : Math.round((total / calls) * 100) / 100 },
        scored_calls: await repo.scoredCalls(principal.groupId, query.scorecard_id),
      };
    },
  };
}

export type ScorecardsService = ReturnType<typeof createScorecardsService>;

import { DateTime } from 'luxon';
import type { Db } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { callFilterFields } from '../calls/calls.repo.js';
import { checkTimezone } from '../calls/calls.service.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { highlighted } from '../transcripts/transcripts.repo.js';
import { createInsightsRepo } from './insights.repo.js';

export type Interval = 'day' | 'week' | 'month';

const DEFAULT_RANGE_DAYS: Record<Interval, number> = { day: 30, week: 84, month: 365 };
const MAX_RANGE_DAYS = 3 * 366;

/**
 * Insights (docs/analytics.md): a saved question over a group's calls, what was said and which
 * calls, reported per period as the transcribed calls that pass the filter, those where the query
 * was said and their share, with the newest matching calls.
 */
export function createInsightsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createInsightsRepo(db);
  return {
    async create(
      principal: Principal,
      body: {
        group_id?: number | undefined;
        insight_name: string;
        query: string;
        filter?: string | undefined;
        interval?: Interval | undefined;
      },
    ) {
      const groupId = body.group_id ?? principal.groupId;
      if (!(await repo.groupInScope(principal.groupId, groupId)))
        throw invalidInput('Group_id does not exist.');
      // the filter is checked now, with the call log's own errors
      toPage({ limit: 1, offset: 0, filter: body.filter }, callFilterFields, 0);
      return repo.insert(
        {
          group_id: groupId,
          insight_name: body.insight_name.trim(),
          query: body.query,
          call_filter: body.filter?.trim() ?? '',
          report_interval: body.interval ?? 'week',
        },
        principal.userId,
        clock.now(),
      );
    },

    list(principal: Principal, query: ListQuery) {
      return repo.list(principal.groupId, toPage(query, repo.filterFields, 3));
    },

    async report(
      principal: Principal,
      query: {
        id: number;
        from?: string | undefined;
        to?: string | undefined;
        timezone?: string | undefined;
        limit: number;
      },
    ) {
      const insight = await repo.get(principal.groupId, query.id);
      if (!insight) throw notFound('Insight_id does not exist.');
      const timezone = checkTimezone(query.timezone);
      const interval = insight.interval as Interval;
      const parse = (value: string, name: string) => {
        const day = DateTime.fromISO(value, { zone: timezone });
        if (!day.isValid) throw invalidInput(`Invalid ${name} ${value}`);
        return day;
      };
      const to = query.to ? parse(query.to, 'to') : DateTime.fromJSDate(clock.now(), { zone: timezone });
      const from = query.from ? parse(query.from, 'from') : to.minus({ days: DEFAULT_RANGE_DAYS[interval] });
      if (from > to) throw invalidInput('from must not be after to');
      if (to.diff(from, 'days').days > MAX_RANGE_DAYS)
        throw invalidInput('The range may span at most 3 years');
      const range = { from: from.toISODate() as string, to: to.toISODate() as string };
      const filterAt = (first: number) =>
        toPage({ limit: 1, offset: 0, filter: insight.filter }, callFilterFields, first - 1, { timezone })
          .filter;
      const periods = await repo.periods(
        insight.group_id,
        insight.query,
        interval,
        timezone,
        range,
        filterAt,
      );
      const matching = await repo.matchingCalls(
        insight.group_id,
        insight.query,
        timezone,
        range,
        query.limit,
        filterAt,
      );
      const share = (calls: number, hits: number) =>
        calls === 0 ? 0 : Math.round((hits / calls) * 10_000) / 10_000;
      const total = periods.reduce(
        (sum, period) => ({ calls: sum.calls + period.calls, matching: sum.matching + period.matching }),
        { calls: 0, matching: 0 },
      );
      return {
        insight,
        ...range,
        periods: periods.map((period) => ({ ...period, share: share(period.calls, period.matching) })),
        total: { ...total, share: share(total.calls, total.matching) },
        matching_calls: matching.map((call) => ({ ...call, headline: highlighted(call.headline).html })),
      };
    },
  };
}

export type InsightsService = ReturnType<typeof createInsightsService>;

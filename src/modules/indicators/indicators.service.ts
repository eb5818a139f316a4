import type { Db } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { BUILTIN_INDICATORS } from './builtins.js';
import { indicatorTrends, type TrendsQuery } from './indicator-trends.js';
import { createIndicatorsRepo, type IndicatorRow, indicatorFilterFields } from './indicators.repo.js';
import type { Signal } from './scoring.js';

export const INDICATOR_NOT_FOUND = 'Indicator_id does not exist.';
export const BUILTIN_READ_ONLY =
  'Built-in indicators cannot be changed; create an indicator of your own (POST /v2/indicator)';

const asApi = (row: IndicatorRow) => ({ ...row, is_builtin: false });

/** Indicators of the groups (docs/analytics.md): the built-in ones, and each group's own, inherited down the tree. */
export function createIndicatorsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createIndicatorsRepo(db);
  return {
    /** The built-in indicators first (on the first page, unless filtered away), then the groups' own. */
    async list(principal: Principal, query: ListQuery) {
      const page = toPage(query, indicatorFilterFields, 3);
      const own = (await repo.list(principal.groupId, page)).map(asApi);
      if (query.offset > 0 || query.filter) return own;
      const builtins = BUILTIN_INDICATORS.map((indicator) => ({
        indicator_id: indicator.indicator_id,
        group_id: null,
        indicator_name: indicator.indicator_name,
        description: indicator.description,
        is_builtin: true,
        indicator_status: 'active',
        signals: indicator.definition.signals,
      }));
      return [...builtins, ...own];
    },

    /** Per indicator, the share of analysed calls that scored it, over time (indicator-trends.ts). */
    trends(principal: Principal, query: TrendsQuery) {
      return indicatorTrends(db, principal, query);
    },

    async create(
      principal: Principal,
      body: {
        group_id?: number | undefined;
        indicator_name: string;
        description?: string | undefined;
        signals: Signal[];
      },
    ) {
      const groupId = body.group_id ?? principal.groupId;
      if (!(await repo.groupInScope(principal.groupId, groupId)))
        throw invalidInput('Group_id does not exist.');
      return asApi(
        await repo.insert(
          {
            group_id: groupId,
            indicator_name: body.indicator_name.trim(),
            description: body.description ?? '',
            signals: body.signals,
          },
          principal.userId,
          clock.now(),
        ),
      );
    },

    async update(
      principal: Principal,
      body: {
        indicator_id: number;
        indicator_name?: string | undefined;
        description?: string | undefined;
        signals?: Signal[] | undefined;
        indicator_status?: string | undefined;
      },
    ) {
      if (BUILTIN_INDICATORS.some((indicator) => indicator.indicator_id === body.indicator_id))
        throw invalidInput(BUILTIN_READ_ONLY);
      const { indicator_id, ...change } = body;
      const row = await repo.update(
        principal.groupId,
        indicator_id,
        Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)),
        clock.now(),
      );
      if (!row) throw invalidInput(INDICATOR_NOT_FOUND);
      return asApi(row);
    },
  };
}

export type IndicatorsService = ReturnType<typeof createIndicatorsService>;

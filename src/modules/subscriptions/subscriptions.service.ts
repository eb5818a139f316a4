import { DateTime } from 'luxon';
import type { Db, Queryable } from '../../db/index.js';
import { forbidden, invalidInput } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { type Principal, Roles } from '../auth/principal.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import {
  createSubscriptionsRepo,
  LIMITED_METERS,
  type LimitedMeter,
  type Limits,
} from './subscriptions.repo.js';

/**
 * Plans and usage (our design for V2's Misc › Get Subscription). An agency names a plan and sets
 * limits for a client group; the plan covers the group's subtree. Usage is counted per calendar
 * month (UTC) from the data: numbers held now, inbound and outbound minutes (each call rounded up
 * to the minute, as carriers bill), texts and segments, transcription minutes and active users.
 * A limit is enforced on the action that would pass it (reserving a number, adding a user,
 * uploading a call), never on a call in progress.
 */

export interface TextUsage {
  texts: number;
  segments: number;
}

/**
 * Where texts are counted, over a subtree and [from, to). The SMS module passes its own meter to
 * createSubscriptionsService; until then every group has sent none.
 */
export type TextUsageMeter = (q: Queryable, groupId: number, from: Date, to: Date) => Promise<TextUsage>;

/** Where transcription minutes are counted; by default from the completed transcripts of calls. */
export type TranscriptionUsageMeter = (
  q: Queryable,
  groupId: number,
  from: Date,
  to: Date,
) => Promise<number>;

export const noTexts: TextUsageMeter = async () => ({ texts: 0, segments: 0 });

const transcriptsOfCalls: TranscriptionUsageMeter = (q, groupId, from, to) =>
  createSubscriptionsRepo(q).transcriptionMinutes(groupId, from, to);

const NOUNS: Record<LimitedMeter, string> = {
  numbers: 'numbers',
  inbound_minutes: 'inbound minutes',
  outbound_minutes: 'outbound minutes',
  texts: 'texts',
  transcription_minutes: 'transcription minutes',
  users: 'active users',
};

/** The message of a reached limit, the same wherever it is enforced. */
export const limitReached = (plan: string, meter: LimitedMeter, limit: number) =>
  `Plan limit reached: the plan ${plan} allows ${limit} ${NOUNS[meter]}`;

/** Usage against a limit in percent, one decimal; null without a limit. */
export function usedPercent(used: number, limit: number | null): number | null {
  if (limit === null) return null;
  if (limit === 0) return used > 0 ? 100 : 0;
  return Math.round((used / limit) * 1000) / 10;
}

export interface SubscriptionQuery {
  group_id?: number | undefined;
  /** YYYY-MM */
  period?: string | undefined;
}

export type LimitsBody = Partial<Record<`max_${LimitedMeter}`, number>>;

export function createSubscriptionsService({
  db,
  clock,
  textUsage = noTexts,
  textsInFlight = async () => 0,
  transcriptionUsage = transcriptsOfCalls,
}: {
  db: Db;
  clock: Clock;
  textUsage?: TextUsageMeter;
  /** texts written but not yet handed to the carrier: a limit counts them, the meter does not */
  textsInFlight?: (q: Queryable, groupId: number, from: Date, to: Date) => Promise<number>;
  transcriptionUsage?: TranscriptionUsageMeter;
}) {
  const repo = createSubscriptionsRepo(db);
  const groups = createGroupsRepo(db);

  async function groupOfScope(principal: Principal, groupId: number | undefined) {
    const id = groupId ?? principal.groupId;
    const group = await groups.findInScope(principal.groupId, id);
    if (!group) throw invalidInput(`group_id ${id} is not a group you can access`);
    return group;
  }

  function monthOf(period: string | undefined) {
    const start =
      period === undefined
        ? DateTime.fromJSDate(clock.now(), { zone: 'UTC' }).startOf('month')
        : DateTime.fromFormat(period, 'yyyy-MM', { zone: 'UTC' });
    if (!start.isValid || start.year < 2000 || start.year > 9999)
      throw invalidInput(`Invalid period: ${period}`);
    return { start, end: start.plus({ months: 1 }) };
  }

  /** What the subtree of `groupId` uses of `meter` now, or in the month (UTC) of `at`. */
  async function meterUsage(q: Queryable, groupId: number, meter: LimitedMeter, at: Date): Promise<number> {
    const qRepo = createSubscriptionsRepo(q);
    if (meter === 'numbers') return qRepo.numbersHeld(groupId);
    if (meter === 'users') return qRepo.activeUsers(groupId);
    const start = DateTime.fromJSDate(at, { zone: 'UTC' }).startOf('month');
    const [from, to] = [start.toJSDate(), start.plus({ months: 1 }).toJSDate()];
    if (meter === 'texts')
      return (await textUsage(q, groupId, from, to)).texts + (await textsInFlight(q, groupId, from, to));
    // transcripts on their way count against the limit too (the meter counts the done ones)
    if (meter === 'transcription_minutes')
      return (
        (await transcriptionUsage(q, groupId, from, to)) +
        (await qRepo.pendingTranscriptionMinutes(groupId, from, to))
      );
    return (await qRepo.callUsage(groupId, from, to))[meter];
  }

  async function usageOf(groupId: number, from: Date, to: Date) {
    const calls = await repo.callUsage(groupId, from, to);
    const texts = await textUsage(db, groupId, from, to);
    return {
      numbers: await repo.numbersHeld(groupId),
      ...calls,
      texts: texts.texts,
      segments: texts.segments,
      transcription_minutes: await transcriptionUsage(db, groupId, from, to),
      users: await repo.activeUsers(groupId),
    };
  }

  /** A group's plan and what its subtree used in the month from `start`. */
  async function subscriptionOf(
    group: { group_id: number; group_name: string },
    start: DateTime,
    end: DateTime,
  ) {
    const plan = await repo.governing(group.group_id);
    const usage = await usageOf(group.group_id, start.toJSDate(), end.toJSDate());
    const limits: Limits =
      plan?.limits ?? (Object.fromEntries(LIMITED_METERS.map((m) => [m, null])) as Limits);
    return {
      group_id: group.group_id,
      group_name: group.group_name,
      plan_name: plan?.plan_name ?? null,
      plan_group_id: plan?.group_id ?? null,
      period: start.toFormat('yyyy-MM'),
      period_start: start.toISODate() as string,
      period_end: end.minus({ days: 1 }).toISODate() as string,
      usage,
      limits,
      over_limit: LIMITED_METERS.filter(
        (meter) => limits[meter] !== null && usage[meter] >= (limits[meter] ?? 0),
      ),
      used_percent: Object.fromEntries(
        LIMITED_METERS.map((meter) => [meter, usedPercent(usage[meter], limits[meter])]),
      ) as Record<LimitedMeter, number | null>,
    };
  }

  return {
    async get(principal: Principal, query: SubscriptionQuery) {
      const group = await groupOfScope(principal, query.group_id);
      const { start, end } = monthOf(query.period);
      return subscriptionOf(group, start, end);
    },

    /** A plan group's plan and usage this month (UTC), for the usage alerts. */
    async current(groupId: number) {
      const group = await groups.findInScope(groupId, groupId);
      if (!group) return undefined;
      const { start, end } = monthOf(undefined);
      return subscriptionOf(group, start, end);
    },

    /**
     * The usage of each client of a group (the groups right below it, each with its subtree) in
     * a month: what an agency invoices from.
     */
    async clients(principal: Principal, query: SubscriptionQuery) {
      const group = await groupOfScope(principal, query.group_id);
      const { start, end } = monthOf(query.period);
      const clients = [];
      for (const child of await repo.children(group.group_id))
        clients.push(await subscriptionOf(child, start, end));
      return { group, period: start.toFormat('yyyy-MM'), clients };
    },

    /**
     * Sets the plan of a group below the caller's (an agency sets its clients'; nobody sets their
     * own): a name and the limits given, the others unlimited.
     */
    async set(principal: Principal, body: { group_id: number; plan_name: string } & LimitsBody) {
      if (principal.roleId !== Roles.ADMIN) throw forbidden('Only an Admin user can set a plan');
      const group = await groupOfScope(principal, body.group_id);
      if (group.group_id === principal.groupId)
        throw forbidden('A plan is set by a group above: you cannot set your own group’s plan');
      const limits = Object.fromEntries(
        LIMITED_METERS.map((meter) => [meter, body[`max_${meter}`] ?? null]),
      ) as Limits;
      await repo.upsert(group.group_id, body.plan_name, limits, principal.userId, clock.now());
      return this.get(principal, { group_id: group.group_id });
    },

    /**
     * Refuses an action that would take the subtree's plan past its limit of `meter`: numbers or
     * users (counted now), or minutes, texts or transcription minutes (counted in the calendar
     * month, UTC, of `at`). Runs in the action's transaction with the plan's row locked, so two
     * concurrent actions cannot both take the last one.
     */
    async check(tx: Queryable, groupId: number, meter: LimitedMeter, adding = 1, at?: Date): Promise<void> {
      const allowed = await this.allowance(tx, groupId, meter, at);
      if (allowed && allowed.left < adding) throw forbidden(allowed.reached);
    },

    /**
     * How many more of `meter` the subtree's plan allows (undefined: no limit), and the error an
     * action past it answers; counted as `check` counts, with the plan's row locked. For work
     * that takes many at once (a broadcast's batch of texts) with one count.
     */
    async allowance(
      tx: Queryable,
      groupId: number,
      meter: LimitedMeter,
      at?: Date,
    ): Promise<{ left: number; reached: string } | undefined> {
      const txRepo = createSubscriptionsRepo(tx);
      const plan = await txRepo.governing(groupId, true);
      const limit = plan?.limits[meter];
      if (!plan || limit === null || limit === undefined) return undefined;
      const inUse = await meterUsage(tx, plan.group_id, meter, at ?? clock.now());
      return { left: limit - inUse, reached: limitReached(plan.plan_name, meter, limit) };
    },
  };
}

export type SubscriptionsService = ReturnType<typeof createSubscriptionsService>;

/** What the actions that count against a plan need of it. */
export type PlanLimits = Pick<SubscriptionsService, 'check' | 'allowance'>;

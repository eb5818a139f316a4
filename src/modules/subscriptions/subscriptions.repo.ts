import type { Queryable } from '../../db/index.js';
import { isoTime } from '../shared/sql.js';

/** Plans and their usage (migration 0061): the only SQL on group_subscription and the meters. */

export const LIMITED_METERS = [
  'numbers',
  'inbound_minutes',
  'outbound_minutes',
  'texts',
  'transcription_minutes',
  'users',
] as const;
export type LimitedMeter = (typeof LIMITED_METERS)[number];

export type Limits = Record<LimitedMeter, number | null>;

export interface SubscriptionRow {
  group_id: number;
  plan_name: string;
  limits: Limits;
  subscription_modified: string;
}

interface RawRow {
  group_id: number;
  plan_name: string;
  max_numbers: number | null;
  max_inbound_minutes: number | null;
  max_outbound_minutes: number | null;
  max_texts: number | null;
  max_transcription_minutes: number | null;
  max_users: number | null;
  subscription_modified: string;
}

const COLUMNS = `s.group_id, s.plan_name, s.max_numbers, s.max_inbound_minutes, s.max_outbound_minutes, s.max_texts,
  s.max_transcription_minutes, s.max_users, ${isoTime('s.subscription_modified')} as subscription_modified`;

const toRow = (raw: RawRow): SubscriptionRow => ({
  group_id: raw.group_id,
  plan_name: raw.plan_name,
  limits: Object.fromEntries(
    LIMITED_METERS.map((meter) => [meter, raw[`max_${meter}` as keyof RawRow] as number | null]),
  ) as Limits,
  subscription_modified: raw.subscription_modified,
});

/** Usage counted from the data over the subtree of a group and a time range [from, to). */
export interface CallUsage {
  inbound_minutes: number;
  outbound_minutes: number;
  inbound_calls: number;
  outbound_calls: number;
}

/** One alert: a plan group's meter past a threshold in a month (period: its first day). */
export interface AlertKey {
  group_id: number;
  period: string;
  meter: LimitedMeter;
  threshold: 80 | 100;
}

export interface UsageAlert extends AlertKey {
  used: number;
  limit: number;
}

export function createSubscriptionsRepo(db: Queryable) {
  return {
    /**
     * The plan that covers a group: its own, else the nearest group above it with one. With
     * `lock`, the plan's row is locked to the end of the transaction, so two writes that count
     * against one limit take turns.
     */
    async governing(groupId: number, lock = false): Promise<SubscriptionRow | undefined> {
      const { rows } = await db.query<RawRow>(
        `select ${COLUMNS} from group_subscription s
           join org_group g on g.group_id = $1
          where s.group_id = any(g.path)
          order by array_position(g.path, s.group_id) desc limit 1
          ${lock ? 'for update of s' : ''}`,
        [groupId],
      );
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    async find(groupId: number): Promise<SubscriptionRow | undefined> {
      const { rows } = await db.query<RawRow>(
        `select ${COLUMNS} from group_subscription s where s.group_id = $1`,
        [groupId],
      );
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    async upsert(
      groupId: number,
      planName: string,
      limits: Limits,
      userId: number,
      now: Date,
    ): Promise<void> {
      await db.query(
        `insert into group_subscription (group_id, plan_name, max_numbers, max_inbound_minutes, max_outbound_minutes,
                                         max_texts, max_transcription_minutes, max_users, set_by, subscription_modified)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (group_id) do update set plan_name = excluded.plan_name, max_numbers = excluded.max_numbers,
           max_inbound_minutes = excluded.max_inbound_minutes, max_outbound_minutes = excluded.max_outbound_minutes,
           max_texts = excluded.max_texts, max_transcription_minutes = excluded.max_transcription_minutes,
           max_users = excluded.max_users, set_by = excluded.set_by,
           subscription_modified = excluded.subscription_modified`,
        [
          groupId,
          planName,
          limits.numbers,
          limits.inbound_minutes,
          limits.outbound_minutes,
          limits.texts,
          limits.transcription_minutes,
          limits.users,
          userId,
          now,
        ],
      );
    },

    /** The groups right below a group (its clients), by name. */
    async children(groupId: number): Promise<{ group_id: number; group_name: string }[]> {
      const { rows } = await db.query<{ group_id: number; group_name: string }>(
        `select g.group_id, g.group_name from org_group g
          where g.group_parent_id = $1 order by g.group_name, g.group_id`,
        [groupId],
      );
      return rows;
    },

    /** Numbers the subtree holds now (reserved or assigned to a call flow). */
    async numbersHeld(groupId: number): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::integer as n from phone_number p
          where p.status in ('reserved', 'assigned')
            and p.group_id in (select s.group_id from org_group s where s.path @> array[$1::integer])`,
        [groupId],
      );
      return rows[0]?.n ?? 0;
    },

    /** Active users of the subtree. */
    async activeUsers(groupId: number): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::integer as n from app_user u
          where u.user_status = 'active'
            and u.group_id in (select s.group_id from org_group s where s.path @> array[$1::integer])`,
        [groupId],
      );
      return rows[0]?.n ?? 0;
    },

    /** Inbound and outbound minutes of the calls started in [from, to): each call rounded up to the minute. */
    async callUsage(groupId: number, from: Date, to: Date): Promise<CallUsage> {
      const { rows } = await db.query<CallUsage>(
        `select coalesce(sum(ceil(coalesce(c.duration_seconds, 0) / 60.0)) filter (where not c.is_outbound), 0)::integer
                  as inbound_minutes,
                coalesce(sum(ceil(coalesce(c.duration_seconds, 0) / 60.0)) filter (where c.is_outbound), 0)::integer
                  as outbound_minutes,
                (count(*) filter (where not c.is_outbound))::integer as inbound_calls,
                (count(*) filter (where c.is_outbound))::integer as outbound_calls
           from call c join org_group g on g.group_id = c.group_id
          where g.path @> array[$1::integer] and c.started_at >= $2 and c.started_at < $3`,
        [groupId, from, to],
      );
      return rows[0] as CallUsage;
    },

    /**
     * Transcription minutes: the calls started in [from, to) with a completed transcript, each
     * rounded up to the minute (until the analytics work records what the provider billed).
     */
    async transcriptionMinutes(groupId: number, from: Date, to: Date): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `select coalesce(sum(ceil(coalesce(c.duration_seconds, 0) / 60.0)), 0)::integer as n
           from call c join org_group g on g.group_id = c.group_id
           join call_transcript t on t.call_id = c.call_id and t.transcript_status = 'done'
          where g.path @> array[$1::integer] and c.started_at >= $2 and c.started_at < $3`,
        [groupId, from, to],
      );
      return rows[0]?.n ?? 0;
    },

    /** Minutes of the calls started in [from, to) whose transcript is on its way (`pending`). */
    async pendingTranscriptionMinutes(groupId: number, from: Date, to: Date): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `select coalesce(sum(ceil(coalesce(c.duration_seconds, 0) / 60.0)), 0)::integer as n
           from call c join org_group g on g.group_id = c.group_id
           join call_transcript t on t.call_id = c.call_id and t.transcript_status = 'pending'
          where g.path @> array[$1::integer] and c.started_at >= $2 and c.started_at < $3`,
        [groupId, from, to],
      );
      return rows[0]?.n ?? 0;
    },

    /** Every group with a plan of its own. */
    async planGroups(): Promise<number[]> {
      const { rows } = await db.query<{ group_id: number }>(
        'select group_id from group_subscription order by group_id',
      );
      return rows.map((row) => row.group_id);
    },

    /**
     * Records an alert unless it was recorded before (by this process or another): true when
     * this call recorded it, and so owns sending it.
     */
    async recordAlert(alert: UsageAlert, now: Date): Promise<boolean> {
      const { rows } = await db.query(
        `insert into usage_alert (group_id, period, meter, threshold, used, usage_limit, alert_created)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing returning group_id`,
        [alert.group_id, alert.period, alert.meter, alert.threshold, alert.used, alert.limit, now],
      );
      return rows.length === 1;
    },

    async findAlert(key: AlertKey): Promise<(UsageAlert & { sent: boolean }) | undefined> {
      const { rows } = await db.query<UsageAlert & { sent: boolean }>(
        `select group_id, to_char(period, 'YYYY-MM-DD') as period, meter, threshold, used,
                usage_limit as "limit", alert_sent is not null as sent
           from usage_alert where group_id = $1 and period = $2 and meter = $3 and threshold = $4`,
        [key.group_id, key.period, key.meter, key.threshold],
      );
      return rows[0];
    },

    async markAlertSent(key: AlertKey, now: Date): Promise<void> {
      await db.query(
        `update usage_alert set alert_sent = $5
          where group_id = $1 and period = $2 and meter = $3 and threshold = $4`,
        [key.group_id, key.period, key.meter, key.threshold, now],
      );
    },

    /** Who hears of a plan's alerts: the active Admins of its group and of the group above it. */
    async alertRecipients(groupId: number): Promise<string[]> {
      const { rows } = await db.query<{ user_email: string }>(
        `select distinct u.user_email from app_user u join org_group g on g.group_id = $1
          where u.user_status = 'active' and u.role_id = 1
            and (u.group_id = g.group_id or u.group_id = g.group_parent_id)
          order by u.user_email`,
        [groupId],
      );
      return rows.map((row) => row.user_email);
    },
  };
}

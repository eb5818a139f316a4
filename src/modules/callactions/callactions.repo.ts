import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';
import type { ActionKind } from './callactions.schemas.js';
import type { Rule } from './rules.js';

export interface CallActionRow {
  action_id: number;
  call_flow_id: number | null;
  group_id: number;
  is_default: boolean;
  action_order: number;
  action: ActionKind;
  action_target: string;
  post_process: boolean;
  action_status: string;
  rules: Rule[];
  created_by: number | null;
  created_at: string;
  updated_at: string | null;
}

export interface CallActionValues {
  action_order: number;
  action: ActionKind;
  action_target: string;
  post_process: boolean;
  action_status: 'active' | 'inactive';
  rules: Rule[];
}

export const callActionFilterFields: FilterFields = {
  action_id: { column: 'a.action_id', type: 'integer' },
  call_flow_id: { column: 'a.call_flow_id', type: 'integer' },
  group_id: { column: 'a.group_id', type: 'integer' },
  action: { column: 'a.action', type: 'string' },
  action_order: { column: 'a.action_order', type: 'integer' },
  action_status: { column: 'a.action_status', type: 'string' },
  post_process: { column: 'a.post_process', type: 'boolean' },
  created_at: { column: 'a.created_at', type: 'date' },
};

const COLUMNS = `a.action_id, a.call_flow_id, a.group_id, a.call_flow_id is null as is_default, a.action_order,
  a.action, a.action_target, a.post_process, a.action_status, a.rules, a.created_by,
  ${isoTime('a.created_at')} as created_at,
  case when a.updated_at is null then null else ${isoTime('a.updated_at')} end as updated_at`;

export interface ActionLogRow {
  action_id: number;
  action: string;
  action_target: string;
  status: string;
  outcome: string;
  attempts: number;
  created_at: string;
  finished_at: string | null;
}

export interface ActionOutcomeRow {
  call_id: number;
  status: string;
  outcome: string;
  attempts: number;
  created_at: string;
  finished_at: string | null;
}

export interface NotificationLogRow {
  kind: string;
  status: string;
  recipients: string;
  outcome: string;
  attempts: number;
  created_at: string;
  finished_at: string | null;
}

export function createCallActionsRepo(db: Queryable) {
  return {
    async insert(
      groupId: number,
      callFlowId: number | null,
      values: CallActionValues,
      userId: number,
      now: Date,
    ): Promise<number> {
      const { rows } = await db.query<{ action_id: number }>(
        `insert into call_action (group_id, call_flow_id, action_order, action, action_target, post_process,
                                  action_status, rules, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning action_id`,
        [
          groupId,
          callFlowId,
          values.action_order,
          values.action,
          values.action_target,
          values.post_process,
          values.action_status,
          JSON.stringify(values.rules),
          userId,
          now,
        ],
      );
      return (rows[0] as { action_id: number }).action_id;
    },

    async update(actionId: number, values: CallActionValues, now: Date): Promise<void> {
      await db.query(
        `update call_action set action_order = $2, action = $3, action_target = $4, post_process = $5,
                action_status = $6, rules = $7, updated_at = $8
          where action_id = $1`,
        [
          actionId,
          values.action_order,
          values.action,
          values.action_target,
          values.post_process,
          values.action_status,
          JSON.stringify(values.rules),
          now,
        ],
      );
    },

    /** A live (not deleted) action in the caller's groups, locked when `forUpdate`. */
    async find(
      scopeGroupId: number,
      actionId: number,
      forUpdate = false,
    ): Promise<CallActionRow | undefined> {
      const { rows } = await db.query<CallActionRow>(
        `select ${COLUMNS} from call_action a
          where a.action_id = $2 and a.action_status <> 'deleted' and ${inScope('a.group_id', '$1')}
          ${forUpdate ? 'for update' : ''}`,
        [scopeGroupId, actionId],
      );
      return rows[0];
    },

    async list(scopeGroupId: number, page: ListPage): Promise<CallActionRow[]> {
      const { rows } = await db.query<CallActionRow>(
        `select ${COLUMNS} from call_action a
          where a.action_status <> 'deleted' and ${inScope('a.group_id', '$1')}
            and ${whereClause(page.filter.conditions)}
          order by a.action_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /** Soft-deletes the live actions in scope; returns the ids deleted. */
    async remove(scopeGroupId: number, actionIds: readonly number[], now: Date): Promise<number[]> {
      const { rows } = await db.query<{ action_id: number }>(
        `update call_action a set action_status = 'deleted', updated_at = $3
          where a.action_id = any($2::integer[]) and a.action_status <> 'deleted'
            and ${inScope('a.group_id', '$1')}
          returning a.action_id`,
        [scopeGroupId, actionIds, now],
      );
      return rows.map((row) => row.action_id);
    },

    /** The group of a live call flow in the caller's groups. */
    async flowGroup(scopeGroupId: number, callFlowId: number): Promise<number | undefined> {
      const { rows } = await db.query<{ group_id: number }>(
        `select f.group_id from call_flow f
          where f.call_flow_id = $2 and f.call_flow_status <> 'deleted' and ${inScope('f.group_id', '$1')}`,
        [scopeGroupId, callFlowId],
      );
      return rows[0]?.group_id;
    },

    async isGroupInScope(scopeGroupId: number, groupId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from org_group g where g.group_id = $2 and ${inScope('g.group_id', '$1')}`,
        [scopeGroupId, groupId],
      );
      return rowCount > 0;
    },

    /** A webhook of the group or of a group above it (webhooks are inherited downwards). */
    async isWebhookVisible(groupId: number, webhookId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from webhook w join org_group g on g.group_id = $1
          where w.webhook_id = $2 and w.group_id = any(g.path)`,
        [groupId, webhookId],
      );
      return rowCount > 0;
    },

    async isActionInScope(scopeGroupId: number, actionId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from call_action a where a.action_id = $2 and ${inScope('a.group_id', '$1')}`,
        [scopeGroupId, actionId],
      );
      return rowCount > 0;
    },

    async isCallInScope(scopeGroupId: number, callId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from call c where c.call_id = $2 and ${inScope('c.group_id', '$1')}`,
        [scopeGroupId, callId],
      );
      return rowCount > 0;
    },

    async actionLog(callId: number): Promise<ActionLogRow[]> {
      const { rows } = await db.query<ActionLogRow>(
        `select l.action_id, a.action, a.action_target, l.status, l.outcome, l.attempts,
                ${isoTime('l.created_at')} as created_at,
                case when l.finished_at is null then null else ${isoTime('l.finished_at')} end as finished_at
           from call_action_log l join call_action a on a.action_id = l.action_id
          where l.call_id = $1
          order by a.action_order, l.action_id`,
        [callId],
      );
      return rows;
    },

    /** What one action did on its latest calls, newest first. */
    async outcomesOf(actionId: number, limit: number): Promise<ActionOutcomeRow[]> {
      const { rows } = await db.query<ActionOutcomeRow>(
        `select l.call_id::integer as call_id, l.status, l.outcome, l.attempts,
                ${isoTime('l.created_at')} as created_at,
                case when l.finished_at is null then null else ${isoTime('l.finished_at')} end as finished_at
           from call_action_log l
          where l.action_id = $1
          order by l.created_at desc, l.call_id desc
          limit $2`,
        [actionId, limit],
      );
      return rows;
    },

    async notificationLog(callId: number): Promise<NotificationLogRow[]> {
      const { rows } = await db.query<NotificationLogRow>(
        `select n.kind, n.status, n.recipients, n.outcome, n.attempts, ${isoTime('n.created_at')} as created_at,
                case when n.finished_at is null then null else ${isoTime('n.finished_at')} end as finished_at
           from call_notification n where n.call_id = $1 order by n.kind`,
        [callId],
      );
      return rows;
    },
  };
}

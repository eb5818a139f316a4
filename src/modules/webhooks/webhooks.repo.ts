import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';
import type { WebhookDelivery } from './webhooks.schemas.js';

export interface WebhookRow {
  webhook_id: number;
  webhook_name: string;
  target_url: string;
  org_unit_id: number;
  webhook_status: string;
  description: string;
  method: string;
  format: string;
  events: string[];
  created_at: string;
  updated_at: string | null;
}

export interface WebhookValues {
  group_id: number;
  webhook_name: string;
  description: string;
  target_url: string;
  webhook_status: string;
  method: string;
  format: string;
  events: string[];
}

export const webhookFilterFields: FilterFields = {
  webhook_id: { column: 'w.webhook_id', type: 'integer' },
  webhook_name: { column: 'w.webhook_name', type: 'string' },
  webhook_status: { column: 'w.webhook_status', type: 'string' },
  target_url: { column: 'w.target_url', type: 'string' },
  method: { column: 'w.method', type: 'string' },
  format: { column: 'w.format', type: 'string' },
};

export const deliveryFilterFields: FilterFields = {
  delivery_id: { column: 'd.delivery_id', type: 'integer' },
  status: { column: 'd.status', type: 'string' },
  event_type: { column: 'd.event_type', type: 'string' },
  created_at: { column: 'd.created_at', type: 'date' },
};

const COLUMNS = `w.webhook_id, w.webhook_name, w.target_url, w.group_id as org_unit_id, w.webhook_status,
  w.description, w.method, w.format, w.events, ${isoTime('w.created_at')} as created_at,
  case when w.updated_at is null then null else ${isoTime('w.updated_at')} end as updated_at`;

export function createWebhooksRepo(db: Queryable) {
  return {
    /**
     * The group's own webhooks, and with `withBelow` those of the groups below it too (the caller
     * has checked the group is in scope).
     */
    async listForGroup(groupId: number, page: ListPage, withBelow = false): Promise<WebhookRow[]> {
      const { rows } = await db.query<WebhookRow>(
        `select ${COLUMNS} from webhook w
          where ${withBelow ? inScope('w.group_id', '$1') : 'w.group_id = $1'} and ${whereClause(page.filter.conditions)}
          order by w.webhook_id limit $2 offset $3`,
        [groupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async findInScope(scopeGroupId: number, webhookId: number): Promise<WebhookRow | undefined> {
      const { rows } = await db.query<WebhookRow>(
        `select ${COLUMNS} from webhook w where w.webhook_id = $2 and ${inScope('w.group_id', '$1')}`,
        [scopeGroupId, webhookId],
      );
      return rows[0];
    },

    async insert(values: WebhookValues, secret: string, userId: number, now: Date): Promise<number> {
      const { rows } = await db.query<{ webhook_id: number }>(
        `insert into webhook (group_id, webhook_name, description, target_url, webhook_status, method, format,
                              events, signing_secret, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning webhook_id`,
        [
          values.group_id,
          values.webhook_name,
          values.description,
          values.target_url,
          values.webhook_status,
          values.method,
          values.format,
          values.events,
          secret,
          userId,
          now,
        ],
      );
      return (rows[0] as { webhook_id: number }).webhook_id;
    },

    async update(webhookId: number, values: WebhookValues, now: Date): Promise<number> {
      const { rowCount } = await db.query(
        `update webhook set group_id = $2, webhook_name = $3, description = $4, target_url = $5,
                webhook_status = $6, method = $7, format = $8, events = $9, updated_at = $10
          where webhook_id = $1`,
        [
          webhookId,
          values.group_id,
          values.webhook_name,
          values.description,
          values.target_url,
          values.webhook_status,
          values.method,
          values.format,
          values.events,
          now,
        ],
      );
      return rowCount;
    },

    /** Deliveries of webhooks in the caller's scope, newest first, each with its attempts. */
    async listDeliveries(
      scopeGroupId: number,
      by: { webhookId?: number | undefined; callId?: number | undefined },
      page: ListPage,
    ): Promise<WebhookDelivery[]> {
      const { rows } = await db.query<WebhookDelivery>(
        `select d.delivery_id, d.event_id::text as event_id, d.webhook_id, w.webhook_name, d.call_id, d.event_type,
                d.status, d.attempts, ${isoTime('d.created_at')} as created_at,
                case when d.completed_at is null then null else ${isoTime('d.completed_at')} end as completed_at,
                ${isoTime('d.give_up_at')} as give_up_at,
                coalesce((select json_agg(json_build_object(
                    'attempt_id', a.attempt_id, 'attempted_at', ${isoTime('a.attempted_at')},
                    'status_code', a.status_code, 'latency_ms', a.latency_ms, 'error', a.error,
                    'response_excerpt', a.response_excerpt) order by a.attempt_id)
                  from webhook_attempt a where a.delivery_id = d.delivery_id), '[]'::json) as attempt_log
           from webhook_delivery d join webhook w on w.webhook_id = d.webhook_id
          where ${inScope('w.group_id', '$1')}
            and ($4::integer is null or d.webhook_id = $4) and ($5::bigint is null or d.call_id = $5)
            and ${whereClause(page.filter.conditions)}
          order by d.delivery_id desc limit $2 offset $3`,
        [
          scopeGroupId,
          page.limit,
          page.offset,
          by.webhookId ?? null,
          by.callId ?? null,
          ...page.filter.params,
        ],
      );
      return rows;
    },

    async findDeliveryInScope(
      scopeGroupId: number,
      deliveryId: number,
    ): Promise<{ delivery_id: number; event_id: string; status: string } | undefined> {
      const { rows } = await db.query<{ delivery_id: number; event_id: string; status: string }>(
        `select d.delivery_id, d.event_id::text as event_id, d.status
           from webhook_delivery d join webhook w on w.webhook_id = d.webhook_id
          where d.delivery_id = $2 and ${inScope('w.group_id', '$1')}
          for update of d`,
        [scopeGroupId, deliveryId],
      );
      return rows[0];
    },

    /** A `webhook.test` delivery (no call), sent once: it gives up at its first failure. */
    async insertTestDelivery(
      webhookId: number,
      payload: unknown,
      now: Date,
    ): Promise<{ delivery_id: number; event_id: string }> {
      const { rows } = await db.query<{ delivery_id: number; event_id: string }>(
        `insert into webhook_delivery (event_id, webhook_id, call_id, event_type, payload, give_up_at, created_at)
         values (gen_random_uuid(), $1, null, 'webhook.test', $2, $3, $3)
         returning delivery_id::integer as delivery_id, event_id::text as event_id`,
        [webhookId, JSON.stringify(payload), now],
      );
      return rows[0] as { delivery_id: number; event_id: string };
    },

    /** Opens a finished delivery again, with a fresh retry window. */
    async reopenDelivery(deliveryId: number, giveUpAt: Date): Promise<void> {
      await db.query(
        `update webhook_delivery set status = 'pending', give_up_at = $2, completed_at = null
          where delivery_id = $1`,
        [deliveryId, giveUpAt],
      );
    },
  };
}

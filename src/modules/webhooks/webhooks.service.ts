import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { checkOutboundUrl } from '../../lib/outbound-url.js';
import { generateSecret } from '../../lib/secrets.js';
import type { Principal } from '../auth/principal.js';
import type { CallRecord } from '../calls/call-record.js';
import { createGroupsRepo } from '../groups/groups.repo.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { enqueueDelivery, enqueueRedelivery } from './webhook-delivery.js';
import {
  createWebhooksRepo,
  deliveryFilterFields,
  type WebhookRow,
  type WebhookValues,
  webhookFilterFields,
} from './webhooks.repo.js';
import {
  CALL_EVENTS,
  type WebhookCreate,
  type WebhookDelivery,
  type WebhookUpdate,
} from './webhooks.schemas.js';

/** The data of a test event: a call record as call events carry it, with example values. */
function exampleCallRecord(now: Date): CallRecord {
  const started = new Date(now.getTime() - 5 * 60_000);
  return {
    call_id: 0,
    call_flow_id: null,
    group_id: null,
    group_name: 'Example group',
    group_ext_id: null,
    campaign_id: null,
    campaign_name: 'Example campaign',
    channel_id: null,
    channel: 'Search: Google Ads',
    tracking_number: '8005550100',
    tracking_number_name: 'Example tracking number',
    caller_id: '2125550142',
    caller_name: 'Example Caller',
    caller_company: null,
    caller_address: null,
    caller_city: 'New York',
    caller_state: 'NY',
    caller_zip: '10001',
    ring_to: '8015550120',
    disposition: 'ANSWERED',
    duration: 95,
    repeat_call: false,
    call_started: started.toISOString(),
    call_answered: new Date(started.getTime() + 12_000).toISOString(),
    call_ended: new Date(started.getTime() + 95_000).toISOString(),
    call_value: null,
    key_path: '1',
    route_trail: ['m', 'm.1', 'ring:8015550120', 'answered'],
    is_outbound: false,
    call_source: 'carrier',
    line_type: null,
    assign_to: null,
    recording_url: null,
    voicemail_url: null,
    call_archived: false,
    tags: [],
    custom_sources: {},
    comments: [],
    attribution: null,
    indicator_scores: [],
  };
}

export interface WebhooksServiceDeps {
  db: Db;
  clock: Clock;
  allowPrivateTargets: boolean;
  retryHours: number;
}

/** True when the webhook exists in the caller's groups (call flows name webhooks by id). */
export async function isWebhookInScope(
  q: Queryable,
  scopeGroupId: number,
  webhookId: number,
): Promise<boolean> {
  return (await createWebhooksRepo(q).findInScope(scopeGroupId, webhookId)) !== undefined;
}

export function createWebhooksService({ db, clock, allowPrivateTargets, retryHours }: WebhooksServiceDeps) {
  const repo = createWebhooksRepo(db);

  async function requireGroup(q: Queryable, principal: Principal, field: string, groupId: number) {
    if (!(await createGroupsRepo(q).findInScope(principal.groupId, groupId)))
      throw invalidInput(`${field} ${groupId} is not a group you can access`);
  }

  async function requireTarget(url: string) {
    const reason = await checkOutboundUrl(url, allowPrivateTargets);
    if (reason) throw invalidInput(`webhook_Endpoint refused: ${reason}`);
  }

  return {
    async list(
      principal: Principal,
      query: ListQuery & { ouId: number; include_below?: boolean | undefined },
    ): Promise<WebhookRow[]> {
      await requireGroup(db, principal, 'ouId', query.ouId);
      return repo.listForGroup(
        query.ouId,
        toPage(query, webhookFilterFields, 3),
        query.include_below ?? false,
      );
    },

    /** Creates the webhook; the signing secret is returned here and never shown again. */
    async create(
      principal: Principal,
      body: WebhookCreate,
    ): Promise<{ insertId: number; signing_secret: string }> {
      await requireTarget(body.webhook_Endpoint);
      const secret = `whsec_${generateSecret(24)}`;
      const values: WebhookValues = {
        group_id: body.org_unit_id,
        webhook_name: body.webhook_Name,
        description: body.description ?? '',
        target_url: body.webhook_Endpoint,
        webhook_status: body.webhook_status ?? 'active',
        method: (body.method ?? 'POST').toUpperCase(),
        format: (body.format ?? 'json').toLowerCase(),
        events: body.events ?? [...CALL_EVENTS],
      };
      const insertId = await db.transaction(async (tx) => {
        await requireGroup(tx, principal, 'org_unit_id', body.org_unit_id);
        return createWebhooksRepo(tx).insert(values, secret, principal.userId, clock.now());
      });
      return { insertId, signing_secret: secret };
    },

    /** Changes the given fields; the others keep their values. */
    async update(principal: Principal, body: WebhookUpdate): Promise<{ affectedRows: number }> {
      if (body.webhook_Endpoint !== undefined) await requireTarget(body.webhook_Endpoint);
      return db.transaction(async (tx) => {
        const txRepo = createWebhooksRepo(tx);
        const existing = await txRepo.findInScope(principal.groupId, body.webhook_id);
        if (!existing) throw notFound('No record found');
        if (body.org_unit_id !== undefined)
          await requireGroup(tx, principal, 'org_unit_id', body.org_unit_id);
        const values: WebhookValues = {
          group_id: body.org_unit_id ?? existing.org_unit_id,
          webhook_name: body.webhook_Name ?? existing.webhook_name,
          description: body.description ?? existing.description,
          target_url: body.webhook_Endpoint ?? existing.target_url,
          webhook_status: body.webhook_status ?? existing.webhook_status,
          method: (body.method ?? existing.method).toUpperCase(),
          format: (body.format ?? existing.format).toLowerCase(),
          events: body.events ?? existing.events,
        };
        return { affectedRows: await txRepo.update(body.webhook_id, values, clock.now()) };
      });
    },

    async deliveries(
      principal: Principal,
      query: ListQuery & { webhook_id?: number | undefined; call_id?: number | undefined },
    ): Promise<WebhookDelivery[]> {
      if (query.webhook_id === undefined && query.call_id === undefined)
        throw invalidInput('Provide webhook_id or call_id');
      if (query.webhook_id !== undefined && !(await repo.findInScope(principal.groupId, query.webhook_id)))
        throw notFound('No record found');
      return repo.listDeliveries(
        principal.groupId,
        { webhookId: query.webhook_id, callId: query.call_id },
        toPage(query, deliveryFilterFields, 5),
      );
    },

    /**
     * Sends a `webhook.test` event (an example call record) to the webhook at once, whatever its
     * events and status; the delivery and its attempt show in the delivery log like any other.
     */
    async sendTest(
      principal: Principal,
      webhookId: number,
    ): Promise<{ delivery_id: number; event_id: string; status: 'pending' }> {
      return db.transaction(async (tx) => {
        const txRepo = createWebhooksRepo(tx);
        if (!(await txRepo.findInScope(principal.groupId, webhookId))) throw notFound('No record found');
        const delivery = await txRepo.insertTestDelivery(
          webhookId,
          exampleCallRecord(clock.now()),
          clock.now(),
        );
        await enqueueDelivery(tx, delivery.delivery_id);
        return { ...delivery, status: 'pending' as const };
      });
    },

    /** Sends a finished delivery again under the same event id, with a fresh retry window. */
    async redeliver(
      principal: Principal,
      deliveryId: number,
    ): Promise<{ delivery_id: number; event_id: string; status: 'pending' }> {
      return db.transaction(async (tx) => {
        const txRepo = createWebhooksRepo(tx);
        const delivery = await txRepo.findDeliveryInScope(principal.groupId, deliveryId);
        if (!delivery) throw notFound('No record found');
        if (delivery.status === 'pending') throw invalidInput(`Delivery ${deliveryId} is still pending`);
        await txRepo.reopenDelivery(deliveryId, new Date(clock.now().getTime() + retryHours * 3_600_000));
        await enqueueRedelivery(tx, deliveryId);
        return { delivery_id: deliveryId, event_id: delivery.event_id, status: 'pending' as const };
      });
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;

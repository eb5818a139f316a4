import type { FastifyBaseLogger } from 'fastify';
import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import { enqueue, type JobDeferral, type JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { lookupNpa } from '../misc/geo.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';
import { createSmsRepo, type QueuedText } from '../sms/sms.repo.js';
import { enqueueSmsStatuses } from '../sms/sms-events.js';
import type { PlanLimits } from '../subscriptions/subscriptions.service.js';
import type { BroadcastSender } from './broadcast-send.js';
import { nextAllowedTime } from './quiet-hours.js';
import { renderTemplate, segmentsOf } from './sms-text.js';

export { renderTemplate, segmentsOf };

/**
 * Broadcasts: a template with merge fields sent to contact lists from tracking numbers. Created
 * in one transaction with its recipients (numbers merged across lists, each with its body, its
 * time zone, its sender, round-robin over the numbers given, and the first moment outside the
 * group's quiet hours in that zone) and its job. The job (`sms.broadcast`) turns due recipients
 * into texts, a batch per transaction (pending -> queued with the text), each with its sender
 * number's next slot (the group's `messages_per_second`), up to QUEUE_AHEAD texts ahead of their
 * send; it sends the texts whose slots have come in batches (broadcast-send.ts), so a restart
 * resumes where it stopped and nobody gets two; it defers itself until the next slot or recipient.
 * A pause stops the sending too; a cancel fails the texts still waiting for their slot.
 */

export const BROADCAST_JOB = 'sms.broadcast';
export const CANCELED_BEFORE_SEND = 'the broadcast was canceled before this text was sent';
const BATCH = 200;
/** US dollars per SMS segment when the group set none (sms_group_setting.segment_price's default). */
export const DEFAULT_SEGMENT_PRICE = 0.0079;
/** The cost as money: to the cent's hundredth, as carriers price segments. */
const costOf = (segments: number, price: number) => Math.round(segments * price * 10_000) / 10_000;
/** The zone of a number whose area code names none (outside NANP, no contact zone). */
const FALLBACK_ZONE = 'America/New_York';

export interface BroadcastInput {
  group_id: number;
  broadcast_name: string;
  template: string;
  list_ids: number[];
  sender_numbers?: (string | number)[] | undefined;
  pool_id?: number | undefined;
  send_at?: string | undefined;
}

export interface EstimateInput {
  group_id: number;
  template: string;
  list_ids: number[];
}

/** What a broadcast would cost before it is sent: the rendered texts' segments times the price. */
export interface BroadcastEstimate {
  group_id: number;
  recipients: number;
  opted_out: number;
  total_segments: number;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  segment_price: number;
  estimated_cost: number;
  samples: { phone_number: string; body: string; segments: number; encoding: 'GSM-7' | 'UCS-2' }[];
}

export interface BroadcastRow {
  broadcast_id: number;
  group_id: number;
  broadcast_name: string;
  template: string;
  sender_numbers: string[];
  pool_id: number | null;
  list_ids: number[];
  send_at: string;
  status: 'scheduled' | 'paused' | 'canceled' | 'done';
  created_at: string;
  recipients: number;
  pending: number;
  queued: number;
  skipped: number;
  sent: number;
  delivered: number;
  failed: number;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  total_segments: number;
  segment_price: number;
  estimated_cost: number;
}

function zoneOf(phoneE164: string, contactZone: string | null): string {
  if (contactZone) return contactZone;
  const nanp = phoneE164.startsWith('+1') ? toNanp10(phoneE164) : undefined;
  return (nanp && lookupNpa(nanp.slice(0, 3))?.timezone) || FALLBACK_ZONE;
}

const BROADCAST_COLUMNS = `b.broadcast_id, b.group_id, b.broadcast_name, b.template, b.sender_numbers, b.pool_id, b.list_ids,
  (select coalesce(sum(r.segments), 0)::integer from sms_broadcast_recipient r
    where r.broadcast_id = b.broadcast_id and r.status <> 'skipped') as total_segments,
  coalesce((select s.segment_price from sms_group_setting s where s.group_id = b.group_id), ${DEFAULT_SEGMENT_PRICE})::float8
    as segment_price,
  ${isoTime('b.send_at')} as send_at, b.status, ${isoTime('b.created_at')} as created_at,
  (select count(*)::integer from sms_broadcast_recipient r where r.broadcast_id = b.broadcast_id) as recipients,
  (select count(*)::integer from sms_broadcast_recipient r where r.broadcast_id = b.broadcast_id and r.status = 'pending') as pending,
  (select count(*)::integer from sms_broadcast_recipient r where r.broadcast_id = b.broadcast_id and r.status = 'queued') as queued,
  (select count(*)::integer from sms_broadcast_recipient r where r.broadcast_id = b.broadcast_id and r.status = 'skipped') as skipped,
  (select count(*)::integer from sms_broadcast_recipient r join sms_message m on m.message_id = r.message_id
    where r.broadcast_id = b.broadcast_id and m.status in ('queued', 'sent', 'delivered')) as sent,
  (select count(*)::integer from sms_broadcast_recipient r join sms_message m on m.message_id = r.message_id
    where r.broadcast_id = b.broadcast_id and m.status = 'delivered') as delivered,
  (select count(*)::integer from sms_broadcast_recipient r join sms_message m on m.message_id = r.message_id
    where r.broadcast_id = b.broadcast_id and m.status in ('failed', 'undelivered')) as failed`;

type StoredBroadcast = Omit<BroadcastRow, 'segments' | 'encoding' | 'estimated_cost'>;

const withFigures = (row: StoredBroadcast): BroadcastRow => ({
  ...row,
  ...segmentsOf(row.template),
  estimated_cost: costOf(row.total_segments, row.segment_price),
});

interface ListContact {
  contact_id: number;
  phone_number: string;
  first_name: string | null;
  last_name: string | null;
  time_zone: string | null;
  custom_fields: Record<string, string>;
}

/** The lists' contacts, each number once (the first list's contact wins); a list not in the group -> 400. */
async function contactsOf(tx: Queryable, groupId: number, listIds: number[]): Promise<ListContact[]> {
  const { rows: lists } = await tx.query<{ list_id: number }>(
    `select list_id from sms_contact_list l where l.list_id = any($2::integer[]) and ${inScope('l.group_id', '$1')}`,
    [groupId, listIds],
  );
  const missing = listIds.filter((id) => !lists.some((list) => list.list_id === id));
  if (missing.length > 0)
    throw invalidInput(`list_ids ${missing.join(', ')}: no such contact list in the group`);
  const { rows } = await tx.query<ListContact>(
    `select distinct on (c.phone_number) c.contact_id, c.phone_number, c.first_name, c.last_name, c.time_zone,
            c.custom_fields
       from sms_contact c where c.list_id = any($1::integer[])
      order by c.phone_number, array_position($1::integer[], c.list_id), c.contact_id`,
    [listIds],
  );
  return rows;
}

const bodyFor = (template: string, contact: ListContact) =>
  renderTemplate(template, {
    ...contact.custom_fields,
    first_name: contact.first_name,
    last_name: contact.last_name,
    phone_number: toNanp10(contact.phone_number) ?? contact.phone_number,
  });

export const broadcastFilterFields: FilterFields = {
  broadcast_id: { column: 'b.broadcast_id', type: 'integer' },
  group_id: { column: 'b.group_id', type: 'integer' },
  status: { column: 'b.status', type: 'string' },
  send_at: { column: 'b.send_at', type: 'date' },
};

export function createBroadcastsService({ db, clock }: { db: Db; clock: Clock }) {
  async function read(scopeGroupId: number, broadcastId: number): Promise<BroadcastRow> {
    const { rows } = await db.query<StoredBroadcast>(
      `select ${BROADCAST_COLUMNS} from sms_broadcast b where b.broadcast_id = $2 and ${inScope('b.group_id', '$1')}`,
      [scopeGroupId, broadcastId],
    );
    const row = rows[0];
    if (!row) throw notFound('No broadcast found');
    return withFigures(row);
  }

  return {
    get: (principal: Principal, id: number) => read(principal.groupId, id),

    async list(principal: Principal, query: ListQuery): Promise<BroadcastRow[]> {
      const page = toPage(query, broadcastFilterFields, 3);
      const { rows } = await db.query<StoredBroadcast>(
        `select ${BROADCAST_COLUMNS} from sms_broadcast b
          where ${inScope('b.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by b.broadcast_id desc limit $2 offset $3`,
        [principal.groupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows.map(withFigures);
    },

    async create(principal: Principal, input: BroadcastInput): Promise<BroadcastRow> {
      const smsRepo = createSmsRepo(db);
      if (!(await smsRepo.groupInScope(principal.groupId, input.group_id))) throw notFound('No group found');
      const senders: string[] = [];
      if ((input.sender_numbers === undefined) === (input.pool_id === undefined))
        throw invalidInput('Give either sender_numbers or pool_id');
      if (input.pool_id !== undefined) {
        const pool = await poolNumbers(db, input.group_id, input.pool_id);
        if (pool.length === 0)
          throw invalidInput(
            `pool_id ${input.pool_id} is not a number pool of a flow of group ${input.group_id}`,
          );
        senders.push(...pool);
      }
      for (const raw of input.sender_numbers ?? []) {
        const number = toNanp10(raw);
        const sender = number ? await smsRepo.senderNumber(input.group_id, number) : undefined;
        if (!number || !sender)
          throw invalidInput(`sender_numbers ${raw} is not a tracking number of group ${input.group_id}`);
        if (!senders.includes(number)) senders.push(number);
      }
      const sendAt = input.send_at ? new Date(input.send_at) : clock.now();
      if (Number.isNaN(sendAt.getTime())) throw invalidInput(`send_at ${input.send_at} is not a date`);
      const settings = await smsRepo.settings(input.group_id);
      const quiet = { start: settings?.quiet_start ?? '21:00', end: settings?.quiet_end ?? '08:00' };
      const broadcastId = await db.transaction(async (tx) => {
        const contacts = await contactsOf(tx, input.group_id, input.list_ids);
        const { rows: created } = await tx.query<{ broadcast_id: number }>(
          `insert into sms_broadcast (group_id, broadcast_name, template, sender_numbers, pool_id, list_ids, send_at,
                                      status, created_by, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, 'scheduled', $8, $9) returning broadcast_id`,
          [
            input.group_id,
            input.broadcast_name,
            input.template,
            senders,
            input.pool_id ?? null,
            input.list_ids,
            sendAt,
            principal.userId,
            clock.now(),
          ],
        );
        const broadcastId = (created[0] as { broadcast_id: number }).broadcast_id;
        const recipients = contacts.map((contact, index) => {
          const zone = zoneOf(contact.phone_number, contact.time_zone);
          const body = bodyFor(input.template, contact);
          return {
            phone_number: contact.phone_number,
            contact_id: contact.contact_id,
            sender_number: senders[index % senders.length] as string,
            body,
            segments: segmentsOf(body).segments,
            time_zone: zone,
            not_before: nextAllowedTime(sendAt, zone, quiet.start, quiet.end).toISOString(),
          };
        });
        await tx.query(
          `insert into sms_broadcast_recipient (broadcast_id, phone_number, contact_id, sender_number, body, segments,
                                                time_zone, not_before)
           select $1, x.phone_number, x.contact_id, x.sender_number, x.body, x.segments, x.time_zone, x.not_before
             from jsonb_to_recordset($2::jsonb) as x(phone_number text, contact_id integer, sender_number text,
                                                    body text, segments integer, time_zone text,
                                                    not_before timestamptz)`,
          [broadcastId, JSON.stringify(recipients)],
        );
        await enqueue(tx, {
          kind: BROADCAST_JOB,
          payload: { broadcastId },
          dedupeKey: `${BROADCAST_JOB}:${broadcastId}`,
          runAt: sendAt,
        });
        return broadcastId;
      });
      return read(principal.groupId, broadcastId);
    },

    /**
     * The cost of a broadcast before it is created: each list contact's text rendered and counted
     * (GSM-7 or UCS-2 segments), those who opted out of the group left out, times the group's
     * segment price. Nothing is written.
     */
    async estimate(principal: Principal, input: EstimateInput): Promise<BroadcastEstimate> {
      const smsRepo = createSmsRepo(db);
      if (!(await smsRepo.groupInScope(principal.groupId, input.group_id))) throw notFound('No group found');
      const contacts = await contactsOf(db, input.group_id, input.list_ids);
      const { rows: optedOut } = await db.query<{ contact_number: string }>(
        'select contact_number from sms_opt_out where group_id = $1 and opted_out',
        [input.group_id],
      );
      const blocked = new Set(optedOut.map((row) => row.contact_number));
      const price = (await smsRepo.settings(input.group_id))?.segment_price ?? DEFAULT_SEGMENT_PRICE;
      const texts = contacts
        .filter((contact) => !blocked.has(toNanp10(contact.phone_number) ?? contact.phone_number))
        .map((contact) => {
          const body = bodyFor(input.template, contact);
          return { phone_number: contact.phone_number, body, ...segmentsOf(body) };
        });
      const totalSegments = texts.reduce((sum, text) => sum + text.segments, 0);
      return {
        group_id: input.group_id,
        recipients: texts.length,
        opted_out: contacts.length - texts.length,
        total_segments: totalSegments,
        ...segmentsOf(input.template),
        segment_price: price,
        estimated_cost: costOf(totalSegments, price),
        samples: texts.slice(0, 3),
      };
    },

    /** pause, resume or cancel; a canceled or finished broadcast stays so. */
    async act(
      principal: Principal,
      broadcastId: number,
      action: 'pause' | 'resume' | 'cancel',
    ): Promise<BroadcastRow> {
      const current = await read(principal.groupId, broadcastId);
      if (current.status === 'canceled' || current.status === 'done')
        throw invalidInput(`Broadcast ${broadcastId} is ${current.status}`);
      const status = action === 'pause' ? 'paused' : action === 'cancel' ? 'canceled' : 'scheduled';
      await db.transaction(async (tx) => {
        await tx.query('update sms_broadcast set status = $2, updated_at = $3 where broadcast_id = $1', [
          broadcastId,
          status,
          clock.now(),
        ]);
        if (action === 'cancel') {
          await tx.query(
            `update sms_broadcast_recipient set status = 'skipped', skip_reason = 'canceled'
              where broadcast_id = $1 and status = 'pending'`,
            [broadcastId],
          );
          // texts queued for a slot that has not come yet are not sent either
          const { rows: unsent } = await tx.query<{ message_id: number }>(
            `update sms_message set status = 'failed', error_message = $3, updated_at = $2
              where status = 'accepted' and purpose = 'broadcast'
                and idempotency_key like 'broadcast:' || $1::text || ':%'
              returning message_id::integer as message_id`,
            [broadcastId, clock.now(), CANCELED_BEFORE_SEND],
          );
          await enqueueSmsStatuses(
            tx,
            unsent.map((row) => ({ messageId: row.message_id, status: 'failed' })),
          );
        }
        // resume: the job runs again (a new one when the old one finished while paused)
        if (action === 'resume')
          await enqueue(tx, {
            kind: BROADCAST_JOB,
            payload: { broadcastId },
            dedupeKey: `${BROADCAST_JOB}:${broadcastId}:resume:${clock.now().getTime()}`,
          });
      });
      return read(principal.groupId, broadcastId);
    },
  };
}

/** The sender numbers of a DNI pool of a flow of the group (or below), in order; none: no such pool. */
async function poolNumbers(q: Queryable, groupId: number, poolId: number): Promise<string[]> {
  const { rows } = await q.query<{ number: string }>(
    `select p.number from phone_number p
      where p.pool_id = $2
        and exists (select 1 from call_flow f where f.pool_id = p.pool_id and f.call_flow_status <> 'deleted'
                      and ${inScope('f.group_id', '$1')})
      order by p.number`,
    [groupId, poolId],
  );
  return rows.map((row) => row.number);
}

/**
 * One batch of due recipients turned into texts, each with its sender number's next slot, in one
 * transaction (the broadcast's job sends them when their slots come: broadcast-send.ts). Quiet hours
 * are read again at send time, in each recipient's zone, with the group's settings as they are
 * now: a recipient who became due inside them (a pause that ended at night, a backlog, settings
 * changed since the broadcast was created) waits for their end instead.
 */
async function queueDue(
  tx: Queryable,
  broadcastId: number,
  now: Date,
  limits: PlanLimits | undefined,
): Promise<void> {
  const { rows: due } = await tx.query<{
    phone_number: string;
    sender_number: string;
    body: string;
    group_id: number;
    time_zone: string;
    quiet_start: string;
    quiet_end: string;
    opted_out: boolean;
  }>(
    `select r.phone_number, r.sender_number, r.body, b.group_id, r.time_zone,
            coalesce(s.quiet_start, '21:00') as quiet_start, coalesce(s.quiet_end, '08:00') as quiet_end,
            coalesce((select o.opted_out from sms_opt_out o
                       where o.group_id = b.group_id
                         and o.contact_number = coalesce(${nanpSql('r.phone_number')}, r.phone_number)), false) as opted_out
       from sms_broadcast_recipient r join sms_broadcast b on b.broadcast_id = r.broadcast_id
            left join sms_group_setting s on s.group_id = b.group_id
      where r.broadcast_id = $1 and r.status = 'pending' and r.not_before <= $2
      order by r.not_before, r.phone_number
      limit ${BATCH}
      for update of r skip locked`,
    [broadcastId, now],
  );
  const repo = createSmsRepo(tx);
  const rates = new Map<number, number>();
  /** each sender number's flow (the texts' attribution), read once per batch */
  const senders = new Map<string, Awaited<ReturnType<typeof repo.senderNumber>>>();
  const texts: (QueuedText & { phoneNumber: string })[] = [];
  /** the plan's texts left this month, counted once per batch (null: no limit) */
  let textsLeft: { left: number; reached: string } | null | undefined;
  /** The sender's messages per second: the setting of the group its texts are attributed to. */
  const rateOf = async (groupId: number) => {
    let rate = rates.get(groupId);
    if (rate === undefined) {
      rate = (await repo.settings(groupId))?.messages_per_second ?? 1;
      rates.set(groupId, rate);
    }
    return rate;
  };
  for (const recipient of due) {
    const contact = toNanp10(recipient.phone_number) ?? recipient.phone_number;
    const allowed = nextAllowedTime(now, recipient.time_zone, recipient.quiet_start, recipient.quiet_end);
    if (allowed.getTime() > now.getTime()) {
      await tx.query(
        'update sms_broadcast_recipient set not_before = $3 where broadcast_id = $1 and phone_number = $2',
        [broadcastId, recipient.phone_number, allowed],
      );
      continue;
    }
    if (recipient.opted_out) {
      await tx.query(
        `update sms_broadcast_recipient set status = 'skipped', skip_reason = 'opted out'
          where broadcast_id = $1 and phone_number = $2`,
        [broadcastId, recipient.phone_number],
      );
      continue;
    }
    // past the plan's texts this month: this recipient is skipped with the reason, as an opt-out
    textsLeft ??= (await limits?.allowance(tx, recipient.group_id, 'texts', now)) ?? null;
    if (textsLeft) {
      if (textsLeft.left <= 0) {
        await tx.query(
          `update sms_broadcast_recipient set status = 'skipped', skip_reason = $3
            where broadcast_id = $1 and phone_number = $2`,
          [broadcastId, recipient.phone_number, textsLeft.reached],
        );
        continue;
      }
      textsLeft.left -= 1;
    }
    let sender = senders.get(recipient.sender_number);
    if (!senders.has(recipient.sender_number)) {
      sender = await repo.senderNumber(recipient.group_id, recipient.sender_number);
      senders.set(recipient.sender_number, sender);
    }
    const groupId = sender?.group_id ?? recipient.group_id;
    texts.push({
      phoneNumber: recipient.phone_number,
      group_id: groupId,
      call_flow_id: sender?.call_flow_id ?? null,
      campaign_id: sender?.campaign_id ?? null,
      channel_id: sender?.channel_id ?? null,
      purpose: 'broadcast',
      idempotency_key: `broadcast:${broadcastId}:${recipient.phone_number}`,
      from_number: recipient.sender_number,
      to_number: contact,
      body: recipient.body,
      // the sender number's next slot: the broadcast's job sends the text when it has come
      interval_ms: 1000 / (await rateOf(groupId)),
    });
  }
  if (texts.length === 0) return;
  const queued = await repo.queueOutboundTexts(texts, now);
  await tx.query(
    `update sms_broadcast_recipient r set status = 'queued', message_id = u.message_id
       from unnest($2::text[], $3::bigint[]) as u(phone_number, message_id)
      where r.broadcast_id = $1 and r.phone_number = u.phone_number`,
    [
      broadcastId,
      texts.map((text) => text.phoneNumber),
      texts.map((text) => queued.get(text.idempotency_key) ?? null),
    ],
  );
}

const nanpSql = (column: string) =>
  `case when ${column} ~ '^\\+1[2-9][0-9]{2}[2-9][0-9]{6}$' then substr(${column}, 3) end`;

/** The longest wait for the next slot a broadcast's job sleeps through instead of deferring. */
const IN_PROCESS_WAIT_MS = 1000;
/** How long one run of a broadcast's job goes on before it hands its turn back to the queue. */
const RUN_MS = 5000;
/** Texts of a broadcast queued ahead of their send; more are queued when fewer are waiting. */
const QUEUE_AHEAD = 1000;

/**
 * The broadcast's texts waiting for their slot (accepted, not yet claimed for their send), counted
 * up to QUEUE_AHEAD, and the earliest slot.
 */
const WAITING_SQL = `select count(*)::integer as waiting, min(send_slot_at) as next_slot
   from (select send_slot_at from sms_message
          where status = 'accepted' and purpose = 'broadcast'
            and idempotency_key like 'broadcast:' || $1::text || ':%'
          order by send_slot_at limit ${QUEUE_AHEAD}) waiting`;

interface BroadcastState {
  /** the earliest not_before of a pending recipient; null: none is pending */
  nextRecipientAt: Date | null;
  /** texts waiting for their slot (up to QUEUE_AHEAD), and the earliest slot */
  waiting: number;
  nextSlotAt: Date | null;
}

export function registerBroadcastJob({
  db,
  clock,
  jobs,
  sender,
  logger,
  limits,
}: {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  sender: BroadcastSender;
  logger?: FastifyBaseLogger;
  /** the plan's texts limit: a recipient past it is skipped with the reason */
  limits?: PlanLimits | undefined;
}) {
  const waitingOf = async (tx: Queryable, broadcastId: number) =>
    (await tx.query<{ waiting: number; next_slot: Date | null }>(WAITING_SQL, [broadcastId])).rows[0] ?? {
      waiting: 0,
      next_slot: null,
    };

  /**
   * In one transaction: unless the broadcast stopped being scheduled, queues the next batch of due
   * recipients when fewer than QUEUE_AHEAD texts wait for their slot, and answers what is left
   * (marking the broadcast done when nothing is). Undefined: nothing more to do.
   */
  const refresh = (broadcastId: number, now: Date) =>
    db.transaction(async (tx): Promise<BroadcastState | undefined> => {
      const { rows } = await tx.query<{ status: string }>(
        'select status from sms_broadcast where broadcast_id = $1 for update',
        [broadcastId],
      );
      if (rows[0]?.status !== 'scheduled') return undefined;
      if ((await waitingOf(tx, broadcastId)).waiting < QUEUE_AHEAD)
        await queueDue(tx, broadcastId, now, limits);
      // the first entry of the due index
      const { rows: next } = await tx.query<{ next_at: Date | null }>(
        `select min(not_before) as next_at
           from sms_broadcast_recipient where broadcast_id = $1 and status = 'pending'`,
        [broadcastId],
      );
      const nextRecipientAt = next[0]?.next_at ?? null;
      const { waiting, next_slot } = await waitingOf(tx, broadcastId);
      if (nextRecipientAt === null && waiting === 0) {
        await tx.query("update sms_broadcast set status = 'done', updated_at = $2 where broadcast_id = $1", [
          broadcastId,
          now,
        ]);
        return undefined;
      }
      return { nextRecipientAt, waiting, nextSlotAt: next_slot };
    });

  /** Whether the broadcast is still scheduled (not paused, canceled or done). */
  const isScheduled = async (broadcastId: number) =>
    (
      await db.query<{ status: string }>('select status from sms_broadcast where broadcast_id = $1', [
        broadcastId,
      ])
    ).rows[0]?.status === 'scheduled';

  jobs.register(
    BROADCAST_JOB,
    async ({ broadcastId }: { broadcastId: number }): Promise<JobDeferral | undefined> => {
      const started = performance.now();
      // texts that can still be sent before more must be queued: while there are, a round only
      // checks that the broadcast is still scheduled, instead of counting what waits (refresh)
      let ahead = 0;
      for (;;) {
        const now = clock.now();
        const state = ahead > 0 ? await isScheduled(broadcastId) : await refresh(broadcastId, now);
        if (!state) return undefined;
        const { sent, freeAt } = await sender.sendDue(broadcastId);
        if (state !== true) ahead = state.waiting - QUEUE_AHEAD / 2;
        ahead -= sent;
        if (sent > 0) continue;
        // nothing was due: what comes next is known only from a full look
        if (state === true) {
          ahead = 0;
          continue;
        }
        const recipientsDue = state.nextRecipientAt !== null && state.nextRecipientAt <= now;
        if (recipientsDue && state.waiting < QUEUE_AHEAD) continue;
        const times = [recipientsDue ? null : state.nextRecipientAt, state.nextSlotAt, freeAt ?? null]
          .filter((time): time is Date => time !== null)
          .map((time) => time.getTime());
        // (a due text another run holds: look again shortly)
        const retryAt = new Date(Math.max(Math.min(...times, now.getTime() + 60_000), now.getTime() + 50));
        // The next slot is usually tens of milliseconds away: waited here, not through the job
        // queue (whose poll would add up to JOBS_POLL_INTERVAL_MS each time), for a few seconds
        // per run, so that a stopping process is not held up.
        const wait = retryAt.getTime() - now.getTime();
        if (clock.sleep && wait <= IN_PROCESS_WAIT_MS && performance.now() - started < RUN_MS) {
          await clock.sleep(wait);
          continue;
        }
        logger?.debug?.({ broadcastId, retryAt }, 'broadcast waits for its next text');
        return { retryAt };
      }
    },
  );
}

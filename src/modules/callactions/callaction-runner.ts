import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../../db/index.js';
import type { Clock } from '../../lib/clock.js';
import { sendOutbound } from '../../lib/outbound-url.js';
import { storableText } from '../../lib/text.js';
import { MailError, type Mailer, type MailLogger } from '../../mail/mailer.js';
import { type CallRecord, loadCallRecords } from '../calls/call-record.js';
import { createCallsRepo } from '../calls/calls.repo.js';
import { renderCallSummary } from '../email/call-data.js';
import { addTagsToCall } from '../tags/tags.service.js';
import { sendWebhookEvent } from '../webhooks/webhook-wire.js';
import type { CallActionRow } from './callactions.repo.js';
import { type CallFacts, evaluateRules } from './rules.js';
import { SmsError, type SmsSender } from './sms.js';

/**
 * Runs a completed call's actions. Each action runs once per call: a row in call_action_log,
 * keyed (call_id, action_id), is claimed before the action runs and holds its outcome after.
 * Database actions (tag, move, value) commit together with their log row, so they run exactly
 * once; outside effects (e-mail, SMS, HTTP) run at most once per claim and a claim left
 * 'running' by a crash is retried, so they run at least once and at most once in practice.
 */

export interface CallActionRunnerDeps {
  db: Db;
  clock: Clock;
  mailer: Mailer;
  sms: SmsSender;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS */
  allowPrivateTargets: boolean;
  httpTimeoutMs: number;
  logger?: MailLogger | undefined;
}

export type ActionStatus = 'succeeded' | 'failed' | 'skipped' | 'not matched';

export interface ActionOutcome {
  action_id: number;
  action: string;
  status: ActionStatus;
  outcome: string;
}

/** `completed`: the actions evaluated at hangup; `analytics`: the post_process ones. */
export type ActionPhase = 'completed' | 'analytics';

/** What the rules see of a call record: its fields and its indicator scores (once analysed). */
export function factsOf(record: CallRecord): CallFacts {
  return {
    fields: {
      duration: record.duration,
      disposition: record.disposition,
      caller_id: record.caller_id,
      caller_name: record.caller_name,
      caller_city: record.caller_city,
      caller_state: record.caller_state,
      caller_zip: record.caller_zip,
      tracking_number: record.tracking_number,
      channel: record.channel,
      channel_id: record.channel_id,
      campaign: record.campaign_name,
      campaign_id: record.campaign_id,
      call_flow_id: record.call_flow_id,
      group_id: record.group_id,
      key_path: record.key_path,
      call_value: record.call_value,
      tags: record.tags.filter((tag) => tag.tag_active).map((tag) => tag.tag_name),
      custom_source: Object.values(record.custom_sources).map((source) => source.custom_source_name),
      repeat_caller: record.repeat_call,
    },
    indicators: Object.fromEntries(record.indicator_scores.map((score) => [score.indicator_id, score.score])),
  };
}

const ACTION_COLUMNS = `a.action_id, a.call_flow_id, a.group_id, a.call_flow_id is null as is_default, a.action_order,
  a.action, a.action_target, a.post_process, a.action_status, a.rules, a.created_by,
  a.created_at::text as created_at, a.updated_at::text as updated_at`;

/**
 * The actions that apply to a call ($1): its flow's own active actions; when the flow has none,
 * the defaults of the nearest group (the flow's group, then each group above it) that has any.
 * The flow is a sub-select, not a join (see TARGETS_CTES in webhook-delivery.ts).
 */
export const ACTIONS_FOR_SQL = `with c as (
   select c.call_id, c.call_flow_id,
          coalesce((select f.group_id from call_flow f where f.call_flow_id = c.call_flow_id), c.group_id) as group_id
     from call c
    where c.call_id = $1),
 own as (
   select a.* from call_action a, c
    where a.call_flow_id = c.call_flow_id and a.action_status = 'active'),
 nearest as (
   select a.group_id from call_action a, c, org_group g
    where g.group_id = c.group_id and a.call_flow_id is null and a.action_status = 'active'
      and a.group_id = any(g.path)
    order by array_position(g.path, a.group_id) desc
    limit 1)
 select ${ACTION_COLUMNS} from own a
 union all
 select ${ACTION_COLUMNS} from call_action a
  where not exists (select 1 from own) and a.call_flow_id is null and a.action_status = 'active'
    and a.group_id = (select group_id from nearest)
 order by action_order, action_id`;

/**
 * Whether any action runs when the call ($1) completes (ACTIONS_FOR_SQL, not post-processing): the
 * completion step's `when` condition (call-lifecycle.ts).
 */
export const CALL_ACTIONS_WANTED_SQL = `exists (select 1 from (${ACTIONS_FOR_SQL}) a where not a.post_process)`;

/** The actions that apply to a call (ACTIONS_FOR_SQL). */
async function actionsFor(q: Queryable, callId: number): Promise<CallActionRow[]> {
  const { rows } = await q.query<CallActionRow>(ACTIONS_FOR_SQL, [callId], { prepare: 'call_actions_for' });
  return rows;
}

/** The same UUID-shaped event id for a call's action every time, so receivers can de-duplicate. */
function eventIdOf(callId: number, actionId: number): string {
  const hex = createHash('sha256').update(`call-action:${callId}:${actionId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A short text for SMS: who called which number and how it ended. */
function smsText(record: CallRecord): string {
  const duration = record.duration === null ? '' : `, ${record.duration}s`;
  const name = record.tracking_number_name ? ` (${record.tracking_number_name})` : '';
  return `Call ${record.call_id} from ${record.caller_id} to ${record.tracking_number}${name}: ${record.disposition}${duration}`;
}

/** Scalar fields of the record as form fields, for post_detail. */
function formFields(record: CallRecord): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(record)) {
    if (value === null || typeof value === 'object') continue;
    form.set(key, String(value));
  }
  form.set('tags', record.tags.map((tag) => tag.tag_name).join(','));
  return form.toString();
}

export function createCallActionRunner(deps: CallActionRunnerDeps) {
  const { db, clock, mailer, sms, logger } = deps;

  /** Claims the action for the call; false when it already ran (any outcome but 'running'). */
  async function claim(callId: number, actionId: number): Promise<boolean> {
    const { rowCount } = await db.query(
      `insert into call_action_log (call_id, action_id, status, created_at) values ($1, $2, 'running', $3)
       on conflict (call_id, action_id) do update set attempts = call_action_log.attempts + 1
        where call_action_log.status = 'running'`,
      [callId, actionId, clock.now()],
    );
    return rowCount > 0;
  }

  async function finish(
    q: Queryable,
    callId: number,
    actionId: number,
    status: ActionStatus,
    outcome: string,
  ) {
    await q.query(
      `update call_action_log set status = $3, outcome = $4, finished_at = $5
        where call_id = $1 and action_id = $2`,
      [callId, actionId, status, storableText(outcome, 2000), clock.now()],
    );
  }

  /** Runs an outside effect; its failure is the action's outcome, not an exception. */
  async function external(run: () => Promise<string>): Promise<[ActionStatus, string]> {
    try {
      return ['succeeded', await run()];
    } catch (error) {
      if (error instanceof MailError || error instanceof SmsError)
        return error.isNotConfigured ? ['skipped', `not sent: ${error.message}`] : ['failed', error.message];
      return ['failed', error instanceof Error ? error.message : String(error)];
    }
  }

  async function post(url: string, body: string, contentType: string, action: CallActionRow) {
    const response = await sendOutbound(url, {
      body,
      contentType,
      headers: { 'x-switchboard-action-id': String(action.action_id) },
      timeoutMs: deps.httpTimeoutMs,
      allowPrivate: deps.allowPrivateTargets,
    });
    if (response.status < 200 || response.status >= 300)
      throw new Error(`${url} answered ${response.status}`);
    return `posted to ${url}: ${response.status}`;
  }

  /**
   * A configured webhook (V2's `action_target` = webhook id): its URL, method and format, signed
   * with its secret like every webhook delivery, under an event id that is the same on a retry.
   */
  async function postToWebhook(
    webhookId: number,
    action: CallActionRow,
    record: CallRecord,
  ): Promise<string> {
    const { rows } = await db.query<{
      target_url: string;
      method: string;
      format: string;
      webhook_status: string;
      signing_secret: string;
    }>(
      'select target_url, method, format, webhook_status, signing_secret from webhook where webhook_id = $1',
      [webhookId],
    );
    const webhook = rows[0];
    if (!webhook) throw new Error(`webhook ${webhookId} does not exist`);
    if (webhook.webhook_status !== 'active') throw new Error(`webhook ${webhookId} is inactive`);
    const eventId = eventIdOf(record.call_id, action.action_id);
    const event = {
      event: 'call.action',
      event_id: eventId,
      occurred_at: clock.now().toISOString(),
      webhook_id: webhookId,
      action_id: action.action_id,
      data: record,
    };
    const response = await sendWebhookEvent(webhook, event, {
      now: clock.now(),
      timeoutMs: deps.httpTimeoutMs,
      allowPrivate: deps.allowPrivateTargets,
    });
    if (response.status < 200 || response.status >= 300)
      throw new Error(`webhook ${webhookId} answered ${response.status}`);
    return `posted to webhook ${webhookId}: ${response.status}`;
  }

  /** Runs the action and records its outcome in the log. */
  async function runOne(action: CallActionRow, record: CallRecord): Promise<[ActionStatus, string]> {
    const callId = record.call_id;
    if (
      action.action === 'tag_call' ||
      action.action === 'move_to_group' ||
      action.action === 'set_call_value'
    ) {
      // Database actions commit with their log row: exactly once.
      try {
        return await db.transaction(async (tx) => {
          const result = await applyToCall(tx, action, record);
          await finish(tx, callId, action.action_id, ...result);
          return result;
        });
      } catch (error) {
        const result: [ActionStatus, string] = [
          'failed',
          error instanceof Error ? error.message : String(error),
        ];
        await finish(db, callId, action.action_id, ...result);
        return result;
      }
    }
    const result = await runExternal(action, record);
    await finish(db, callId, action.action_id, ...result);
    return result;
  }

  function runExternal(action: CallActionRow, record: CallRecord): Promise<[ActionStatus, string]> {
    const target = action.action_target;
    switch (action.action) {
      case 'email_alert':
        return external(async () => {
          const summary = renderCallSummary(record, 'Call alert');
          const info = await mailer.send({
            to: target.split(','),
            subject: summary.subject,
            text: summary.text,
          });
          return `sent to ${info.accepted.join(', ')}: ${info.response}`;
        });
      case 'sms_alert':
        return external(async () => {
          const sids: string[] = [];
          for (const number of target.split(',')) sids.push(await sms.send(number, smsText(record)));
          return `sent to ${target} (${sids.join(', ')})`;
        });
      case 'webhook':
        if (/^\d+$/.test(target)) return external(() => postToWebhook(Number(target), action, record));
        return external(() =>
          post(
            target,
            JSON.stringify({ event: 'call.action', action_id: action.action_id, call: record }),
            'application/json',
            action,
          ),
        );
      default:
        return external(() => post(target, formFields(record), 'application/x-www-form-urlencoded', action));
    }
  }

  async function applyToCall(
    tx: Queryable,
    action: CallActionRow,
    record: CallRecord,
  ): Promise<[ActionStatus, string]> {
    const target = action.action_target;
    const callId = record.call_id;
    switch (action.action) {
      case 'tag_call': {
        await addTagsToCall(tx, callId, target.split(','), null, clock.now());
        return ['succeeded', `tagged ${target}`];
      }
      case 'move_to_group': {
        const groupId = Number(target);
        if (record.group_id === groupId) return ['skipped', `already in group ${target}`];
        await createCallsRepo(tx).move(callId, groupId, null, clock.now());
        return ['succeeded', `moved to group ${target}`];
      }
      default: {
        await tx.query('update call set call_value = $2 where call_id = $1', [callId, target]);
        return ['succeeded', `call value set to ${target}`];
      }
    }
  }

  return {
    /**
     * Evaluates and runs the call's actions in action_order; idempotent, so the job queue may
     * run it again after a failure or a crash. Returns what each action did this time.
     */
    async runCallActions(callId: number, phase: ActionPhase = 'completed'): Promise<ActionOutcome[]> {
      const actions = (await actionsFor(db, callId)).filter(
        (action) => action.post_process === (phase === 'analytics'),
      );
      if (actions.length === 0) return [];
      const outcomes: ActionOutcome[] = [];
      for (const action of actions) {
        if (!(await claim(callId, action.action_id))) continue;
        // Reloaded per action so a rule sees what earlier actions did (a tag just added).
        const [record] = await loadCallRecords(db, [callId]);
        if (!record) return outcomes;
        let status: ActionStatus;
        let outcome: string;
        if (evaluateRules(action.rules, factsOf(record))) {
          [status, outcome] = await runOne(action, record);
        } else {
          [status, outcome] = ['not matched', 'the rules did not hold'];
          await finish(db, callId, action.action_id, status, outcome);
        }
        logger?.info({ callId, actionId: action.action_id, action: action.action, status }, 'call action');
        outcomes.push({ action_id: action.action_id, action: action.action, status, outcome });
      }
      return outcomes;
    },
  };
}

export type CallActionRunner = ReturnType<typeof createCallActionRunner>;

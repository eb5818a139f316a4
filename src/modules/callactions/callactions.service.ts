import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { checkOutboundUrl } from '../../lib/outbound-url.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { parseEmailList } from '../email/call-data.js';
import { applyEntries, type EntryResult } from '../shared/entries.js';
import { type ListQuery, toPage } from '../shared/list.js';
import {
  type CallActionRow,
  type CallActionValues,
  callActionFilterFields,
  createCallActionsRepo,
} from './callactions.repo.js';
import type { ActionKind, CallActionUpdate, NewCallAction } from './callactions.schemas.js';
import { type Rule, rulesReason } from './rules.js';

export interface CallActionServiceDeps {
  db: Db;
  clock: Clock;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: URLs on private or loopback addresses are allowed */
  allowPrivateTargets: boolean;
}

const splitList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** The target a kind of action takes, normalised, or the reason it is not one. */
async function checkTarget(
  action: ActionKind,
  target: string,
  checks: {
    isGroupInScope: (groupId: number) => Promise<boolean>;
    /** true when the webhook belongs to the action's group or a group above it */
    isWebhookVisible: (webhookId: number) => Promise<boolean>;
    allowPrivate: boolean;
  },
): Promise<string> {
  const text = target.trim();
  switch (action) {
    case 'email_alert': {
      const emails = parseEmailList(text);
      if (!emails) throw invalidInput('action_target must be e-mail addresses separated by commas');
      return emails.join(',');
    }
    case 'sms_alert': {
      const numbers = splitList(text).map((item) => toNanp10(item));
      if (numbers.length === 0 || numbers.some((number) => number === undefined))
        throw invalidInput('action_target must be 10-digit phone numbers separated by commas');
      return numbers.join(',');
    }
    case 'tag_call': {
      const names = splitList(text);
      if (names.length === 0 || names.some((name) => name.length > 255))
        throw invalidInput('action_target must be tag names (up to 255 characters) separated by commas');
      return names.join(',');
    }
    case 'webhook':
    case 'post_detail': {
      if (action === 'webhook' && /^\d{1,10}$/.test(text)) {
        if (!(await checks.isWebhookVisible(Number(text))))
          throw invalidInput(`action_target ${text} is not a webhook of this group or a group above it`);
        return String(Number(text));
      }
      const reason = await checkOutboundUrl(text, checks.allowPrivate);
      if (reason) throw invalidInput(`action_target ${reason}`);
      return text;
    }
    case 'move_to_group': {
      if (!/^\d{1,10}$/.test(text) || !(await checks.isGroupInScope(Number(text))))
        throw invalidInput(`action_target ${text} is not a group of your groups`);
      return String(Number(text));
    }
    case 'set_call_value': {
      if (!/^\d{1,10}(\.\d{1,2})?$/.test(text))
        throw invalidInput('action_target must be an amount such as 25 or 25.50');
      return text;
    }
  }
}

/** Rules as stored: comparators as text, without fields left out. */
function normaliseRules(rules: readonly (Omit<Rule, 'comparator'> & { comparator: unknown })[]): Rule[] {
  const stored = rules.map((rule) => ({ ...rule, comparator: String(rule.comparator) }));
  const reason = rulesReason(stored);
  if (reason) throw invalidInput(reason);
  return stored;
}

export function createCallActionsService({ db, clock, allowPrivateTargets }: CallActionServiceDeps) {
  async function values(
    q: Queryable,
    principal: Principal,
    groupId: number,
    entry: Omit<CallActionValues, 'rules'> & {
      rules: readonly (Omit<Rule, 'comparator'> & { comparator: unknown })[];
    },
  ): Promise<CallActionValues> {
    const repo = createCallActionsRepo(q);
    return {
      ...entry,
      action_target: await checkTarget(entry.action, entry.action_target, {
        isGroupInScope: (target) => repo.isGroupInScope(principal.groupId, target),
        isWebhookVisible: (webhookId) => repo.isWebhookVisible(groupId, webhookId),
        allowPrivate: allowPrivateTargets,
      }),
      rules: normaliseRules(entry.rules),
    };
  }

  return {
    /** Each entry in its own transaction; `[{result, data: action_id, entry_count}]`. */
    create(principal: Principal, entries: readonly NewCallAction[]): Promise<EntryResult[]> {
      return applyEntries(db, entries, async (tx, entry) => {
        const repo = createCallActionsRepo(tx);
        let groupId: number;
        let callFlowId: number | null = null;
        if (entry.call_flow_id !== undefined) {
          if (entry.group_id !== undefined)
            throw invalidInput('Give call_flow_id or group_id, not both: an action belongs to one of them');
          const flowGroup = await repo.flowGroup(principal.groupId, entry.call_flow_id);
          if (flowGroup === undefined)
            throw invalidInput(`call_flow_id ${entry.call_flow_id} is not a call flow of your groups`);
          groupId = flowGroup;
          callFlowId = entry.call_flow_id;
        } else {
          groupId = entry.group_id ?? principal.groupId;
          if (!(await repo.isGroupInScope(principal.groupId, groupId)))
            throw invalidInput(`group_id ${groupId} is not a group of your groups`);
        }
        const checked = await values(tx, principal, groupId, {
          action_order: entry.action_order ?? 1,
          action: entry.action,
          action_target: entry.action_target,
          post_process: entry.post_process ?? false,
          action_status: entry.action_status ?? 'active',
          rules: entry.rules ?? [],
        });
        return repo.insert(groupId, callFlowId, checked, principal.userId, clock.now());
      });
    },

    /** Changes the fields given; `rules`, when given, replaces the whole rule list. */
    update(principal: Principal, change: CallActionUpdate): Promise<CallActionRow> {
      return db.transaction(async (tx) => {
        const repo = createCallActionsRepo(tx);
        const current = await repo.find(principal.groupId, change.action_id, true);
        if (!current) throw notFound('No record found');
        const checked = await values(tx, principal, current.group_id, {
          action_order: change.action_order ?? current.action_order,
          action: change.action ?? current.action,
          action_target: change.action_target ?? current.action_target,
          post_process: change.post_process ?? current.post_process,
          action_status: change.action_status ?? (current.action_status as 'active' | 'inactive'),
          rules: change.rules ?? current.rules,
        });
        await repo.update(current.action_id, checked, clock.now());
        return (await repo.find(principal.groupId, current.action_id)) as CallActionRow;
      });
    },

    async get(principal: Principal, actionId: number): Promise<CallActionRow> {
      const row = await createCallActionsRepo(db).find(principal.groupId, actionId);
      if (!row) throw notFound('No record found');
      return row;
    },

    list(principal: Principal, query: ListQuery): Promise<CallActionRow[]> {
      return createCallActionsRepo(db).list(principal.groupId, toPage(query, callActionFilterFields, 3));
    },

    /** All or nothing, as DELETE /v2/tag. */
    remove(principal: Principal, actionIds: readonly number[]): Promise<number[]> {
      const wanted = [...new Set(actionIds)];
      return db.transaction(async (tx) => {
        const removed = new Set(
          await createCallActionsRepo(tx).remove(principal.groupId, wanted, clock.now()),
        );
        const refused = wanted.filter((id) => !removed.has(id));
        if (refused.length > 0)
          throw invalidInput('Call Action(s) not permissible for deletion', {
            err: [`Call Action(s) not permissible for deletion : ${refused.join(', ')}`],
          });
        return wanted;
      });
    },

    /** What an action of the caller's groups did on its latest calls (deleted actions too: the log keeps them). */
    async outcomes(principal: Principal, actionId: number, limit: number) {
      const repo = createCallActionsRepo(db);
      if (!(await repo.isActionInScope(principal.groupId, actionId))) throw notFound('No record found');
      return repo.outcomesOf(actionId, limit);
    },

    /** What the call's actions and notifications did. */
    async log(principal: Principal, callId: number) {
      const repo = createCallActionsRepo(db);
      if (!(await repo.isCallInScope(principal.groupId, callId))) throw notFound('No record found');
      return {
        call_id: callId,
        actions: await repo.actionLog(callId),
        notifications: await repo.notificationLog(callId),
      };
    },
  };
}

export type CallActionsService = ReturnType<typeof createCallActionsService>;

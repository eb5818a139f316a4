import type { Db } from '../../db/index.js';
import { notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { createSmsRepo } from './sms.repo.js';

export interface SmsSettings {
  group_id: number;
  help_text: string | null;
  quiet_start: string;
  quiet_end: string;
  messages_per_second: number;
  /** US dollars per SMS segment: the cost estimate of broadcasts */
  segment_price: number;
}

/** A group's text settings: the HELP answer, broadcast quiet hours and per-number rate. */
export function createSmsSettingsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createSmsRepo(db);

  async function read(principal: Principal, groupId: number): Promise<SmsSettings> {
    const settings = (await repo.groupInScope(principal.groupId, groupId))
      ? await repo.settings(groupId)
      : undefined;
    if (!settings) throw notFound('No group found');
    const { group_name: _name, ...rest } = settings;
    return rest;
  }

  return {
    get: read,

    async update(
      principal: Principal,
      change: { group_id: number } & Partial<Omit<SmsSettings, 'group_id'>>,
    ): Promise<SmsSettings> {
      const current = await read(principal, change.group_id);
      const next = {
        help_text: change.help_text === undefined ? current.help_text : change.help_text?.trim() || null,
        quiet_start: change.quiet_start ?? current.quiet_start,
        quiet_end: change.quiet_end ?? current.quiet_end,
        messages_per_second: change.messages_per_second ?? current.messages_per_second,
        segment_price: change.segment_price ?? current.segment_price,
      };
      await repo.saveSettings(change.group_id, next, clock.now());
      return { group_id: change.group_id, ...next };
    },
  };
}

export type SmsSettingsService = ReturnType<typeof createSmsSettingsService>;

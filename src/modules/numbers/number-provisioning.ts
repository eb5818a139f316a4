import type { Db, Queryable } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { inScope } from '../shared/sql.js';
import {
  CarrierApiError,
  type CarrierNumbers,
  type NumberWebhooks,
  type OfferCriteria,
  type OwnedNumber,
} from './carrier.js';
import type { AvailableNumber, BackupEntry, ReleaseEntry } from './numbers.schemas.js';

/** The inventory source of the numbers bought from (or synced with) the carrier account. */
export const CARRIER_SOURCE = 20001;

/** Twilio's error code for a number that is no longer for sale. */
const NUMBER_NOT_AVAILABLE = 21422;

export interface ProvisioningOptions {
  db: Db;
  /** absent: no carrier credentials, numbers come from the inventory alone */
  carrier?: CarrierNumbers | undefined;
  /** where a number's webhooks point, with the carrier-hosted fallback for a backup number */
  webhooksFor: (backupNumber: string | null) => NumberWebhooks;
  /** the variable that configures the account, for the message when it is not (TWILIO_ACCOUNT_SID) */
  accountVariable?: string;
  /** the carrier the account is at: numbers bought or synced are that carrier's (their texts go out through it) */
  carrierName?: 'twilio' | 'signalwire' | 'telnyx';
}

export interface SyncReport {
  owned: number;
  imported: string[];
  /** owned numbers whose voice URL points somewhere else */
  elsewhere: { number: string; voiceUrl: string }[];
}

interface ScopedNumber {
  phone_number_id: number;
  status: string;
  carrier_sid: string | null;
  backup_number: string | null;
  in_live_flow: boolean;
}

const carrierMessage = (number: string, error: unknown): never => {
  if (error instanceof CarrierApiError) {
    if (error.code === NUMBER_NOT_AVAILABLE) throw invalidInput(`Number ${number} is not available`);
    throw invalidInput(`The carrier refused number ${number}: ${error.message}`);
  }
  throw error;
};

export function createNumberProvisioning({
  db,
  carrier,
  webhooksFor,
  accountVariable = 'TWILIO_ACCOUNT_SID',
  carrierName = 'twilio',
}: ProvisioningOptions) {
  /** A number of the caller's subtree, reserved or in a flow, with what a release must know. */
  async function scopedNumber(tx: Queryable, principal: Principal, number: string): Promise<ScopedNumber> {
    const { rows } = await tx.query<ScopedNumber>(
      `select p.phone_number_id, p.status, p.carrier_sid, p.backup_number,
              exists (select 1 from call_flow f where f.phone_number_id = p.phone_number_id
                         and f.call_flow_status <> 'deleted') as in_live_flow
         from phone_number p
        where p.number = $1 and p.status in ('reserved', 'assigned') and ${inScope('p.group_id', '$2')}
          for update of p`,
      [number, principal.groupId],
    );
    const row = rows[0];
    if (!row) throw invalidInput(`Number ${number} is not one of your numbers`);
    return row;
  }

  /** A released number leaves its group: back to the inventory (`available`) or gone to the carrier. */
  async function markReleased(q: Queryable, phoneNumberId: number, status: 'available' | 'released') {
    await q.query(
      `update phone_number set status = $2, group_id = null, reserved_by = null, reserved_at = null,
              backup_number = null
        where phone_number_id = $1`,
      [phoneNumberId, status],
    );
  }

  /** Adds what the account owns to the inventory; resolves to whether it was new. */
  async function remember(owned: OwnedNumber, extra: { rateCenter?: string; state?: string } = {}) {
    if (!/^\d{10}$/.test(owned.number)) return false;
    const { rows } = await db.query<{ added: boolean }>(
      `insert into phone_number (number, npa, nxx, rate_center, state, source, carrier_sid, carrier)
       values ($1, substr($1, 1, 3), substr($1, 4, 3), $2, $3, $4, $5, $6)
       on conflict (number) do update set carrier_sid = excluded.carrier_sid, carrier = excluded.carrier,
         status = case when phone_number.status = 'released' then 'available' else phone_number.status end
       returning (xmax = 0) as added`,
      [owned.number, extra.rateCenter ?? '', extra.state ?? '', CARRIER_SOURCE, owned.sid, carrierName],
    );
    return rows[0]?.added === true;
  }

  return {
    isConfigured: carrier !== undefined,

    /** What the carrier offers that is not in the inventory yet, as Search Phone Numbers answers it. */
    async offers(
      criteria: OfferCriteria & { nxx?: string | undefined; like?: RegExp },
    ): Promise<AvailableNumber[]> {
      if (!carrier) return [];
      const offers = await carrier.offers(criteria).catch((error: unknown) => {
        if (error instanceof CarrierApiError)
          throw invalidInput(`The carrier's number search failed: ${error.message}`);
        throw error;
      });
      const wanted = offers.filter(
        (offer) =>
          (!criteria.nxx || offer.number.slice(3, 6) === criteria.nxx) &&
          (!criteria.like || criteria.like.test(offer.number)),
      );
      const { rows } = await db.query<{ number: string }>(
        'select number from phone_number where number = any($1::text[])',
        [wanted.map((offer) => offer.number)],
      );
      const known = new Set(rows.map((row) => row.number));
      return wanted
        .filter((offer) => !known.has(offer.number))
        .map((offer) => ({
          phone_number_id: null,
          number: Number(offer.number),
          npa: offer.number.slice(0, 3),
          nxx: offer.number.slice(3, 6),
          rate_center: offer.rateCenter,
          state: offer.state,
          ocn: '',
          source: CARRIER_SOURCE,
        }));
    },

    /**
     * Buys a number the inventory does not hold from the carrier, with its webhooks pointing here,
     * and adds it to the inventory as available (the reservation follows in its own transaction;
     * a crash in between leaves it owned and in the inventory, never bought and forgotten).
     */
    async buy(number: string): Promise<boolean> {
      if (!carrier) return false;
      const owned = await carrier
        .buy(number, webhooksFor(null))
        .catch((error) => carrierMessage(number, error));
      await remember(owned);
      return true;
    },

    /**
     * Releases a reserved number: one the carrier sold us goes back to the carrier for good, one of
     * the inventory goes back to the inventory. Nothing happens without `confirm: true`. The
     * carrier's request runs outside any transaction (its answer can take seconds, and on PGlite
     * a transaction holds every other statement of the server): the number is checked in one,
     * released at the carrier, then marked released; a flow made for it in between finds it gone.
     */
    async release(principal: Principal, entry: ReleaseEntry): Promise<number> {
      const number = toNanp10(entry.number);
      if (number === undefined) throw invalidInput(`number ${entry.number} is not a valid 10-digit number`);
      const row = await db.transaction(async (tx) => {
        const row = await scopedNumber(tx, principal, number);
        if (row.in_live_flow) {
          throw invalidInput(`Number ${number} is used by a call flow: delete the call flow first`);
        }
        if (row.carrier_sid && !carrier) {
          throw invalidInput(`Number ${number} belongs to the carrier account, which is not configured`);
        }
        if (entry.confirm !== true) {
          throw invalidInput(
            row.carrier_sid
              ? `Releasing ${number} gives it back to the carrier for good: send confirm: true to release it`
              : `Releasing ${number} returns it to the inventory: send confirm: true to release it`,
          );
        }
        if (!row.carrier_sid) await markReleased(tx, row.phone_number_id, 'available');
        return row;
      });
      if (row.carrier_sid && carrier) {
        await carrier.release(row.carrier_sid).catch((error) => carrierMessage(number, error));
        await markReleased(db, row.phone_number_id, 'released');
      }
      return row.phone_number_id;
    },

    /**
     * Sets or clears the number the carrier rings when this server cannot answer: checked, set at
     * the carrier outside any transaction (as `release`), then stored.
     */
    async setBackup(principal: Principal, entry: BackupEntry): Promise<number> {
      const number = toNanp10(entry.number);
      if (number === undefined) throw invalidInput(`number ${entry.number} is not a valid 10-digit number`);
      const backup = entry.backup_number === null ? null : toNanp10(entry.backup_number);
      if (backup === undefined) {
        throw invalidInput(`backup_number ${entry.backup_number} is not a valid 10-digit number`);
      }
      if (backup === number) throw invalidInput('backup_number must not be the tracking number itself');
      const row = await scopedNumber(db, principal, number);
      if (row.carrier_sid && carrier?.hasNumberFallback === false && backup !== null) {
        throw invalidInput(
          `The carrier keeps one fallback URL for all its numbers: no backup can be set for ${number}`,
        );
      }
      if (row.carrier_sid && carrier) {
        await carrier
          .rewire(row.carrier_sid, webhooksFor(backup))
          .catch((error) => carrierMessage(number, error));
      }
      await db.query('update phone_number set backup_number = $2 where phone_number_id = $1', [
        row.phone_number_id,
        backup,
      ]);
      return row.phone_number_id;
    },

    /** Imports the numbers the account owns and says which point elsewhere. */
    async sync(onPage: (done: number) => void = () => {}): Promise<SyncReport> {
      if (!carrier) throw invalidInput(`No carrier account is configured (${accountVariable})`);
      const report: SyncReport = { owned: 0, imported: [], elsewhere: [] };
      const expected = webhooksFor(null).voiceUrl;
      for await (const page of carrier.owned()) {
        for (const owned of page) {
          report.owned += 1;
          if (await remember(owned)) report.imported.push(owned.number);
          if (owned.voiceUrl !== expected)
            report.elsewhere.push({ number: owned.number, voiceUrl: owned.voiceUrl });
        }
        onPage(report.owned);
      }
      return report;
    },

    /** Points every number the account owns at this server's webhooks (after a move). */
    async rewire(
      onNumber: (done: number) => void = () => {},
    ): Promise<{ rewired: string[]; failed: string[] }> {
      if (!carrier) throw invalidInput(`No carrier account is configured (${accountVariable})`);
      const rewired: string[] = [];
      const failed: string[] = [];
      for await (const page of carrier.owned()) {
        const { rows } = await db.query<{ number: string; backup_number: string | null }>(
          'select number, backup_number from phone_number where number = any($1::text[])',
          [page.map((owned) => owned.number)],
        );
        const backups = new Map(rows.map((row) => [row.number, row.backup_number]));
        for (const owned of page) {
          try {
            await carrier.rewire(owned.sid, webhooksFor(backups.get(owned.number) ?? null));
            rewired.push(owned.number);
          } catch (error) {
            if (!(error instanceof CarrierApiError)) throw error;
            failed.push(`${owned.number}: ${error.message}`);
          }
          onNumber(rewired.length + failed.length);
        }
      }
      return { rewired, failed };
    },
  };
}

export type NumberProvisioning = ReturnType<typeof createNumberProvisioning>;

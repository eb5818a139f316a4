import type { Queryable } from '../../db/index.js';
import type { FilterFields } from '../../http/filter.js';
import { whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';

export interface InventoryRow {
  phone_number_id: number;
  number: string;
  npa: string;
  nxx: string;
  rate_center: string;
  state: string;
  ocn: string;
  source: number;
}

export interface ReservedRow extends InventoryRow {
  group_id: number;
  backup_number: string | null;
  reserved_by: number | null;
  reserved_at: string | null;
}

export interface NumberStatusRow {
  phone_number_id: number;
  status: 'available' | 'reserved' | 'assigned';
  source: number;
}

/** Search criteria, already normalised: a `like` pattern, an upper-case state. */
export interface SearchCriteria {
  npa?: string | undefined;
  nxx?: string | undefined;
  state?: string | undefined;
  rateCenter?: string | undefined;
  likePattern?: string | undefined;
}

export interface NewInventoryNumber {
  number: string;
  rate_center: string;
  state: string;
  ocn: string;
}

export const numberFilterFields: FilterFields = {
  phone_number_id: { column: 'p.phone_number_id', type: 'integer' },
  number: { column: 'p.number', type: 'string' },
  npa: { column: 'p.npa', type: 'string' },
  nxx: { column: 'p.nxx', type: 'string' },
  rate_center: { column: 'p.rate_center', type: 'string' },
  state: { column: 'p.state', type: 'string' },
  ocn: { column: 'p.ocn', type: 'string' },
  source: { column: 'p.source', type: 'integer' },
};

export const reservedFilterFields: FilterFields = {
  ...numberFilterFields,
  group_id: { column: 'p.group_id', type: 'integer' },
  reserved_by: { column: 'p.reserved_by', type: 'integer' },
  reserved_at: { column: 'p.reserved_at', type: 'date' },
};

const INVENTORY_COLUMNS =
  'p.phone_number_id, p.number, p.npa, p.nxx, p.rate_center, p.state, p.ocn, p.source';

export interface ClaimOptions {
  groupId: number;
  npa?: string | undefined;
  nxx?: string | undefined;
  quantity: number;
}

/**
 * Takes up to `quantity` available numbers (lowest first) and assigns them to `groupId`, for DNI
 * pools. Rows another transaction holds are skipped, not waited for, so concurrent claims get
 * disjoint numbers. Returns fewer numbers when the inventory runs short: the caller decides, and
 * throwing rolls its transaction (and so the claim) back.
 */
export async function claimAvailable(tx: Queryable, options: ClaimOptions): Promise<string[]> {
  const { rows } = await tx.query<{ number: string }>(
    // MATERIALIZED: the pick runs once; as an IN subquery the planner may rescan it and take more rows.
    `with picked as materialized (
       select c.phone_number_id from phone_number c
        where c.status = 'available'
          and ($2::text is null or c.npa = $2)
          and ($3::text is null or c.nxx = $3)
        order by c.number
        limit $4
          for update skip locked)
     update phone_number p set status = 'assigned', group_id = $1, reserved_by = null, reserved_at = null
       from picked
      where p.phone_number_id = picked.phone_number_id and p.status = 'available'
      returning p.number`,
    [options.groupId, options.npa ?? null, options.nxx ?? null, options.quantity],
  );
  return rows.map((row) => row.number).sort();
}

export function createNumbersRepo(db: Queryable) {
  return {
    /** Available numbers matching the criteria, lowest first; filter params start at $8. */
    async searchAvailable(criteria: SearchCriteria, page: ListPage): Promise<InventoryRow[]> {
      const { rows } = await db.query<InventoryRow>(
        `select ${INVENTORY_COLUMNS} from phone_number p
          where p.status = 'available'
            and ($1::text is null or p.npa = $1)
            and ($2::text is null or p.nxx = $2)
            and ($3::text is null or p.state = $3)
            and ($4::text is null or upper(p.rate_center) = upper($4))
            and ($5::text is null or p.number like $5)
            and ${whereClause(page.filter.conditions)}
          order by p.number limit $6 offset $7`,
        [
          criteria.npa ?? null,
          criteria.nxx ?? null,
          criteria.state ?? null,
          criteria.rateCenter ?? null,
          criteria.likePattern ?? null,
          page.limit,
          page.offset,
          ...page.filter.params,
        ],
      );
      return rows;
    },

    /** Numbers reserved by `scopeGroupId` or a group below it; filter params start at $4. */
    async listReserved(scopeGroupId: number, page: ListPage): Promise<ReservedRow[]> {
      const { rows } = await db.query<ReservedRow>(
        `select ${INVENTORY_COLUMNS}, p.group_id, p.backup_number, p.reserved_by, ${isoTime('p.reserved_at')} as reserved_at
           from phone_number p
          where p.status = 'reserved' and ${inScope('p.group_id', '$1')}
            and ${whereClause(page.filter.conditions)}
          order by p.number limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /**
     * Reserves one number if, and only if, it is still available: the status check and the change
     * are one statement, so of two concurrent reservations exactly one updates the row.
     */
    async reserve(values: {
      number: string;
      source: number | null;
      groupId: number;
      userId: number;
      now: Date;
    }): Promise<number | undefined> {
      const { rows } = await db.query<{ phone_number_id: number }>(
        `update phone_number set status = 'reserved', group_id = $2, reserved_by = $3, reserved_at = $4
          where number = $1 and status = 'available' and ($5::integer is null or source = $5)
          returning phone_number_id`,
        [values.number, values.groupId, values.userId, values.now, values.source],
      );
      return rows[0]?.phone_number_id;
    },

    async findStatus(number: string): Promise<NumberStatusRow | undefined> {
      const { rows } = await db.query<NumberStatusRow>(
        'select phone_number_id, status, source from phone_number where number = $1',
        [number],
      );
      return rows[0];
    },

    /** Inserts a batch of new inventory numbers; numbers already present are skipped. Returns those added. */
    async insertBatch(numbers: readonly NewInventoryNumber[]): Promise<string[]> {
      if (numbers.length === 0) return [];
      const { rows } = await db.query<{ number: string }>(
        `insert into phone_number (number, npa, nxx, rate_center, state, ocn)
         select n, substr(n, 1, 3), substr(n, 4, 3), rc, st, ocn
           from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as t(n, rc, st, ocn)
         on conflict (number) do nothing
         returning number`,
        [
          numbers.map((n) => n.number),
          numbers.map((n) => n.rate_center),
          numbers.map((n) => n.state),
          numbers.map((n) => n.ocn),
        ],
      );
      return rows.map((row) => row.number);
    },
  };
}

export type NumbersRepo = ReturnType<typeof createNumbersRepo>;

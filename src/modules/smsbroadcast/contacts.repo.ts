import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';
import type { ImportedContact } from './contact-import.js';

export interface ContactListRow {
  list_id: number;
  group_id: number;
  list_name: string;
  contact_count: number;
  created_at: string;
  updated_at: string | null;
}

export interface ContactRow {
  contact_id: number;
  list_id: number;
  group_id: number;
  phone_number: string;
  first_name: string | null;
  last_name: string | null;
  time_zone: string | null;
  custom_fields: Record<string, string>;
  created_at: string;
  updated_at: string | null;
}

export const contactListFilterFields: FilterFields = {
  list_id: { column: 'l.list_id', type: 'integer' },
  group_id: { column: 'l.group_id', type: 'integer' },
  list_name: { column: 'l.list_name', type: 'string' },
  created_at: { column: 'l.created_at', type: 'date' },
};

export const contactFilterFields: FilterFields = {
  contact_id: { column: 'c.contact_id', type: 'integer' },
  list_id: { column: 'c.list_id', type: 'integer' },
  group_id: { column: 'l.group_id', type: 'integer' },
  phone_number: { column: 'c.phone_number', type: 'string' },
  first_name: { column: 'c.first_name', type: 'string' },
  last_name: { column: 'c.last_name', type: 'string' },
  time_zone: { column: 'c.time_zone', type: 'string' },
  created_at: { column: 'c.created_at', type: 'date' },
};

const LIST_COLUMNS = `l.list_id, l.group_id, l.list_name,
  (select count(*)::integer from sms_contact c where c.list_id = l.list_id) as contact_count,
  ${isoTime('l.created_at')} as created_at, ${isoTime('l.updated_at')} as updated_at`;

const CONTACT_COLUMNS = `c.contact_id, c.list_id, l.group_id, c.phone_number, c.first_name, c.last_name,
  c.time_zone, c.custom_fields, ${isoTime('c.created_at')} as created_at, ${isoTime('c.updated_at')} as updated_at`;

export function createContactsRepo(db: Queryable) {
  return {
    async groupInScope(scopeGroupId: number, groupId: number): Promise<boolean> {
      const { rows } = await db.query(
        `select 1 from org_group g where g.group_id = $2 and ${inScope('g.group_id', '$1')}`,
        [scopeGroupId, groupId],
      );
      return rows.length > 0;
    },

    async lists(scopeGroupId: number, page: ListPage): Promise<ContactListRow[]> {
      const { rows } = await db.query<ContactListRow>(
        `select ${LIST_COLUMNS} from sms_contact_list l
          where ${inScope('l.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by l.list_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async list(scopeGroupId: number, listId: number): Promise<ContactListRow | undefined> {
      const { rows } = await db.query<ContactListRow>(
        `select ${LIST_COLUMNS} from sms_contact_list l where l.list_id = $2 and ${inScope('l.group_id', '$1')}`,
        [scopeGroupId, listId],
      );
      return rows[0];
    },

    async createList(groupId: number, name: string, at: Date): Promise<number> {
      const { rows } = await db.query<{ list_id: number }>(
        'insert into sms_contact_list (group_id, list_name, created_at) values ($1, $2, $3) returning list_id',
        [groupId, name, at],
      );
      return (rows[0] as { list_id: number }).list_id;
    },

    async renameList(listId: number, name: string, at: Date): Promise<void> {
      await db.query('update sms_contact_list set list_name = $2, updated_at = $3 where list_id = $1', [
        listId,
        name,
        at,
      ]);
    },

    async deleteList(listId: number): Promise<void> {
      await db.query('delete from sms_contact_list where list_id = $1', [listId]);
    },

    async contacts(scopeGroupId: number, page: ListPage): Promise<ContactRow[]> {
      const { rows } = await db.query<ContactRow>(
        `select ${CONTACT_COLUMNS} from sms_contact c join sms_contact_list l on l.list_id = c.list_id
          where ${inScope('l.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by c.contact_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async contact(scopeGroupId: number, contactId: number): Promise<ContactRow | undefined> {
      const { rows } = await db.query<ContactRow>(
        `select ${CONTACT_COLUMNS} from sms_contact c join sms_contact_list l on l.list_id = c.list_id
          where c.contact_id = $2 and ${inScope('l.group_id', '$1')}`,
        [scopeGroupId, contactId],
      );
      return rows[0];
    },

    /**
     * Adds contacts to a list; a number already in it is merged (non-empty new values win,
     * custom fields are merged). Returns how many were new.
     */
    async upsertContacts(listId: number, contacts: readonly ImportedContact[], at: Date): Promise<number> {
      if (contacts.length === 0) return 0;
      const { rows } = await db.query<{ inserted: boolean }>(
        `insert into sms_contact as c (list_id, phone_number, first_name, last_name, time_zone, custom_fields, created_at)
         select $1, x.phone_number, x.first_name, x.last_name, x.time_zone, x.custom_fields, $3
           from jsonb_to_recordset($2::jsonb)
             as x(phone_number text, first_name text, last_name text, time_zone text, custom_fields jsonb)
         on conflict (list_id, phone_number) do update
           set first_name = coalesce(excluded.first_name, c.first_name),
               last_name = coalesce(excluded.last_name, c.last_name),
               time_zone = coalesce(excluded.time_zone, c.time_zone),
               custom_fields = c.custom_fields || excluded.custom_fields,
               updated_at = $3
         returning (xmax = 0) as inserted`,
        [listId, JSON.stringify(contacts), at],
      );
      return rows.filter((row) => row.inserted).length;
    },

    async updateContact(
      contactId: number,
      change: Omit<ImportedContact, 'custom_fields'> & { custom_fields: Record<string, string> },
      at: Date,
    ): Promise<void> {
      await db.query(
        `update sms_contact set phone_number = $2, first_name = $3, last_name = $4, time_zone = $5,
                custom_fields = $6::jsonb, updated_at = $7
          where contact_id = $1`,
        [
          contactId,
          change.phone_number,
          change.first_name,
          change.last_name,
          change.time_zone,
          JSON.stringify(change.custom_fields),
          at,
        ],
      );
    },

    async deleteContact(contactId: number): Promise<void> {
      await db.query('delete from sms_contact where contact_id = $1', [contactId]);
    },
  };
}

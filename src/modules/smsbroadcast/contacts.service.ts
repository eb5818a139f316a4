import type { Db } from '../../db/index.js';
import { fromDatabaseError, invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/principal.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { type ContactImport, isTimeZone, parseContactsCsv, toContactNumber } from './contact-import.js';
import {
  type ContactListRow,
  type ContactRow,
  contactFilterFields,
  contactListFilterFields,
  createContactsRepo,
} from './contacts.repo.js';

export interface ContactInput {
  phone_number: string | number;
  first_name?: string | undefined;
  last_name?: string | undefined;
  time_zone?: string | undefined;
  custom_fields?: Record<string, string> | undefined;
}

const NO_LIST = 'No contact list found';
const NO_CONTACT = 'No contact found';

/** A contact's fields checked and normalised (E.164, a real IANA zone). */
function checkedContact(input: ContactInput) {
  const number = toContactNumber(String(input.phone_number));
  if (!number) throw invalidInput(`phone_number ${input.phone_number} is not a valid phone number`);
  if (input.time_zone && !isTimeZone(input.time_zone))
    throw invalidInput(`time_zone ${input.time_zone} is not an IANA time zone`);
  return {
    phone_number: number,
    first_name: input.first_name?.trim() || null,
    last_name: input.last_name?.trim() || null,
    time_zone: input.time_zone || null,
    custom_fields: input.custom_fields ?? {},
  };
}

/** Contact lists and contacts of the caller's groups (SMS Broadcast). */
export function createContactsService({ db, clock }: { db: Db; clock: Clock }) {
  const repo = createContactsRepo(db);

  async function ownList(principal: Principal, listId: number): Promise<ContactListRow> {
    const list = await repo.list(principal.groupId, listId);
    if (!list) throw notFound(NO_LIST);
    return list;
  }

  async function ownContact(principal: Principal, contactId: number): Promise<ContactRow> {
    const contact = await repo.contact(principal.groupId, contactId);
    if (!contact) throw notFound(NO_CONTACT);
    return contact;
  }

  return {
    lists: (principal: Principal, query: ListQuery) =>
      repo.lists(principal.groupId, toPage(query, contactListFilterFields, 3)),
    list: ownList,

    async createList(principal: Principal, input: { group_id: number; list_name: string }) {
      if (!(await repo.groupInScope(principal.groupId, input.group_id))) throw notFound('No group found');
      const id = await repo.createList(input.group_id, input.list_name.trim(), clock.now());
      return ownList(principal, id);
    },

    async renameList(principal: Principal, input: { list_id: number; list_name: string }) {
      await ownList(principal, input.list_id);
      await repo.renameList(input.list_id, input.list_name.trim(), clock.now());
      return ownList(principal, input.list_id);
    },

    async deleteList(principal: Principal, listId: number) {
      const list = await ownList(principal, listId);
      await repo.deleteList(listId);
      return list;
    },

    /** A CSV file into a list: valid lines added or merged, the others reported by line. */
    async importCsv(
      principal: Principal,
      listId: number,
      csv: string,
    ): Promise<Omit<ContactImport, 'contacts'> & { imported: number; added: number }> {
      await ownList(principal, listId);
      const parsed = parseContactsCsv(csv);
      const added = await repo.upsertContacts(listId, parsed.contacts, clock.now());
      return { imported: parsed.contacts.length, added, merged: parsed.merged, errors: parsed.errors };
    },

    contacts: (principal: Principal, query: ListQuery) =>
      repo.contacts(principal.groupId, toPage(query, contactFilterFields, 3)),
    contact: ownContact,

    /** Adds a contact to a list; a number already there is merged into its contact. */
    async createContact(principal: Principal, input: ContactInput & { list_id: number }) {
      await ownList(principal, input.list_id);
      const contact = checkedContact(input);
      await repo.upsertContacts(input.list_id, [contact], clock.now());
      const [row] = await repo.contacts(principal.groupId, {
        limit: 1,
        offset: 0,
        filter: {
          conditions: ['c.list_id = $4', 'c.phone_number = $5'],
          params: [input.list_id, contact.phone_number],
        },
      });
      return row as ContactRow;
    },

    async updateContact(principal: Principal, input: Partial<ContactInput> & { contact_id: number }) {
      const current = await ownContact(principal, input.contact_id);
      const next = checkedContact({
        phone_number: input.phone_number ?? current.phone_number,
        first_name: input.first_name ?? current.first_name ?? undefined,
        last_name: input.last_name ?? current.last_name ?? undefined,
        time_zone: input.time_zone ?? current.time_zone ?? undefined,
        custom_fields: input.custom_fields ?? current.custom_fields,
      });
      try {
        await repo.updateContact(input.contact_id, next, clock.now());
      } catch (error) {
        throw fromDatabaseError(error, { '23505': `${next.phone_number} is already in this list` });
      }
      return ownContact(principal, input.contact_id);
    },

    async deleteContact(principal: Principal, contactId: number) {
      const contact = await ownContact(principal, contactId);
      await repo.deleteContact(contactId);
      return contact;
    },
  };
}

export type ContactsService = ReturnType<typeof createContactsService>;

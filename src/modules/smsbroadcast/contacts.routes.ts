import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { IdQuery, ListQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import {
  ContactCreate,
  ContactDelete,
  ContactEnvelope,
  ContactImportBody,
  ContactImportEnvelope,
  ContactListCreate,
  ContactListDelete,
  ContactListEnvelope,
  ContactListsEnvelope,
  ContactListUpdate,
  ContactsEnvelope,
  ContactUpdate,
} from './contacts.schemas.js';
import type { ContactsService } from './contacts.service.js';

const tags = ['SMS Broadcast'];

export const contactRoutes: FastifyPluginAsyncTypebox<{ contacts: ContactsService }> = async (
  app,
  { contacts },
) => {
  const base = '/smsbroadcast/contactlist';
  app.get(
    `${base}/list`,
    {
      schema: {
        tags,
        summary: 'List Contact Lists',
        operationId: 'listContactLists',
        querystring: ListQuery,
        response: { 200: ContactListsEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await contacts.lists(principalOf(request), request.query)),
  );
  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'Get Contact List',
        operationId: 'getContactList',
        querystring: IdQuery('the list_id'),
        response: { 200: ContactListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await contacts.list(principalOf(request), request.query.id)),
  );
  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Create Contact List',
        operationId: 'createContactList',
        body: ContactListCreate,
        response: { 200: ContactListEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'contactlist' },
    },
    async (request) => success(await contacts.createList(principalOf(request), request.body)),
  );
  app.put(
    base,
    {
      schema: {
        tags,
        summary: 'Update Contact List',
        operationId: 'updateContactList',
        body: ContactListUpdate,
        response: { 200: ContactListEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'contactlist' },
    },
    async (request) => success(await contacts.renameList(principalOf(request), request.body)),
  );
  app.delete(
    base,
    {
      schema: {
        tags,
        summary: 'Delete Contact List',
        operationId: 'deleteContactList',
        description: 'Deletes the list and its contacts; answers the list as it was.',
        body: ContactListDelete,
        response: { 200: ContactListEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'contactlist' },
    },
    async (request) => success(await contacts.deleteList(principalOf(request), request.body.list_id)),
  );
  app.post(
    `${base}/import`,
    {
      schema: {
        tags,
        summary: 'Import Contacts from CSV',
        operationId: 'importContacts',
        description:
          'Adds the contacts of a CSV file to a list: numbers normalised to E.164 (a national number is read as US), duplicates merged (in the file and with the list), extra columns kept as custom fields; lines that fail are skipped and reported as `{line, error}`.',
        body: ContactImportBody,
        response: { 200: ContactImportEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'contactimport' },
    },
    async (request) =>
      success(await contacts.importCsv(principalOf(request), request.body.list_id, request.body.csv)),
  );

  const contact = '/smsbroadcast/contact';
  app.get(
    `${contact}/list`,
    {
      schema: {
        tags,
        summary: 'List Contacts',
        operationId: 'listContacts',
        description: 'Contacts of your groups’ lists; `filter=list_id=N` for one list.',
        querystring: ListQuery,
        response: { 200: ContactsEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await contacts.contacts(principalOf(request), request.query)),
  );
  app.get(
    contact,
    {
      schema: {
        tags,
        summary: 'Get Contact',
        operationId: 'getContact',
        querystring: IdQuery('the contact_id'),
        response: { 200: ContactEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await contacts.contact(principalOf(request), request.query.id)),
  );
  app.post(
    contact,
    {
      schema: {
        tags,
        summary: 'Create Contact',
        operationId: 'createContact',
        description: 'Adds a contact to a list; a number the list has already is merged into that contact.',
        body: ContactCreate,
        response: { 200: ContactEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'contact' },
    },
    async (request) => success(await contacts.createContact(principalOf(request), request.body)),
  );
  app.put(
    contact,
    {
      schema: {
        tags,
        summary: 'Update Contact',
        operationId: 'updateContact',
        description: 'Changes the fields given; `custom_fields` replaces the contact’s custom fields.',
        body: ContactUpdate,
        response: { 200: ContactEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'contact' },
    },
    async (request) => success(await contacts.updateContact(principalOf(request), request.body)),
  );
  app.delete(
    contact,
    {
      schema: {
        tags,
        summary: 'Delete Contact',
        operationId: 'deleteContact',
        body: ContactDelete,
        response: { 200: ContactEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'contact' },
    },
    async (request) => success(await contacts.deleteContact(principalOf(request), request.body.contact_id)),
  );
};

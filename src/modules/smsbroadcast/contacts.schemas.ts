import { Type } from '@sinclair/typebox';
import { Envelope, MAX_ID, NullableString, PhoneInput } from '../../http/schemas.js';

const Id = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_ID, description });
const ListName = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '\\S',
  description: 'the list’s name',
});
const CustomFields = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1000 }), {
  description: 'more merge fields for broadcast templates ({field} in a template)',
});

export const ContactList = Type.Object({
  list_id: Type.Integer(),
  group_id: Type.Integer(),
  list_name: Type.String(),
  contact_count: Type.Integer(),
  created_at: Type.String(),
  updated_at: NullableString(),
});

export const Contact = Type.Object({
  contact_id: Type.Integer(),
  list_id: Type.Integer(),
  group_id: Type.Integer(),
  phone_number: Type.String({ description: 'E.164' }),
  first_name: NullableString(),
  last_name: NullableString(),
  time_zone: NullableString({ description: 'IANA zone; null: the area code’s' }),
  custom_fields: Type.Record(Type.String(), Type.String()),
  created_at: Type.String(),
  updated_at: NullableString(),
});

export const ContactListCreate = Type.Object(
  { group_id: Id('the group that owns the list'), list_name: ListName },
  { additionalProperties: false },
);
export const ContactListUpdate = Type.Object(
  { list_id: Id('the list'), list_name: ListName },
  { additionalProperties: false },
);
export const ContactListDelete = Type.Object({ list_id: Id('the list') }, { additionalProperties: false });

export const ContactImportBody = Type.Object(
  {
    list_id: Id('the list the contacts join'),
    csv: Type.String({
      minLength: 1,
      maxLength: 5_000_000,
      description:
        'the file: a header line with phone_number (or phone, number, mobile) and optionally first_name, last_name, time_zone; other columns become custom fields',
    }),
  },
  { additionalProperties: false },
);

const contactFields = {
  first_name: Type.Optional(Type.String({ maxLength: 255 })),
  last_name: Type.Optional(Type.String({ maxLength: 255 })),
  time_zone: Type.Optional(Type.String({ maxLength: 64, description: 'an IANA zone, e.g. America/Denver' })),
  custom_fields: Type.Optional(CustomFields),
};

export const ContactCreate = Type.Object(
  {
    list_id: Id('the list'),
    phone_number: PhoneInput('10-digit NANP or E.164 (+...)'),
    ...contactFields,
  },
  { additionalProperties: false },
);
export const ContactUpdate = Type.Object(
  {
    contact_id: Id('the contact'),
    phone_number: Type.Optional(PhoneInput('10-digit NANP or E.164 (+...)')),
    ...contactFields,
  },
  { additionalProperties: false },
);
export const ContactDelete = Type.Object({ contact_id: Id('the contact') }, { additionalProperties: false });

export const ContactListEnvelope = Envelope(ContactList);
export const ContactListsEnvelope = Envelope(Type.Array(ContactList));
export const ContactEnvelope = Envelope(Contact);
export const ContactsEnvelope = Envelope(Type.Array(Contact));
export const ContactImportEnvelope = Envelope(
  Type.Object({
    imported: Type.Integer({ description: 'contacts in the file after merging duplicates' }),
    added: Type.Integer({ description: 'new to the list (the rest merged into contacts it had)' }),
    merged: Type.Integer({ description: 'lines merged into an earlier line with the same number' }),
    errors: Type.Array(Type.Object({ line: Type.Integer(), error: Type.String() })),
  }),
);

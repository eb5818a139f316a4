-- SMS broadcasts (issue 21): contact lists and their contacts, and broadcasts sent to lists.
create table sms_contact_list (
  list_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  list_name text not null check (length(list_name) between 1 and 255),
  created_at timestamptz not null,
  updated_at timestamptz
);

create index sms_contact_list_group_idx on sms_contact_list (group_id);

-- One contact per number and list (an import merges duplicates); numbers are E.164.
create table sms_contact (
  contact_id integer generated always as identity primary key,
  list_id integer not null references sms_contact_list (list_id) on delete cascade,
  phone_number text not null,
  first_name text,
  last_name text,
  -- an IANA zone; null: the number's area code decides
  time_zone text,
  custom_fields jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz,
  unique (list_id, phone_number)
);

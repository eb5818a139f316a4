-- Broadcasts: a template sent to contact lists from one or more tracking numbers, now or at
-- send_at. Its recipients are expanded once, when it is created (duplicates across lists merged),
-- each with the earliest moment outside quiet hours in their own time zone; the broadcast job
-- turns due recipients into messages (pending -> queued, with the message, in one transaction).
create table sms_broadcast (
  broadcast_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  broadcast_name text not null,
  template text not null,
  sender_numbers text[] not null,
  list_ids integer[] not null,
  send_at timestamptz not null,
  status text not null check (status in ('scheduled', 'paused', 'canceled', 'done')),
  created_by integer,
  created_at timestamptz not null,
  updated_at timestamptz
);

create index sms_broadcast_group_idx on sms_broadcast (group_id);

create table sms_broadcast_recipient (
  broadcast_id integer not null references sms_broadcast (broadcast_id) on delete cascade,
  phone_number text not null,
  contact_id integer,
  sender_number text not null,
  body text not null,
  time_zone text not null,
  not_before timestamptz not null,
  status text not null default 'pending' check (status in ('pending', 'queued', 'skipped')),
  skip_reason text,
  message_id bigint,
  primary key (broadcast_id, phone_number)
);

create index sms_broadcast_recipient_due_idx on sms_broadcast_recipient (broadcast_id, not_before)
  where status = 'pending';

-- The per-number rate: each broadcast send reserves the next slot of its sender number.
alter table sms_message add column send_slot_at timestamptz;
create table sms_sender_slot (
  sender_number text primary key,
  next_slot_at timestamptz not null
);

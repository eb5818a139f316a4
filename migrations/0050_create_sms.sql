-- Text messages (issue 21). A conversation is one texter and one tracking number of a group; its
-- messages are the texts in both directions. An inbound text is written once per MessageSid
-- (the carrier may retry the webhook); an outbound one is written before it is handed to the
-- carrier, and its `status` is the send's state machine (src/modules/sms/sms-send.ts).
create table sms_conversation (
  conversation_id bigint generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  tracking_number text not null,
  contact_number text not null,
  call_flow_id integer references call_flow (call_flow_id),
  campaign_id integer,
  channel_id integer,
  created_at timestamptz not null,
  last_message_at timestamptz not null,
  last_direction text not null check (last_direction in ('inbound', 'outbound')),
  last_body text not null default '',
  message_count integer not null default 0,
  unread_count integer not null default 0,
  unique (group_id, tracking_number, contact_number)
);

create index sms_conversation_group_idx on sms_conversation (group_id, last_message_at desc);

create table sms_message (
  message_id bigint generated always as identity primary key,
  conversation_id bigint not null references sms_conversation (conversation_id) on delete cascade,
  group_id integer not null references org_group (group_id),
  direction text not null check (direction in ('inbound', 'outbound')),
  -- why it was sent: a person's text or reply, the flow's auto-reply or forward, a keyword's answer
  purpose text not null check (purpose in ('message', 'auto_reply', 'forward', 'keyword_reply', 'broadcast')),
  carrier_message_sid text unique,
  -- outbound: the client's key; a second Send SMS with the same key answers the first message
  idempotency_key text unique,
  from_number text not null,
  to_number text not null,
  body text not null,
  media_urls jsonb not null default '[]',
  -- inbound: received; outbound: accepted -> sending -> queued -> sent -> delivered | undelivered | failed
  status text not null,
  error_code integer,
  error_message text,
  call_flow_id integer,
  campaign_id integer,
  channel_id integer,
  is_repeat boolean not null default false,
  created_by integer,
  -- inbound: the TwiML the webhook answered, answered again to a carrier retry
  reply_twiml text,
  created_at timestamptz not null,
  -- outbound: when the send was claimed, before the carrier's API was called (see sms-send.ts)
  send_started_at timestamptz,
  updated_at timestamptz
);

create index sms_message_conversation_idx on sms_message (conversation_id, message_id desc);
create index sms_message_group_created_idx on sms_message (group_id, created_at desc);

-- The website visit holding a pool number when a text came in (as call_attribution for calls).
create table sms_attribution (
  message_id bigint primary key references sms_message (message_id) on delete cascade,
  confidence text not null check (confidence in ('exact', 'shared', 'grace', 'no session')),
  visitor_id text,
  visit_id bigint,
  landing_page text,
  referrer text,
  search_words text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_term text,
  utm_content text,
  gclid text,
  custom_params jsonb not null default '{}',
  attributed_at timestamptz not null
);

-- One row per person and group: whether they may be texted from the group's numbers. A STOP
-- keyword sets opted_out; START, UNSTOP or YES clears it; the row stays as the record.
create table sms_opt_out (
  group_id integer not null references org_group (group_id),
  contact_number text not null,
  opted_out boolean not null,
  keyword text not null,
  tracking_number text,
  opted_out_at timestamptz,
  changed_at timestamptz not null,
  primary key (group_id, contact_number)
);

-- A group's text settings; a group without a row has the defaults (sms.settings.ts).
create table sms_group_setting (
  group_id integer primary key references org_group (group_id),
  help_text text,
  quiet_start text not null default '21:00',
  quiet_end text not null default '08:00',
  messages_per_second numeric(8, 2) not null default 1 check (messages_per_second > 0),
  updated_at timestamptz not null
);

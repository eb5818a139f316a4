-- Calls as the routing runtime records them. One row per carrier call, written in the same
-- transaction as each routing step; `step` and `last_twiml` make carrier retries idempotent.
create table call (
  call_id bigint generated always as identity primary key,
  carrier_call_sid text not null unique,
  call_flow_id integer references call_flow (call_flow_id),
  call_flow_version integer,
  group_id integer references org_group (group_id),
  campaign_id integer,
  channel_id integer,
  tracking_number text not null,
  caller_number text not null,
  caller_city text,
  caller_state text,
  caller_zip text,
  stir_verstat text,
  started_at timestamptz not null,
  answered_at timestamptz,
  ended_at timestamptz,
  duration_seconds integer,
  disposition text not null default 'IN PROGRESS',
  answered_by text,
  key_path text not null default '',
  is_repeat boolean not null default false,
  call_value numeric(12, 2),
  recording_url text,
  voicemail_url text,
  trail jsonb not null default '[]',
  -- the engine's state between carrier requests, and the step the next callback must carry
  state jsonb,
  step integer not null default 0,
  last_twiml text
);

create index call_group_started_idx on call (group_id, started_at desc);
create index call_flow_started_idx on call (call_flow_id, started_at desc);
create index call_caller_idx on call (caller_number, tracking_number, started_at desc);

-- Every change to a call flow is announced, so each server process drops its cached programs
-- (several processes can share one database). The NOTIFY goes out when the transaction commits.
create function call_flow_notify_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('call_flow_changed', new.call_flow_id::text);
  return new;
end
$$;

create trigger call_flow_notify_change after insert or update on call_flow
  for each row execute function call_flow_notify_change();

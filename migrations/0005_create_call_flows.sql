-- Call flows: one tracking configuration each (a tracking number or a DNI pool, a group, a
-- campaign, a route). The route document is stored as posted (jsonb) and compiled by the routing
-- engine; every save also lands in call_flow_version, so a call can be explained by the flow as
-- it was when the call happened.
create table number_pool (
  pool_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  pool_name text not null,
  keep_alive_minutes integer not null check (keep_alive_minutes between 1 and 1440),
  number_quantity integer not null check (number_quantity between 1 and 500),
  npa text,
  nxx text,
  created_at timestamptz not null
);

create index number_pool_group_idx on number_pool (group_id);

alter table phone_number add column pool_id integer references number_pool (pool_id);
create index phone_number_pool_idx on phone_number (pool_id);

create table call_flow (
  call_flow_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  campaign_id integer not null references campaign (campaign_id),
  channel_id integer not null references channel (channel_id),
  call_flow_name text not null,
  call_flow_status text not null check (call_flow_status in ('active', 'inactive', 'suspended', 'deleted')),
  routable_type text not null,
  phone_number_id integer references phone_number (phone_number_id),
  pool_id integer references number_pool (pool_id),
  -- webhooks arrive with their own table (issue 5); until then the id is kept as given
  webhook_id integer,
  version integer not null default 1,
  document jsonb not null,
  call_flow_created timestamptz not null,
  updated_at timestamptz,
  check ((phone_number_id is null) <> (pool_id is null))
);

-- A tracking number routes to one live flow at most, whatever races the writers run.
create unique index call_flow_live_number_idx on call_flow (phone_number_id)
  where phone_number_id is not null and call_flow_status <> 'deleted';
create index call_flow_group_idx on call_flow (group_id);
create index call_flow_campaign_idx on call_flow (campaign_id);

create table call_flow_version (
  call_flow_id integer not null references call_flow (call_flow_id) on delete cascade,
  version integer not null,
  document jsonb not null,
  saved_at timestamptz not null,
  saved_by integer references app_user (ct_user_id),
  primary key (call_flow_id, version)
);

-- Custom sources (V2 "custom sources"): attribution labels a group defines for its tracking
-- numbers. A label is visible to its own group, the groups above it and the groups below it.
-- Deleting one is soft, so reports on past calls keep its name; it leaves every call flow at once.
create table custom_source (
  custom_source_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  custom_source_name text not null
    check (length(custom_source_name) between 1 and 255 and custom_source_name = btrim(custom_source_name)),
  custom_source_active boolean not null default true,
  created_at timestamptz not null,
  created_by integer references app_user (ct_user_id),
  deleted_at timestamptz,
  check (custom_source_active = (deleted_at is null))
);

-- One live label of a name per group whatever its case. A name used by a group above or below is
-- refused by the service, which serialises writers of one account on an advisory lock.
create unique index custom_source_live_name_idx on custom_source (group_id, lower(custom_source_name))
  where custom_source_active;
create index custom_source_group_idx on custom_source (group_id);

-- A call flow's custom sources by slot: slot N is V2's `custom_source_type_N` (1 to 5).
create table call_flow_custom_source (
  call_flow_id integer not null references call_flow (call_flow_id) on delete cascade,
  slot smallint not null check (slot between 1 and 5),
  custom_source_id integer not null references custom_source (custom_source_id),
  assigned_at timestamptz not null,
  primary key (call_flow_id, slot)
);

create index call_flow_custom_source_source_idx on call_flow_custom_source (custom_source_id);

-- Blacklisted callers. A number blacklisted at a group is refused on every call flow of that
-- group and of the groups below it, including groups created later.
create table blacklisted_number (
  blacklist_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  number bigint not null check (number between 2000000000 and 9999999999),
  created_by integer references app_user (ct_user_id),
  created_at timestamptz not null,
  unique (number, group_id)
);

create index blacklisted_number_group_idx on blacklisted_number (group_id);

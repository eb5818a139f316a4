-- A group's brand logo (issue 22): reports are branded with the group's name and its logo. The
-- image lives in the object store (the data folder or the bucket) under `logos/`; this row says
-- where and what it is. A group without a row uses its nearest ancestor's logo.
create table group_logo (
  group_id integer primary key references org_group (group_id) on delete cascade,
  storage_key text not null,
  content_type text not null check (content_type in ('image/png', 'image/jpeg')),
  bytes integer not null check (bytes > 0),
  updated_at timestamptz not null
);

-- Campaigns group tracking numbers (call flows) of one group, with an owner, dates and a status.
-- Deleting a campaign is soft: its status becomes 'deleted' and lists hide it by default.
create table campaign (
  campaign_id integer generated always as identity primary key,
  campaign_name text not null check (length(campaign_name) between 3 and 255),
  campaign_ext_id text not null default '',
  campaign_status text not null default 'active'
    check (campaign_status in ('active', 'inactive', 'deleted')),
  campaign_start_date timestamptz not null,
  campaign_end_date timestamptz,
  campaign_owner_user_id integer not null references app_user (ct_user_id),
  group_id integer not null references org_group (group_id),
  campaign_created timestamptz not null default now(),
  campaign_modified timestamptz,
  check (campaign_end_date is null or campaign_end_date >= campaign_start_date)
);

create index campaign_group_idx on campaign (group_id);
create index campaign_owner_idx on campaign (campaign_owner_user_id);

-- The users attached to a campaign (V2 `campaign_users`).
create table campaign_user (
  campaign_id integer not null references campaign (campaign_id) on delete cascade,
  ct_user_id integer not null references app_user (ct_user_id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (campaign_id, ct_user_id)
);

create index campaign_user_user_idx on campaign_user (ct_user_id);

-- Plans (Get Subscription): an agency names a plan and sets limits for a client group; the plan
-- covers the group and every group below it. A null limit is no limit. Usage is counted from the
-- data itself (numbers held, calls, users ...) per calendar month, so no meter can drift.
create table group_subscription (
  group_id integer primary key references org_group (group_id),
  plan_name text not null,
  max_numbers integer check (max_numbers >= 0),
  max_inbound_minutes integer check (max_inbound_minutes >= 0),
  max_outbound_minutes integer check (max_outbound_minutes >= 0),
  max_texts integer check (max_texts >= 0),
  max_transcription_minutes integer check (max_transcription_minutes >= 0),
  max_users integer check (max_users >= 0),
  set_by integer references app_user (ct_user_id) on delete set null,
  subscription_modified timestamptz not null
);

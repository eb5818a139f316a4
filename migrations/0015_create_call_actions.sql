-- Call actions: post-call rules ("if the call matches these rules, do this"). An action belongs
-- to a call flow, or, with no call flow, is a default of its group for every flow of the group and
-- of the groups below it that has no actions of its own. `rules` is the rule list as posted
-- (src/modules/callactions/rules.ts); deleting is soft so the execution log keeps its action.
create table call_action (
  action_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  call_flow_id integer references call_flow (call_flow_id),
  action_order integer not null default 1 check (action_order >= 1),
  action text not null check (action in
    ('email_alert', 'sms_alert', 'tag_call', 'webhook', 'post_detail', 'move_to_group', 'set_call_value')),
  action_target text not null check (length(action_target) between 1 and 1024),
  -- true: evaluate when conversation analytics finish (indicator scores), not at hangup
  post_process boolean not null default false,
  action_status text not null default 'active' check (action_status in ('active', 'inactive', 'deleted')),
  rules jsonb not null default '[]',
  created_by integer references app_user (ct_user_id),
  created_at timestamptz not null,
  updated_at timestamptz
);

create index call_action_flow_idx on call_action (call_flow_id, action_order) where call_flow_id is not null;
create index call_action_group_default_idx on call_action (group_id, action_order) where call_flow_id is null;

-- One row per action per call: the primary key is what makes each action run once, whatever
-- retries the job queue makes. `status` 'running' marks a claimed action whose outcome is not
-- known yet (an HTTP post interrupted by a crash is retried from there).
create table call_action_log (
  call_id bigint not null references call (call_id) on delete cascade,
  action_id integer not null references call_action (action_id),
  status text not null check (status in ('running', 'succeeded', 'failed', 'skipped', 'not matched')),
  outcome text not null default '',
  attempts integer not null default 1,
  created_at timestamptz not null,
  finished_at timestamptz,
  primary key (call_id, action_id)
);

-- Notifications a call's flow asks for (`email_to_notify`): sent once per call and kind.
create table call_notification (
  call_id bigint not null references call (call_id) on delete cascade,
  kind text not null check (kind in ('email_to_notify')),
  status text not null check (status in ('running', 'succeeded', 'failed', 'skipped')),
  recipients text not null default '',
  outcome text not null default '',
  attempts integer not null default 1,
  created_at timestamptz not null,
  finished_at timestamptz,
  primary key (call_id, kind)
);

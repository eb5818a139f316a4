-- Indicators (src/modules/indicators): a group's own indicators, inherited by the groups below it
-- as call actions are; the built-in ones (ids 1-7) live in code (builtins.ts). Ids of a group's
-- own indicators start at 1001 so they never meet a built-in id.
create table indicator (
  indicator_id integer generated always as identity (start with 1001) primary key,
  group_id integer not null references org_group (group_id),
  indicator_name text not null check (length(indicator_name) between 1 and 255),
  description text not null default '',
  -- {signals: [...]}: phrase and call-field signals with weights (scoring.ts)
  definition jsonb not null,
  indicator_status text not null default 'active' check (indicator_status in ('active', 'inactive')),
  created_by integer references app_user (ct_user_id),
  created_at timestamptz not null,
  updated_at timestamptz
);

create index indicator_group_idx on indicator (group_id) where indicator_status = 'active';

-- One score per call and indicator (built-in or a group's), written by the call.analyze job.
create table call_indicator_score (
  call_id bigint not null references call (call_id) on delete cascade,
  indicator_id integer not null,
  indicator_name text not null,
  score integer not null check (score between 0 and 100),
  -- [{phrase, speaker, start_ms, weight, negated?} | {field, value, weight}]
  reasons jsonb not null default '[]',
  scored_at timestamptz not null,
  primary key (call_id, indicator_id)
);

create index call_indicator_score_indicator_idx on call_indicator_score (indicator_id, score);

-- A call's analysis: when it ran and on what transcript status.
create table call_analysis (
  call_id bigint primary key references call (call_id) on delete cascade,
  analyzed_at timestamptz not null,
  transcript_status text
);

-- The webhook event sent after a call's analysis: `call.analyzed` (with the scores). Existing
-- webhooks keep their events (they opt in); new ones get every event by default.
alter table webhook_delivery drop constraint webhook_delivery_event_type_check;
alter table webhook_delivery add constraint webhook_delivery_event_type_check
  check (event_type in ('call.started', 'call.completed', 'call.updated', 'call.analyzed', 'webhook.test')) not valid;
alter table webhook alter column events
  set default array['call.started', 'call.completed', 'call.updated', 'call.analyzed'];

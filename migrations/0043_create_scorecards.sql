-- Scorecards (src/modules/scorecards): criteria in sections that a supervisor scores a call on.
create table scorecard (
  scorecard_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  scorecard_name text not null check (length(scorecard_name) between 1 and 255),
  -- [{section_name, criteria: [{key, label, type: yes_no|scale|points, weight, max_points?, indicator_id?}]}]
  sections jsonb not null,
  scorecard_status text not null default 'active' check (scorecard_status in ('active', 'archived')),
  created_by integer references app_user (ct_user_id),
  created_at timestamptz not null,
  archived_at timestamptz
);

create index scorecard_group_idx on scorecard (group_id);

-- A call scored on a scorecard: its title, the answers by criterion key and the score (0-100).
create table call_scorecard (
  call_id bigint not null references call (call_id) on delete cascade,
  scorecard_id integer not null references scorecard (scorecard_id),
  call_title text not null default '',
  answers jsonb not null default '{}',
  score numeric(5, 2) not null check (score between 0 and 100),
  scored_by integer references app_user (ct_user_id),
  scored_at timestamptz not null,
  primary key (call_id, scorecard_id)
);

create index call_scorecard_scorecard_idx on call_scorecard (scorecard_id, scored_at);

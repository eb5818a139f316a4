-- Insights (src/modules/insights): a saved question over a group's calls, what was said (a
-- transcript search) and which calls (a call-log filter), reported per day, week or month.
create table insight (
  insight_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  insight_name text not null check (length(insight_name) between 1 and 255),
  -- websearch_to_tsquery syntax, as GET /v2/call/transcription/search
  query text not null check (length(query) between 1 and 500),
  -- a V2 call-log filter (field<op>value,...), checked when saved
  call_filter text not null default '',
  report_interval text not null default 'week' check (report_interval in ('day', 'week', 'month')),
  insight_status text not null default 'active' check (insight_status in ('active', 'archived')),
  created_by integer references app_user (ct_user_id),
  created_at timestamptz not null
);

create index insight_group_idx on insight (group_id);

-- Saved reports (List Reports): a call report's definition without its dates, owned by the group
-- whose subtree it reads. Scheduled reports (List Scheduled Reports) send a saved report by
-- e-mail every day, week or month at a local time in the recipients' zone. Each period a
-- schedule covers is one report_run row: the unique (schedule_id, period_start) is what makes a
-- period run once across every process, however often its job is started.
create table saved_report (
  report_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  report_name text not null,
  -- timezone, interval, dimensions, filter, limit: the fields of Get Call Report but the dates
  definition jsonb not null,
  created_by integer references app_user (ct_user_id) on delete set null,
  report_created timestamptz not null,
  report_modified timestamptz,
  report_status text not null default 'active' check (report_status in ('active', 'deleted'))
);

create index saved_report_group_idx on saved_report (group_id);

create table report_schedule (
  schedule_id integer generated always as identity primary key,
  report_id integer not null references saved_report (report_id),
  group_id integer not null references org_group (group_id),
  frequency text not null check (frequency in ('daily', 'weekly', 'monthly')),
  -- local time of day the report is sent, HH:MM, in `timezone` (the recipients' zone)
  send_time text not null,
  timezone text not null,
  recipients text[] not null,
  formats text[] not null,
  schedule_status text not null default 'active'
    check (schedule_status in ('active', 'inactive', 'deleted')),
  created_by integer references app_user (ct_user_id) on delete set null,
  schedule_created timestamptz not null,
  schedule_modified timestamptz
);

create index report_schedule_group_idx on report_schedule (group_id);
create index report_schedule_report_idx on report_schedule (report_id);

create table report_run (
  run_id bigint generated always as identity primary key,
  schedule_id integer not null references report_schedule (schedule_id),
  -- the days the run reports on, in the schedule's zone (both included)
  period_start date not null,
  period_end date not null,
  due_at timestamptz not null,
  run_status text not null default 'pending' check (run_status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  last_error text,
  -- calls, answered, answered_rate and the previous period's calls, as the e-mail said them
  summary jsonb,
  run_created timestamptz not null,
  run_finished timestamptz,
  unique (schedule_id, period_start)
);

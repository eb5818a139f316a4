-- Usage alerts: a plan's meter at 80 % or 100 % of its limit in a month. The primary key is what
-- makes each (group, month, meter, threshold) alert once across every process, however often the
-- hourly check runs; the e-mail is a job queued in the same transaction as the row.
create table usage_alert (
  group_id integer not null references org_group (group_id),
  period date not null,
  meter text not null,
  threshold integer not null check (threshold in (80, 100)),
  used integer not null,
  usage_limit integer not null,
  alert_created timestamptz not null,
  alert_sent timestamptz,
  primary key (group_id, period, meter, threshold)
);

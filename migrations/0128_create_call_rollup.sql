-- The report roll-up (src/modules/reports/report-rollup.repo.ts): the figures of the live, ended
-- calls per group, campaign (0: none) and UTC hour of their start, so a report over a month of a
-- million calls adds up hours instead of reading calls. Hour buckets in UTC keep time zones: a
-- local day, week or month of a zone whose offsets are whole hours is a set of whole UTC hours.
-- Kept by statement-level triggers in the transaction that changes the call (its end, and any
-- change after it: value, disposition, archiving, deletion), as deltas of the rows the statement
-- changed: a call counts while ended_at is set and archived_at is not. Calls still in progress
-- are read from the call table by the report; a call of no group (to a number in no flow: "not in
-- service") is in no report.
create table call_rollup (
  group_id integer not null,
  campaign_id integer not null,
  hour timestamptz not null,
  calls integer not null default 0,
  answered integer not null default 0,
  missed integer not null default 0,
  voicemails integer not null default 0,
  blocked integer not null default 0,
  first_time integer not null default 0,
  repeat_calls integer not null default 0,
  talk_seconds numeric not null default 0,
  answer_seconds numeric not null default 0,
  call_value numeric not null default 0,
  total_duration bigint not null default 0,
  billable_minutes bigint not null default 0,
  primary key (group_id, hour, campaign_id)
);

create function call_rollup_insert() returns trigger language plpgsql as $$
begin
  insert into call_rollup as r (group_id, campaign_id, hour, calls, answered, missed, voicemails, blocked, first_time, repeat_calls, talk_seconds, answer_seconds, call_value, total_duration, billable_minutes)
  select c.group_id, coalesce(c.campaign_id, 0), date_trunc('hour', c.started_at, 'UTC'),
         sum((1)),
         sum(((c.disposition = 'ANSWERED')::integer)),
         sum(((c.disposition is null or c.disposition not in ('ANSWERED', 'VOICEMAIL', 'BLOCKED', 'IN PROGRESS'))::integer)),
         sum(((c.disposition = 'VOICEMAIL')::integer)),
         sum(((c.disposition = 'BLOCKED')::integer)),
         sum(((not c.is_repeat)::integer)),
         sum((c.is_repeat::integer)),
         sum((case when c.disposition = 'ANSWERED' and c.answered_at is not null and c.ended_at is not null then greatest(0, extract(epoch from (c.ended_at - c.answered_at))) else 0 end)),
         sum((case when c.disposition = 'ANSWERED' and c.answered_at is not null then greatest(0, extract(epoch from (c.answered_at - c.started_at))) else 0 end)),
         sum((coalesce(c.call_value, 0))),
         sum((coalesce(c.duration_seconds, 0))),
         sum((ceil(coalesce(c.duration_seconds, 0) / 60.0)))
    from new_rows c
   where c.ended_at is not null and c.archived_at is null and c.group_id is not null
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (group_id, hour, campaign_id) do update set
    calls = r.calls + excluded.calls,
    answered = r.answered + excluded.answered,
    missed = r.missed + excluded.missed,
    voicemails = r.voicemails + excluded.voicemails,
    blocked = r.blocked + excluded.blocked,
    first_time = r.first_time + excluded.first_time,
    repeat_calls = r.repeat_calls + excluded.repeat_calls,
    talk_seconds = r.talk_seconds + excluded.talk_seconds,
    answer_seconds = r.answer_seconds + excluded.answer_seconds,
    call_value = r.call_value + excluded.call_value,
    total_duration = r.total_duration + excluded.total_duration,
    billable_minutes = r.billable_minutes + excluded.billable_minutes;
  return null;
end $$;

create function call_rollup_update() returns trigger language plpgsql as $$
begin
  insert into call_rollup as r (group_id, campaign_id, hour, calls, answered, missed, voicemails, blocked, first_time, repeat_calls, talk_seconds, answer_seconds, call_value, total_duration, billable_minutes)
  select c.group_id, coalesce(c.campaign_id, 0), date_trunc('hour', c.started_at, 'UTC'),
         sum(c.sign * (1)),
         sum(c.sign * ((c.disposition = 'ANSWERED')::integer)),
         sum(c.sign * ((c.disposition is null or c.disposition not in ('ANSWERED', 'VOICEMAIL', 'BLOCKED', 'IN PROGRESS'))::integer)),
         sum(c.sign * ((c.disposition = 'VOICEMAIL')::integer)),
         sum(c.sign * ((c.disposition = 'BLOCKED')::integer)),
         sum(c.sign * ((not c.is_repeat)::integer)),
         sum(c.sign * (c.is_repeat::integer)),
         sum(c.sign * (case when c.disposition = 'ANSWERED' and c.answered_at is not null and c.ended_at is not null then greatest(0, extract(epoch from (c.ended_at - c.answered_at))) else 0 end)),
         sum(c.sign * (case when c.disposition = 'ANSWERED' and c.answered_at is not null then greatest(0, extract(epoch from (c.answered_at - c.started_at))) else 0 end)),
         sum(c.sign * (coalesce(c.call_value, 0))),
         sum(c.sign * (coalesce(c.duration_seconds, 0))),
         sum(c.sign * (ceil(coalesce(c.duration_seconds, 0) / 60.0)))
    from (select 1 as sign, n.* from new_rows n union all select -1 as sign, o.* from old_rows o) c
   where c.ended_at is not null and c.archived_at is null and c.group_id is not null
   group by 1, 2, 3
   having not (sum(c.sign * (1)) = 0 and sum(c.sign * ((c.disposition = 'ANSWERED')::integer)) = 0 and sum(c.sign * ((c.disposition is null or c.disposition not in ('ANSWERED', 'VOICEMAIL', 'BLOCKED', 'IN PROGRESS'))::integer)) = 0 and sum(c.sign * ((c.disposition = 'VOICEMAIL')::integer)) = 0 and sum(c.sign * ((c.disposition = 'BLOCKED')::integer)) = 0 and sum(c.sign * ((not c.is_repeat)::integer)) = 0 and sum(c.sign * (c.is_repeat::integer)) = 0 and sum(c.sign * (case when c.disposition = 'ANSWERED' and c.answered_at is not null and c.ended_at is not null then greatest(0, extract(epoch from (c.ended_at - c.answered_at))) else 0 end)) = 0 and sum(c.sign * (case when c.disposition = 'ANSWERED' and c.answered_at is not null then greatest(0, extract(epoch from (c.answered_at - c.started_at))) else 0 end)) = 0 and sum(c.sign * (coalesce(c.call_value, 0))) = 0 and sum(c.sign * (coalesce(c.duration_seconds, 0))) = 0 and sum(c.sign * (ceil(coalesce(c.duration_seconds, 0) / 60.0))) = 0)
   order by 1, 2, 3
  on conflict (group_id, hour, campaign_id) do update set
    calls = r.calls + excluded.calls,
    answered = r.answered + excluded.answered,
    missed = r.missed + excluded.missed,
    voicemails = r.voicemails + excluded.voicemails,
    blocked = r.blocked + excluded.blocked,
    first_time = r.first_time + excluded.first_time,
    repeat_calls = r.repeat_calls + excluded.repeat_calls,
    talk_seconds = r.talk_seconds + excluded.talk_seconds,
    answer_seconds = r.answer_seconds + excluded.answer_seconds,
    call_value = r.call_value + excluded.call_value,
    total_duration = r.total_duration + excluded.total_duration,
    billable_minutes = r.billable_minutes + excluded.billable_minutes;
  return null;
end $$;

create function call_rollup_delete() returns trigger language plpgsql as $$
begin
  insert into call_rollup as r (group_id, campaign_id, hour, calls, answered, missed, voicemails, blocked, first_time, repeat_calls, talk_seconds, answer_seconds, call_value, total_duration, billable_minutes)
  select c.group_id, coalesce(c.campaign_id, 0), date_trunc('hour', c.started_at, 'UTC'),
         sum(c.sign * (1)),
         sum(c.sign * ((c.disposition = 'ANSWERED')::integer)),
         sum(c.sign * ((c.disposition is null or c.disposition not in ('ANSWERED', 'VOICEMAIL', 'BLOCKED', 'IN PROGRESS'))::integer)),
         sum(c.sign * ((c.disposition = 'VOICEMAIL')::integer)),
         sum(c.sign * ((c.disposition = 'BLOCKED')::integer)),
         sum(c.sign * ((not c.is_repeat)::integer)),
         sum(c.sign * (c.is_repeat::integer)),
         sum(c.sign * (case when c.disposition = 'ANSWERED' and c.answered_at is not null and c.ended_at is not null then greatest(0, extract(epoch from (c.ended_at - c.answered_at))) else 0 end)),
         sum(c.sign * (case when c.disposition = 'ANSWERED' and c.answered_at is not null then greatest(0, extract(epoch from (c.answered_at - c.started_at))) else 0 end)),
         sum(c.sign * (coalesce(c.call_value, 0))),
         sum(c.sign * (coalesce(c.duration_seconds, 0))),
         sum(c.sign * (ceil(coalesce(c.duration_seconds, 0) / 60.0)))
    from (select -1 as sign, o.* from old_rows o) c
   where c.ended_at is not null and c.archived_at is null and c.group_id is not null
   group by 1, 2, 3
   having not (sum(c.sign * (1)) = 0 and sum(c.sign * ((c.disposition = 'ANSWERED')::integer)) = 0 and sum(c.sign * ((c.disposition is null or c.disposition not in ('ANSWERED', 'VOICEMAIL', 'BLOCKED', 'IN PROGRESS'))::integer)) = 0 and sum(c.sign * ((c.disposition = 'VOICEMAIL')::integer)) = 0 and sum(c.sign * ((c.disposition = 'BLOCKED')::integer)) = 0 and sum(c.sign * ((not c.is_repeat)::integer)) = 0 and sum(c.sign * (c.is_repeat::integer)) = 0 and sum(c.sign * (case when c.disposition = 'ANSWERED' and c.answered_at is not null and c.ended_at is not null then greatest(0, extract(epoch from (c.ended_at - c.answered_at))) else 0 end)) = 0 and sum(c.sign * (case when c.disposition = 'ANSWERED' and c.answered_at is not null then greatest(0, extract(epoch from (c.answered_at - c.started_at))) else 0 end)) = 0 and sum(c.sign * (coalesce(c.call_value, 0))) = 0 and sum(c.sign * (coalesce(c.duration_seconds, 0))) = 0 and sum(c.sign * (ceil(coalesce(c.duration_seconds, 0) / 60.0))) = 0)
   order by 1, 2, 3
  on conflict (group_id, hour, campaign_id) do update set
    calls = r.calls + excluded.calls,
    answered = r.answered + excluded.answered,
    missed = r.missed + excluded.missed,
    voicemails = r.voicemails + excluded.voicemails,
    blocked = r.blocked + excluded.blocked,
    first_time = r.first_time + excluded.first_time,
    repeat_calls = r.repeat_calls + excluded.repeat_calls,
    talk_seconds = r.talk_seconds + excluded.talk_seconds,
    answer_seconds = r.answer_seconds + excluded.answer_seconds,
    call_value = r.call_value + excluded.call_value,
    total_duration = r.total_duration + excluded.total_duration,
    billable_minutes = r.billable_minutes + excluded.billable_minutes;
  return null;
end $$;

create trigger call_rollup_insert after insert on call
  referencing new table as new_rows for each statement execute function call_rollup_insert();
create trigger call_rollup_update after update on call
  referencing old table as old_rows new table as new_rows for each statement execute function call_rollup_update();
create trigger call_rollup_delete after delete on call
  referencing old table as old_rows for each statement execute function call_rollup_delete();

-- the calls already stored
insert into call_rollup as r (group_id, campaign_id, hour, calls, answered, missed, voicemails, blocked, first_time, repeat_calls, talk_seconds, answer_seconds, call_value, total_duration, billable_minutes)
  select c.group_id, coalesce(c.campaign_id, 0), date_trunc('hour', c.started_at, 'UTC'),
         sum((1)),
         sum(((c.disposition = 'ANSWERED')::integer)),
         sum(((c.disposition is null or c.disposition not in ('ANSWERED', 'VOICEMAIL', 'BLOCKED', 'IN PROGRESS'))::integer)),
         sum(((c.disposition = 'VOICEMAIL')::integer)),
         sum(((c.disposition = 'BLOCKED')::integer)),
         sum(((not c.is_repeat)::integer)),
         sum((c.is_repeat::integer)),
         sum((case when c.disposition = 'ANSWERED' and c.answered_at is not null and c.ended_at is not null then greatest(0, extract(epoch from (c.ended_at - c.answered_at))) else 0 end)),
         sum((case when c.disposition = 'ANSWERED' and c.answered_at is not null then greatest(0, extract(epoch from (c.answered_at - c.started_at))) else 0 end)),
         sum((coalesce(c.call_value, 0))),
         sum((coalesce(c.duration_seconds, 0))),
         sum((ceil(coalesce(c.duration_seconds, 0) / 60.0)))
    from call c
   where c.ended_at is not null and c.archived_at is null and c.group_id is not null
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (group_id, hour, campaign_id) do update set
    calls = r.calls + excluded.calls,
    answered = r.answered + excluded.answered,
    missed = r.missed + excluded.missed,
    voicemails = r.voicemails + excluded.voicemails,
    blocked = r.blocked + excluded.blocked,
    first_time = r.first_time + excluded.first_time,
    repeat_calls = r.repeat_calls + excluded.repeat_calls,
    talk_seconds = r.talk_seconds + excluded.talk_seconds,
    answer_seconds = r.answer_seconds + excluded.answer_seconds,
    call_value = r.call_value + excluded.call_value,
    total_duration = r.total_duration + excluded.total_duration,
    billable_minutes = r.billable_minutes + excluded.billable_minutes;

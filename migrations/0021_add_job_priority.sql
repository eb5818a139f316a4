-- Jobs of a higher priority are claimed first (src/jobs/queue.ts): a webhook delivery is a
-- single HTTP request someone is waiting for, so it goes ahead of the call-completion jobs
-- queued before it instead of waiting behind all of them.
alter table job add column priority smallint not null default 0;

drop index job_due_idx;
create index job_due_idx on job (priority desc, run_at nulls first, job_id)
  where done_at is null and failed_at is null;

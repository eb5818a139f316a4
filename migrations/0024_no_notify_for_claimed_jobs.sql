-- A job inserted already claimed by the process that inserted it (src/jobs/queue.ts
-- `claimedNow`: a webhook delivery the fan-out runs at once) is nobody else's to run, so it
-- wakes nobody: a NOTIFY would cost its commit a turn on the notification queue lock for nothing
-- (migration 0022).
create or replace function job_notify_enqueued() returns trigger language plpgsql as $$
begin
  if new.locked_until is not null then
    return new;
  end if;
  if new.run_at is null and exists (
       select 1 from job
        where done_at is null and failed_at is null and run_at is null and locked_until is null
          and kind = new.kind and job_id < new.job_id) then
    return new;
  end if;
  perform pg_notify('job_enqueued', new.kind);
  return new;
end
$$;

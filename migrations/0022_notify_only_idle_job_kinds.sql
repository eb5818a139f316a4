-- A NOTIFY is not free: PostgreSQL lets only one transaction that has notified commit at a
-- time (a lock on the notification queue, held until the commit is flushed to disk), so with
-- a NOTIFY per enqueue every transaction that enqueued a job (each call's status callback, each
-- webhook fan-out) queued behind the others' disk flushes: about one commit per fsync for the
-- whole cluster. A job enqueued while an older due job of the same kind still waits unclaimed
-- wakes nobody now: the runners are busy (each one looks for the next job as soon as one
-- finishes) or have already been woken for that older job, and they all poll as well.
create or replace function job_notify_enqueued() returns trigger language plpgsql as $$
begin
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

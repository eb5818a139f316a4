-- The durable job queue (src/jobs/queue.ts) and webhooks with their deliveries and attempts.
-- A job is claimed with FOR UPDATE SKIP LOCKED and held for a lease (locked_until): a process
-- that dies mid-job leaves a lease that simply expires, and the job runs again elsewhere.
create table job (
  job_id bigint generated always as identity primary key,
  kind text not null,
  payload jsonb not null default '{}',
  -- null: due at once
  run_at timestamptz,
  attempts integer not null default 0,
  last_error text,
  -- a second enqueue with the same key is a no-op, even after the first job has finished
  dedupe_key text unique,
  locked_until timestamptz,
  claimed_by text,
  done_at timestamptz,
  failed_at timestamptz,
  created_at timestamptz not null default now()
);

-- Claiming looks only at unfinished jobs, oldest due first.
create index job_due_idx on job (run_at nulls first, job_id) where done_at is null and failed_at is null;

-- Every enqueue wakes the runners of every process; the NOTIFY goes out when the transaction commits.
create function job_notify_enqueued() returns trigger language plpgsql as $$
begin
  perform pg_notify('job_enqueued', new.kind);
  return new;
end
$$;

create trigger job_notify_enqueued after insert on job
  for each row execute function job_notify_enqueued();

-- Which completion steps of a call have run (src/jobs/call-lifecycle.ts), so a retried
-- call.completed job does not repeat the steps that already succeeded.
create table call_completion_step (
  call_id bigint not null references call (call_id) on delete cascade,
  step_name text not null,
  done_at timestamptz not null,
  primary key (call_id, step_name)
);

create table webhook (
  webhook_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  webhook_name text not null check (length(webhook_name) between 1 and 255),
  description text not null default '',
  target_url text not null,
  webhook_status text not null default 'active' check (webhook_status in ('active', 'inactive')),
  method text not null default 'POST' check (method in ('POST', 'PUT', 'GET')),
  format text not null default 'json' check (format in ('json', 'xml', 'form')),
  events text[] not null default array['call.started', 'call.completed'],
  -- the HMAC key deliveries are signed with; shown once, on creation, and never logged
  signing_secret text not null,
  created_by integer references app_user (ct_user_id),
  created_at timestamptz not null,
  updated_at timestamptz
);

create index webhook_group_idx on webhook (group_id) where webhook_status = 'active';

alter table call_flow
  add constraint call_flow_webhook_fk foreign key (webhook_id) references webhook (webhook_id) not valid;

-- One delivery = one event for one webhook; its event_id stays the same over retries and
-- redeliveries so receivers can de-duplicate.
create table webhook_delivery (
  delivery_id bigint generated always as identity primary key,
  event_id uuid not null unique,
  webhook_id integer not null references webhook (webhook_id),
  call_id bigint references call (call_id) on delete cascade,
  event_type text not null check (event_type in ('call.started', 'call.completed')),
  -- the call record as it was when the event happened; every retry sends the same data
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  attempts integer not null default 0,
  -- retries stop once this passes (then status = 'failed')
  give_up_at timestamptz not null,
  created_at timestamptz not null,
  completed_at timestamptz,
  unique (call_id, webhook_id, event_type)
);

create index webhook_delivery_webhook_idx on webhook_delivery (webhook_id, delivery_id desc);

create table webhook_attempt (
  attempt_id bigint generated always as identity primary key,
  delivery_id bigint not null references webhook_delivery (delivery_id) on delete cascade,
  attempted_at timestamptz not null,
  status_code integer,
  latency_ms integer not null,
  error text,
  response_excerpt text
);

create index webhook_attempt_delivery_idx on webhook_attempt (delivery_id, attempt_id);

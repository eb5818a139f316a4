-- The console signs people in with e-mail and password to a first-party session: the browser
-- holds a random value in an httpOnly cookie, the database only its SHA-256. A session ends on
-- sign-out, when idle past SESSION_IDLE_MINUTES (last_seen_at), at expires_at, and at once when
-- its user's password changes or the user is deactivated (the trigger below; deleting the user
-- cascades). Role and group are read from app_user on every request, so they apply at once too.
create table console_session (
  session_hash text primary key,
  ct_user_id integer not null references app_user (ct_user_id) on delete cascade,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null
);

create index console_session_user_idx on console_session (ct_user_id);
create index console_session_expires_idx on console_session (expires_at);

create function console_session_end_for_user() returns trigger language plpgsql as $$
begin
  delete from console_session where ct_user_id = new.ct_user_id;
  return null;
end
$$;

create trigger app_user_end_console_sessions after update of password_hash, user_status on app_user
  for each row when (old.password_hash is distinct from new.password_hash
                     or (old.user_status = 'active' and new.user_status <> 'active'))
  execute function console_session_end_for_user();

-- What the console remembers per user: the group chosen in the group switcher.
create table user_preference (
  ct_user_id integer primary key references app_user (ct_user_id) on delete cascade,
  console_group_id integer references org_group (group_id),
  updated_at timestamptz not null
);

-- The console's live panel: every process that serves it hears of calls that start, change
-- route (keys, rings), are answered or end. Only calls in progress notify on insert: uploads and
-- bulk imports arrive ended. The payload is the call id; listeners read the rest.
create function call_live_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('call_live', new.call_id::text);
  return null;
end
$$;

create trigger call_live_insert after insert on call
  for each row when (new.ended_at is null) execute function call_live_notify();

create trigger call_live_update after update on call
  for each row when (old.ended_at is null and (
    old.disposition is distinct from new.disposition or old.answered_at is distinct from new.answered_at
    or old.ended_at is distinct from new.ended_at or old.key_path is distinct from new.key_path
    or old.trail is distinct from new.trail))
  execute function call_live_notify();

-- "Send a test event" from the console (POST /v2/webhook/test) is a delivery like any other,
-- logged with its attempts, without a call.
alter table webhook_delivery drop constraint webhook_delivery_event_type_check;
alter table webhook_delivery add constraint webhook_delivery_event_type_check
  check (event_type in ('call.started', 'call.completed', 'call.updated', 'webhook.test')) not valid;

-- What a DNI page view matches (group code and scope, active flows, their DNI settings, the pool's
-- keep-alive) changes rarely, so each server process keeps its answers in memory. Any change to
-- those tables moves this version (a sequence: no lock, no contention between writers) and
-- announces itself (NOTIFY `dni_changed` once the transaction commits). A lease statement writes
-- nothing when the version it was given is no longer current, so a process never leases under a
-- setting that changed since it last looked; the NOTIFY drops the answers of every process.
create sequence dni_config_version;
select nextval('dni_config_version');

create function dni_config_changed() returns trigger language plpgsql as $$
begin
  perform nextval('dni_config_version');
  perform pg_notify('dni_changed', '');
  return null;
end
$$;

create trigger dni_config_changed after insert or update or delete on dni_setting
  for each statement execute function dni_config_changed();
create trigger dni_config_changed after insert or update or delete on call_flow
  for each statement execute function dni_config_changed();
create trigger dni_config_changed after insert or update or delete on number_pool
  for each statement execute function dni_config_changed();
create trigger dni_config_changed after insert or update or delete on org_group
  for each statement execute function dni_config_changed();

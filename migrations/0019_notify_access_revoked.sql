-- Each server process caches verified access tokens for a few seconds. Whatever ends or changes
-- what a token grants is announced with the user's id, so every process forgets that user's
-- tokens at once: live access tokens deleted (refresh reuse), and a user deactivated, deleted,
-- moved to another group or given another role. Identical payloads in one transaction arrive once.
create function access_revoked_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('access_revoked', old.ct_user_id::text);
  return null;
end
$$;

create trigger oauth_token_access_revoked after delete on oauth_token
  for each row when (old.kind = 'access' and old.expires_at > now())
  execute function access_revoked_notify();

create trigger app_user_access_revoked after update of user_status, role_id, group_id on app_user
  for each row when (old.user_status is distinct from new.user_status or old.role_id is distinct from new.role_id
                     or old.group_id is distinct from new.group_id)
  execute function access_revoked_notify();

create trigger app_user_access_deleted after delete on app_user
  for each row execute function access_revoked_notify();

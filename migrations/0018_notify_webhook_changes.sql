-- Every change to a webhook is announced, so each server process refreshes what it knows about
-- which events have subscribers (the carrier webhook skips work nobody asked for).
create function webhook_notify_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('webhook_changed', '');
  return null;
end
$$;

create trigger webhook_notify_change after insert or update or delete on webhook
  for each statement execute function webhook_notify_change();

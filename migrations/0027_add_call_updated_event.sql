-- A carrier result that arrives after a call's post-call work began (the status callback came
-- first and the settle window passed) can still change the call: the webhook event `call.updated`
-- (src/jobs/call-lifecycle.ts) tells the receivers. Every stored row passes the wider check, so it
-- is not scanned again (NOT VALID still checks every new row).
alter table webhook_delivery drop constraint webhook_delivery_event_type_check;
alter table webhook_delivery add constraint webhook_delivery_event_type_check
  check (event_type in ('call.started', 'call.completed', 'call.updated')) not valid;

-- A webhook that wants a call's post-call event wants its correction too; it can unsubscribe.
alter table webhook alter column events set default array['call.started', 'call.completed', 'call.updated'];
update webhook set events = events || array['call.updated']
 where 'call.completed' = any(events) and not 'call.updated' = any(events);

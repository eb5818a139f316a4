-- Texts, second part (issue 21).
-- The price of one SMS segment, per group (the cost estimate of a broadcast: segments x price);
-- each broadcast recipient's segment count as rendered (merge fields change it); the DNI pool a
-- broadcast sends from, when it was given one.
alter table sms_group_setting add column segment_price numeric(10, 5) not null default 0.0079
  check (segment_price >= 0);
alter table sms_broadcast_recipient add column segments integer not null default 1;
alter table sms_broadcast add column pool_id integer;

-- Webhook events of texts: `sms.received` (an inbound text) and `sms.status` (an outbound text's
-- carrier status changed). Their deliveries have no call: `sms_message_id` names the text and
-- `event_key` (the event, the message and, for a status, the status) makes the fan-out idempotent.
alter table webhook_delivery add column sms_message_id bigint;
alter table webhook_delivery add column event_key text;
create unique index webhook_delivery_event_key_idx on webhook_delivery (webhook_id, event_key)
  where event_key is not null;
alter table webhook_delivery drop constraint webhook_delivery_event_type_check;
alter table webhook_delivery add constraint webhook_delivery_event_type_check
  check (event_type in ('call.started', 'call.completed', 'call.updated', 'call.analyzed', 'webhook.test',
                        'sms.received', 'sms.status')) not valid;

-- Usage alerts as a webhook event (issue 22): when a plan's meter reaches 80 % or 100 % of its
-- limit, besides the e-mail, the webhooks of the group and of every group above it that ask for
-- `usage.alert` get it. Its deliveries have neither a call nor a text: `event_key` (the event, the
-- group, the month, the meter and the threshold) makes the fan-out idempotent, as for texts.
alter table webhook_delivery drop constraint webhook_delivery_event_type_check;
alter table webhook_delivery add constraint webhook_delivery_event_type_check
  check (event_type in ('call.started', 'call.completed', 'call.updated', 'call.analyzed', 'webhook.test',
                        'sms.received', 'sms.status', 'usage.alert')) not valid;

-- Broadcast texts are sent in batches by their broadcast's job (smsbroadcast/broadcast-send.ts):
-- each batch looks for the accepted broadcast texts whose sender slot has come.
create index sms_message_broadcast_due_idx on sms_message (send_slot_at)
  where status = 'accepted' and purpose = 'broadcast';

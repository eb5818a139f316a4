-- Texts over SignalWire and Telnyx as well as Twilio (issues 21 and 23).
-- A number's carrier: where it was bought (provisioning) or, later, the edge its texts arrive
-- through (a number whose texts moved carrier follows them). Null: the account's carrier (CARRIER).
alter table phone_number
  add column carrier text check (carrier in ('twilio', 'signalwire', 'telnyx'));

-- Which carrier a text went through: an inbound text's edge, or the carrier an outbound text was
-- handed to (fixed when its send is claimed, so a retry asks the same carrier). The message and
-- its states are the same for every carrier; this says where its id belongs.
alter table sms_message
  add column carrier text check (carrier in ('twilio', 'signalwire', 'telnyx'));

-- Every text recorded before came through, or went out by, the one carrier there was.
update sms_message set carrier = 'twilio' where carrier_message_sid is not null;

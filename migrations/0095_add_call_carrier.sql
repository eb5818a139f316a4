-- Which carrier's edge a call came through (/telephony/twilio, /signalwire or /telnyx). The
-- routing and the record are the same for every carrier; this says where to look for the call at
-- the carrier (its CallSid is that carrier's id). Calls of Upload Call Audio have none.
alter table call
  add column carrier text check (carrier in ('twilio', 'signalwire', 'telnyx'));

-- Every call recorded before came through the one edge there was.
update call set carrier = 'twilio' where call_source = 'carrier';

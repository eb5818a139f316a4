-- Call screening ("press 1 to accept"): the step whose <Dial> an answering party accepted, and who.
-- A voicemail copied from the carrier into our own storage (carrier links expire); the bridged
-- call's recording goes to recording_path (0013).
alter table call add column screened_step integer;
alter table call add column screened_by text;
alter table call add column voicemail_path text;

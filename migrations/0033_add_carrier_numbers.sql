-- Numbers bought from and released to the carrier: the carrier's id of each number the account
-- owns, a backup destination the carrier rings when this server cannot answer, and a status for
-- a number given back to the carrier (kept: call flows and calls of the past refer to it).
alter table phone_number add column carrier_sid text;
alter table phone_number add column backup_number text
  check (backup_number ~ '^[2-9][0-9]{2}[2-9][0-9]{6}$');
create unique index phone_number_carrier_sid_idx on phone_number (carrier_sid) where carrier_sid is not null;
alter table phone_number drop constraint phone_number_status_check;
alter table phone_number add constraint phone_number_status_check
  check (status in ('available', 'reserved', 'assigned', 'released'));

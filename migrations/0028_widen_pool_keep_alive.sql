-- A DNI session setting's TTL (up to 525,600 minutes, a year) is copied into its flow's pool as
-- the pool's keep-alive, as V2 copies dni_ttl; the pool's own limit of one day would refuse it.
alter table number_pool drop constraint number_pool_keep_alive_minutes_check;
alter table number_pool add constraint number_pool_keep_alive_minutes_check
  check (keep_alive_minutes between 1 and 525600);

-- A DNI number pool's usage over time (src/modules/dni/pool-sampler.ts): every
-- POOL_SAMPLE_MINUTES one row per pool, taken once across all processes; rows older than
-- POOL_HISTORY_DAYS are deleted by the same job. `sampled_at` is the start of the sample's slot,
-- so a slot sampled twice (a run retried) keeps its first row.
create table number_pool_sample (
  pool_id integer not null references number_pool (pool_id) on delete cascade,
  sampled_at timestamptz not null,
  -- numbers in the pool, and those a live visitor holds
  size integer not null,
  leased integer not null,
  -- live leases, and those of them that share their number (the pool was exhausted)
  live_visitors integer not null,
  shared_visitors integer not null,
  -- leases started in the slot before this one, and those of them shared now
  leases_started integer not null,
  shared_started integer not null,
  primary key (pool_id, sampled_at)
);

-- the pruning statement's range
create index number_pool_sample_at_idx on number_pool_sample (sampled_at);

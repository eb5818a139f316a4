-- Rate limits counted in the database, so every process on it shares them (src/http/rate-limit-store.ts,
-- the login back-off in src/modules/auth/auth.service.ts).

-- Requests per client address and route (@fastify/rate-limit's store): `key` is SHA-256 (hex) of
-- the route and the address; the count restarts once `window_ends_at` has passed.
create table rate_limit_counter (
  key text primary key,
  hits integer not null,
  window_ends_at timestamptz not null
);
create index rate_limit_counter_window_idx on rate_limit_counter (window_ends_at);

-- Failed password grants per account, known or not: the account's back-off. A successful login
-- deletes the row; an hourly job deletes old ones.
create table login_failure (
  -- SHA-256 (hex) of the user name as posted, lower-cased: no typed text is kept
  account text primary key,
  failures integer not null check (failures > 0),
  last_failed_at timestamptz not null,
  -- no attempt is looked at before this
  blocked_until timestamptz
);
create index login_failure_last_failed_idx on login_failure (last_failed_at);

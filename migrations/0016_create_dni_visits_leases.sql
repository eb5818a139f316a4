-- Dynamic number insertion at run time: website visits, the pool numbers they lease, and the
-- state of each pool number. The snippet's script asks for a number; a visit holding a pool number
-- is what a call to that number is attributed to (call_attribution, migration 0012).

-- One visit per lease chain: where a visitor landed and from where, captured when the visitor
-- first got a number from the flow's pool.
create table dni_visit (
  visit_id bigint generated always as identity primary key,
  group_id integer not null references org_group (group_id) on delete cascade,
  call_flow_id integer not null references call_flow (call_flow_id) on delete cascade,
  -- the script's first-party visitor id (cookie + localStorage on the customer's site)
  visitor_id text not null,
  landing_page text not null,
  last_page text not null,
  referrer text not null default '',
  search_words text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_term text,
  utm_content text,
  gclid text,
  custom_params jsonb not null default '{}',
  started_at timestamptz not null,
  last_seen_at timestamptz not null
);

create index dni_visit_flow_started_idx on dni_visit (call_flow_id, started_at desc);

-- Who held which pool number when. A lease is live while leased_at <= t < expires_at; each
-- heartbeat moves expires_at to now + keep-alive, a release (page left) moves it to now. `shared`
-- marks leases handed out while the pool had no free number (see docs/dni.md).
create table dni_lease (
  lease_id bigint generated always as identity primary key,
  pool_id integer not null references number_pool (pool_id) on delete cascade,
  phone_number_id integer not null references phone_number (phone_number_id) on delete cascade,
  visit_id bigint not null references dni_visit (visit_id) on delete cascade,
  visitor_id text not null,
  leased_at timestamptz not null,
  expires_at timestamptz not null,
  shared boolean not null default false,
  -- the page view that renewed the lease last: a page left after another page (or tab) of the
  -- same visitor renewed it does not end it
  last_view text,
  check (expires_at >= leased_at)
);

-- a visitor's lease in a pool (heartbeats); who held a number at a call's time (attribution)
create index dni_lease_visitor_idx on dni_lease (visitor_id, pool_id, expires_at desc);
create index dni_lease_number_idx on dni_lease (phone_number_id, expires_at desc);
create index dni_lease_pool_idx on dni_lease (pool_id, leased_at);

-- One row per pool number: the row a lease locks (FOR UPDATE [SKIP LOCKED]), so two visitors
-- can never be handed the same free number, whatever the number of server processes.
-- held_until = the latest expiry of any lease on the number; the number is free again once
-- held_until + the cooldown has passed. last_used_at orders free numbers least recently used first.
create table dni_pool_number (
  phone_number_id integer primary key references phone_number (phone_number_id) on delete cascade,
  pool_id integer not null references number_pool (pool_id) on delete cascade,
  -- the newest lease on the number; a lapsed visitor may resume only while it is still theirs
  lease_id bigint references dni_lease (lease_id) on delete set null,
  held_until timestamptz not null default '-infinity',
  last_used_at timestamptz not null default '-infinity'
);

create index dni_pool_number_lru_idx on dni_pool_number (pool_id, last_used_at);

-- Numbers join and leave pools through phone_number.pool_id (call-flow module); keep one state
-- row per pool number in step with it, whoever writes the column.
create function dni_pool_number_sync() returns trigger language plpgsql as $$
begin
  if new.pool_id is null then
    delete from dni_pool_number where phone_number_id = new.phone_number_id;
  else
    insert into dni_pool_number (phone_number_id, pool_id) values (new.phone_number_id, new.pool_id)
    on conflict (phone_number_id) do update set pool_id = excluded.pool_id;
  end if;
  return null;
end
$$;

create trigger dni_pool_number_sync after insert or update of pool_id on phone_number
  for each row execute function dni_pool_number_sync();

insert into dni_pool_number (phone_number_id, pool_id)
  select phone_number_id, pool_id from phone_number where pool_id is not null;

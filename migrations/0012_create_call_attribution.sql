-- What a call is attributed to beyond its tracking number: the website visit that held the pool
-- number when the call came in (dynamic number insertion). One row per attributed call, written
-- by the DNI module when the call starts; the calls API, the call record and the post-call
-- webhook read it.
create table call_attribution (
  call_id bigint primary key references call (call_id) on delete cascade,
  -- exact: one visitor held the number at the call's time; shared: the pool was exhausted and
  -- the number was leased to more than one visitor; grace: the lease had ended within the grace
  -- window; no session: a pool number with no visit to join
  confidence text not null check (confidence in ('exact', 'shared', 'grace', 'no session')),
  visitor_id text,
  visit_id bigint,
  landing_page text,
  referrer text,
  search_words text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_term text,
  utm_content text,
  gclid text,
  custom_params jsonb not null default '{}',
  attributed_at timestamptz not null
);

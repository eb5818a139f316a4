-- DNI settings (V2 POST /v2/callflow/dni): how a web page swaps in a call flow's number. One
-- setting per call flow; posting again replaces it. The rules are kept as given (`destination_url`
-- = host domain, `referrer` = referring site, both host patterns such as `*.google.*`) and, next to
-- them, as LIKE patterns plus a precedence, so a visitor is matched in one indexed query: the flows
-- of the snippet's group (call_flow_group_idx), their setting by primary key, the most specific
-- rule first (lowest precedence).
create table dni_setting (
  call_flow_id integer primary key references call_flow (call_flow_id) on delete cascade,
  dni_type text not null check (dni_type in ('source', 'url', 'session')),
  dni_element text not null check (dni_element <> '' and dni_element !~ '\s'),
  destination_url text not null,
  referrer text not null,
  -- paid | organic, kept only for search-engine referrers (Google, Yahoo)
  referrer_type text check (referrer_type in ('paid', 'organic')),
  -- comma-separated names of URL parameters to capture
  custom_cookie text not null default '',
  dni_code text,
  -- session-level (pool) settings only: how long a visitor keeps a pool number
  ttl_minutes integer check (ttl_minutes between 15 and 525600),
  destination_like text not null,
  referrer_like text not null,
  precedence integer not null,
  created_at timestamptz not null,
  updated_at timestamptz,
  check ((dni_type = 'session') = (ttl_minutes is not null))
);

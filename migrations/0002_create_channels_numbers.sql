-- The ad-source catalogue (V2 "channels"): a call flow's channel_id names one row.
create table channel (
  channel_id integer primary key,
  category text not null,
  sub_category text not null,
  unique (category, sub_category)
);

insert into channel (channel_id, category, sub_category) values
  (1, 'Search', 'Paid'), (2, 'Search', 'Organic'), (3, 'Search', 'Local'),
  (4, 'Google', 'Paid'), (5, 'Google', 'Organic'), (6, 'Google', 'Business Profile'),
  (7, 'Bing', 'Paid'), (8, 'Bing', 'Organic'),
  (9, 'Facebook', 'Paid'), (10, 'Facebook', 'Organic'),
  (11, 'Instagram', 'Paid'), (12, 'Instagram', 'Organic'),
  (13, 'Linkedin', 'Paid'), (14, 'Linkedin', 'Organic'),
  (15, 'Twitter', 'Paid'), (16, 'Twitter', 'Organic'),
  (17, 'YouTube', 'Paid'), (18, 'TikTok', 'Paid'),
  (19, 'Display', 'Banner'), (20, 'Display', 'Retargeting'),
  (21, 'Email', 'Newsletter'), (22, 'Email', 'Campaign'),
  (23, 'Referral', 'Website'), (24, 'Referral', 'Partner'),
  (25, 'Directory', 'Yelp'), (26, 'Directory', 'Yellow Pages'),
  (27, 'Print', 'Newspaper'), (28, 'Print', 'Magazine'), (29, 'Print', 'Direct Mail'),
  (30, 'Broadcast', 'TV'), (31, 'Broadcast', 'Radio'),
  (32, 'Outdoor', 'Billboard'), (33, 'Outdoor', 'Vehicle'),
  (34, 'Website', 'Direct'), (35, 'Other', 'Other');

-- The number inventory: numbers Switchboard may assign to call flows and DNI pools.
create table phone_number (
  phone_number_id integer generated always as identity primary key,
  number text not null unique check (number ~ '^[2-9][0-9]{2}[2-9][0-9]{6}$'),
  npa text not null,
  nxx text not null,
  rate_center text not null default '',
  state text not null default '',
  ocn text not null default '',
  source integer not null default 10001,
  status text not null default 'available' check (status in ('available', 'reserved', 'assigned')),
  group_id integer references org_group (group_id),
  reserved_by integer references app_user (ct_user_id),
  reserved_at timestamptz,
  created_at timestamptz not null default now()
);

create index phone_number_search_idx on phone_number (status, npa, nxx);
create index phone_number_group_idx on phone_number (group_id);

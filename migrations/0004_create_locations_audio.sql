-- Geo-routing locations (V2 "locations"): a named set of branches owned by a group. A geo route
-- names a location; each branch has the number to ring, where it is, and what it claims.
create table geo_location (
  location_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  location_name text not null check (length(location_name) between 1 and 255),
  location_active boolean not null default true,
  location_created timestamptz not null,
  location_modified timestamptz
);

create index geo_location_group_idx on geo_location (group_id);

create table geo_location_branch (
  branch_id integer generated always as identity primary key,
  location_id integer not null references geo_location (location_id) on delete cascade,
  -- the branch's place in the request that saved it; lists keep that order
  position integer not null,
  branch_name text not null default '',
  target_did text not null check (target_did ~ '^[2-9][0-9]{2}[2-9][0-9]{6}$'),
  address text,
  city text,
  state text,
  zip text,
  -- null when neither given nor derivable from the ZIP code: proximity routing skips the branch
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  claimed_states text[] not null default '{}',
  claimed_zips text[] not null default '{}',
  check ((latitude is null) = (longitude is null))
);

create index geo_location_branch_location_idx on geo_location_branch (location_id, position);

-- Uploaded prompt and whisper audio. The bytes live under DATA_DIR/audio/<group_id>/; call flows
-- point at a file by its reference_id.
create table audio_file (
  audio_file_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  audio_type text not null check (audio_type in ('prompt', 'whisper')),
  file_name text not null,
  format text not null check (format in ('mp3', 'wav')),
  size_bytes integer not null check (size_bytes > 0),
  reference_id text not null unique,
  -- relative to DATA_DIR, so the data directory can move
  storage_path text not null,
  uploaded_by integer references app_user (ct_user_id),
  uploaded_on timestamptz not null
);

create index audio_file_group_idx on audio_file (group_id, uploaded_on desc);

-- Number search by pattern (`801555%`) needs a pattern-ops index whatever the database collation.
create index phone_number_pattern_idx on phone_number (number text_pattern_ops);

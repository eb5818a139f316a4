-- Groups (V2 "org units"): agency -> company -> location, any depth.
-- `path` holds the ids from the top group down to the group itself; scope checks are
-- `path @> array[caller_group_id]`, served by the GIN index.
create table industry (
  industry_id integer primary key,
  industry_name text not null
);

insert into industry (industry_id, industry_name) values
  (1, 'Automotive'), (2, 'Education'), (3, 'Financial Services'), (4, 'Healthcare'),
  (5, 'Home Services'), (6, 'Hospitality'), (7, 'Insurance'), (8, 'Legal'),
  (9, 'Marketing Agency'), (10, 'Real Estate'), (11, 'Retail'), (12, 'Telecommunications'),
  (13, 'Travel'), (14, 'Other');

create table org_group (
  group_id integer generated always as identity primary key,
  group_ext_id text,
  group_name text not null check (length(group_name) between 1 and 255),
  group_parent_id integer references org_group (group_id),
  top_group_id integer not null,
  path integer[] not null,
  group_status text not null default 'active' check (group_status in ('active', 'inactive')),
  address text,
  city text,
  state text,
  zip text,
  phone_number text,
  industry_id integer references industry (industry_id),
  dni_code text not null unique,
  group_created timestamptz not null default now(),
  group_modified timestamptz
);

create index org_group_path_idx on org_group using gin (path);
create index org_group_parent_idx on org_group (group_parent_id);

-- Derives path and top_group_id from the parent, so no writer can get them wrong.
create function org_group_set_path() returns trigger language plpgsql as $$
declare
  parent_path integer[];
begin
  if new.group_parent_id is null then
    new.path := array[new.group_id];
    new.top_group_id := new.group_id;
  else
    select path into parent_path from org_group where group_id = new.group_parent_id;
    if parent_path is null then
      raise foreign_key_violation using message = 'parent group does not exist';
    end if;
    new.path := parent_path || new.group_id;
    new.top_group_id := parent_path[1];
  end if;
  return new;
end
$$;

create trigger org_group_set_path before insert on org_group
  for each row execute function org_group_set_path();

create table app_user (
  ct_user_id integer generated always as identity primary key,
  user_ext_id text,
  group_id integer not null references org_group (group_id),
  user_email text not null,
  password_hash text not null,
  first_name text not null default '',
  last_name text not null default '',
  user_title text,
  role_id smallint not null check (role_id in (1, 2, 3)),
  user_status text not null default 'active' check (user_status in ('active', 'inactive')),
  access_audio boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz
);

create unique index app_user_email_idx on app_user (lower(user_email));
create index app_user_group_idx on app_user (group_id);

create table oauth_client (
  client_id text primary key,
  secret_hash text not null,
  name text not null default '',
  created_at timestamptz not null default now()
);

-- Tokens are random UUIDs; only their SHA-256 is stored. A refresh token is single-use: using it
-- sets used_at, and presenting a used one again revokes its whole family (theft detection).
create table oauth_token (
  token_hash text primary key,
  kind text not null check (kind in ('access', 'refresh')),
  client_id text not null references oauth_client (client_id) on delete cascade,
  ct_user_id integer not null references app_user (ct_user_id) on delete cascade,
  family_id uuid not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);

create index oauth_token_family_idx on oauth_token (family_id);
create index oauth_token_expires_idx on oauth_token (expires_at);

create table app_setting (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

-- Tags, comments and the rest of what the calls API keeps about a call beyond what the routing
-- runtime writes: archive and move marks, uploaded calls' caller data and recording, and a place
-- for transcripts (filled by a later issue; the transcription endpoints read it already).

-- Tags belong to a group and are visible to it and the groups below it. Deleting one is soft
-- (`tag_active` false), so calls keep showing the tags they had.
create table tag (
  tag_id integer generated always as identity primary key,
  group_id integer not null references org_group (group_id),
  tag_name text not null check (length(tag_name) between 1 and 255 and tag_name = btrim(tag_name)),
  tag_active boolean not null default true,
  created_by integer references app_user (ct_user_id),
  tag_created timestamptz not null,
  deleted_at timestamptz,
  check (tag_active = (deleted_at is null))
);

-- One live tag of a name per group whatever its case; tagging by name reuses it.
create unique index tag_live_name_idx on tag (group_id, lower(tag_name)) where tag_active;
create index tag_group_idx on tag (group_id);

create table call_tag (
  call_id bigint not null references call (call_id) on delete cascade,
  tag_id integer not null references tag (tag_id),
  -- who tagged the call; null when a call action did
  ct_user_id integer references app_user (ct_user_id),
  call_tag_created timestamptz not null,
  primary key (call_id, tag_id)
);

create index call_tag_tag_idx on call_tag (tag_id, call_id);

-- Comments are threaded (`comment_parent_id`), as V2's were.
create table call_comment (
  comment_id bigint generated always as identity primary key,
  call_id bigint not null references call (call_id) on delete cascade,
  comment_parent_id bigint references call_comment (comment_id),
  ct_user_id integer references app_user (ct_user_id),
  comment_text text not null check (length(comment_text) between 1 and 4000),
  comment_created timestamptz not null
);

create index call_comment_call_idx on call_comment (call_id, comment_id);

-- Transcripts arrive with conversation analytics (a later issue); the calls API reads this table.
create table call_transcript (
  call_id bigint primary key references call (call_id) on delete cascade,
  transcript_status text not null check (transcript_status in ('pending', 'processing', 'completed', 'failed')),
  language text,
  transcript text,
  -- [{speaker, start_ms, end_ms, text}]
  segments jsonb not null default '[]',
  transcript_created timestamptz not null,
  transcript_modified timestamptz
);

alter table call
  add column archived_at timestamptz,
  add column archived_by integer references app_user (ct_user_id),
  add column moved_at timestamptz,
  add column moved_by integer references app_user (ct_user_id),
  add column moved_from_group_id integer references org_group (group_id),
  -- 'carrier' calls come through the routing runtime, 'upload' ones through Upload Call Audio
  add column call_source text not null default 'carrier' check (call_source in ('carrier', 'upload')),
  -- an uploaded recording, relative to DATA_DIR
  add column recording_path text,
  add column is_outbound boolean not null default false,
  add column caller_name text,
  add column caller_company text,
  add column caller_address text,
  add column line_type text,
  add column assigned_to text,
  -- uploaded calls name their custom sources: {"custom_source_type_1": "Flyer", ...}
  add column custom_source_values jsonb;

-- List Calls at a million rows. Scope is `group_id in (subtree)`: one group or a few use
-- call_group_started_idx (0010); a top group's wide scope walks call_started_idx newest first and
-- stops at the page. The date range (`call_started`) rides on both. A tracking number filter uses
-- its own index. `duration>=N` keeps most calls, so it is a filter on those scans, not an index.
create index call_started_idx on call (started_at desc, call_id desc);
create index call_tracking_started_idx on call (tracking_number, started_at desc);
create index call_archived_idx on call (group_id, archived_at desc) where archived_at is not null;
create index call_in_progress_idx on call (call_flow_id) where ended_at is null;

-- Transcription (src/modules/transcripts/transcription.ts): a transcript row is written as soon as
-- a recorded call is final. Its status is `pending` (queued or retrying), `done`, `failed` (with
-- the reason) or `skipped` (with why: no provider configured, no recording file). `processing`
-- stays allowed for rows written before; `completed` is now `done`.
alter table call_transcript drop constraint call_transcript_transcript_status_check;
update call_transcript set transcript_status = 'done' where transcript_status = 'completed';
alter table call_transcript add constraint call_transcript_transcript_status_check
  check (transcript_status in ('pending', 'processing', 'done', 'failed', 'skipped'));

alter table call_transcript
  add column status_reason text,
  add column provider text,
  -- provider attempts so far (a 429 or 5xx is tried again up to TRANSCRIPTION_MAX_ATTEMPTS)
  add column attempts integer not null default 0,
  -- transcript search (GET /v2/call/transcription/search): English stemming, a GIN index
  add column search_vector tsvector
    generated always as (to_tsvector('english', coalesce(transcript, ''))) stored;

create index call_transcript_search_idx on call_transcript using gin (search_vector);

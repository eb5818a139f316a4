import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { Db } from '../../src/db/index.js';
import type { Clock } from '../../src/lib/clock.js';
import { inScope, isoTime } from '../../src/modules/shared/sql.js';
import { createCallRoutingRepo } from '../../src/telephony/call-routing.repo.js';
import { TRANSCRIPT_WORDS } from './transcript-words.js';

/**
 * Benchmarks only, registered by the bench's server process (serve.ts; see docs/performance.md).
 * Two kinds of route, both unauthenticated, so they never run in the product:
 *
 * - baselines: the least work a request of each scenario could do in this same server (same
 *   Fastify, same pool, same process), so a scenario's figures are read against a floor measured
 *   in the same run;
 * - fixtures: bulk set-up through generate_series (inventory numbers, calls in progress, a million
 *   historical calls), because PGlite belongs to the server process and cannot be reached from
 *   outside it.
 */
export interface BenchRoutesOptions {
  db: Db;
  clock: Clock;
}

/** About the size of the seed IVR's first answer, built once. */
const MENU_TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" timeout="5" ' +
  'action="http://127.0.0.1:3000/telephony/twilio/gather?s=1" method="POST" actionOnEmptyResult="true">' +
  '<Say>Thanks for calling. For sales press 1, for service press 2.</Say></Gather>' +
  '<Redirect method="POST">http://127.0.0.1:3000/telephony/twilio/gather?s=1</Redirect></Response>';

const CarrierForm = Type.Object(
  {
    CallSid: Type.String({ minLength: 1 }),
    From: Type.Optional(Type.String()),
    To: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const FlowEntries = Type.Array(
  Type.Object(
    {
      call_flow_name: Type.String(),
      group_id: Type.Integer(),
      campaign_id: Type.Integer(),
      channel_id: Type.Integer(),
      number: Type.Object(
        { phone_number: Type.Union([Type.Integer(), Type.String()]) },
        { additionalProperties: true },
      ),
    },
    { additionalProperties: true },
  ),
  { minItems: 1, maxItems: 1000 },
);

const ReportSqlQuery = Type.Object({
  /** the report's group: its subtree */
  scope_group_id: Type.Integer(),
  /** first and last local day, YYYY-MM-DD */
  start_date: Type.String(),
  end_date: Type.String(),
  timezone: Type.String(),
});

const ListCallsQuery = Type.Object({
  /** the caller's group: the scope */
  scope_group_id: Type.Integer(),
  /** the group filter */
  group_id: Type.Integer(),
  start: Type.String(),
  end: Type.String(),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});

const NumbersFixture = Type.Object({
  npa: Type.String({ pattern: '^[2-9][0-9]{2}$' }),
  /** numbers npa + (200 + i div 10000) + (i mod 10000), for i in [start, start + count) */
  start: Type.Integer({ minimum: 0, maximum: 7_999_999 }),
  count: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

const CloneCallsFixture = Type.Object({
  sid: Type.String({ minLength: 1 }),
  prefix: Type.String({ minLength: 1 }),
  count: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

const CallsFixture = Type.Object({
  prefix: Type.String({ minLength: 1 }),
  /** rows offset .. offset + count - 1 of `total`, spread evenly over [from, to) */
  offset: Type.Integer({ minimum: 0 }),
  count: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  total: Type.Integer({ minimum: 1 }),
  from: Type.String(),
  to: Type.String(),
  group_ids: Type.Array(Type.Integer(), { minItems: 1 }),
  call_flow_id: Type.Integer(),
  campaign_id: Type.Integer(),
  tracking_number: Type.String(),
});

const Count = Type.Object({ count: Type.Integer() });

const TranscriptsFixture = Type.Object({
  prefix: Type.String({ minLength: 1 }),
  offset: Type.Integer({ minimum: 0 }),
  count: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

const SearchQuery = Type.Object({
  scope_group_id: Type.Integer(),
  query: Type.String({ minLength: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
});

const CallJobsFixture = Type.Object({
  kind: Type.String({ minLength: 1 }),
  prefix: Type.String({ minLength: 1 }),
  offset: Type.Integer({ minimum: 0 }),
  count: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

const JobRange = Type.Object({ first: Type.Integer(), last: Type.Integer(), count: Type.Integer() });
const JobProgressQuery = Type.Object({ first: Type.Integer(), last: Type.Integer() });
const JobProgress = Type.Object({
  done: Type.Integer(),
  failed: Type.Integer(),
  seconds: Type.Union([Type.Number(), Type.Null()]),
});
const SampleQuery = Type.Object({ count: Type.Integer({ minimum: 1, maximum: 100_000 }) });

const CallCountQuery = Type.Object({
  /** counts the calls whose CallSid is this prefix and digits */
  prefix: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9]+$' }),
});

export const benchBaselineRoutes: FastifyPluginAsyncTypebox<BenchRoutesOptions> = async (
  app,
  { db, clock },
) => {
  const hide = { hide: true };

  app.post('/baseline/twiml', { schema: { ...hide, body: CarrierForm } }, async (_request, reply) =>
    reply.type('text/xml').send(MENU_TWIML),
  );

  // The write an inbound call needs, with nothing else: the same INSERT the voice webhook runs.
  app.post('/baseline/insert-call', { schema: { ...hide, body: CarrierForm } }, async (request, reply) => {
    const { CallSid, From, To } = request.body;
    await createCallRoutingRepo(db).insert({
      carrier: 'twilio',
      carrier_call_sid: CallSid,
      call_flow_id: null,
      call_flow_version: null,
      group_id: null,
      campaign_id: null,
      channel_id: null,
      tracking_number: (To ?? '').replace(/^\+1/, ''),
      caller_number: (From ?? '').replace(/^\+1/, ''),
      caller_city: null,
      caller_state: null,
      caller_zip: null,
      stir_verstat: null,
      started_at: clock.now(),
      ended_at: null,
      disposition: 'IN PROGRESS',
      is_repeat: false,
      call_value: null,
      trail: ['m'],
      key_path: '',
      state: null,
      step: 1,
      last_twiml: MENU_TWIML,
    });
    return reply.type('text/xml').send(MENU_TWIML);
  });

  // The rows POST /v2/callflow/multilevelivr writes (number claimed, flow, version 1), in one
  // set-based statement, with no validation, scope checks or per-entry savepoints.
  app.post('/baseline/insert-flows', { schema: { ...hide, body: FlowEntries } }, async (request) => {
    const entries = request.body as Static<typeof FlowEntries> & Record<string, unknown>[];
    const { rowCount } = await db.query(
      `with posted as (
         select * from unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::text[], $6::jsonb[])
           as t(number, group_id, campaign_id, channel_id, call_flow_name, document)
       ), claimed as (
         update phone_number p set status = 'assigned', group_id = posted.group_id
           from posted where p.number = posted.number and p.status = 'available'
         returning p.phone_number_id, p.number
       ), flows as (
         insert into call_flow (group_id, campaign_id, channel_id, call_flow_name, call_flow_status,
                                routable_type, phone_number_id, document, call_flow_created)
         select posted.group_id, posted.campaign_id, posted.channel_id, posted.call_flow_name, 'active',
                'IvrRoute2', claimed.phone_number_id, posted.document, $7
           from posted join claimed on claimed.number = posted.number
         returning call_flow_id, document
       )
       insert into call_flow_version (call_flow_id, version, document, saved_at)
       select call_flow_id, 1, document, $7 from flows`,
      [
        entries.map((e) => String(e.number.phone_number)),
        entries.map((e) => e.group_id),
        entries.map((e) => e.campaign_id),
        entries.map((e) => e.channel_id),
        entries.map((e) => e.call_flow_name),
        entries.map((e) => JSON.stringify(e)),
        clock.now(),
      ],
    );
    return entries.map((_, i) => ({ result: i < rowCount ? 'success' : 'error', entry_count: 1 }));
  });

  // The list query alone, as GET /v2/call/list filters it (scope, live calls, group, date range,
  // newest first, one page), returning the page's rows with their group, campaign and channel
  // names from one statement.
  app.get('/baseline/list-calls', { schema: { ...hide, querystring: ListCallsQuery } }, async (request) => {
    const { scope_group_id, group_id, start, end, limit, offset } = request.query;
    const { rows } = await db.query(
      `select c.call_id, c.call_flow_id, c.group_id, g.group_name, c.campaign_id, cp.campaign_name, c.channel_id,
              ch.category, c.tracking_number, c.caller_number, c.disposition, c.duration_seconds,
              ${isoTime('c.started_at')} as call_started, ${isoTime('c.ended_at')} as call_ended
         from call c
         left join org_group g on g.group_id = c.group_id
         left join campaign cp on cp.campaign_id = c.campaign_id
         left join channel ch on ch.channel_id = c.channel_id
        where ${inScope('c.group_id', '$1')} and c.archived_at is null
          and c.group_id = $2 and c.started_at >= $3 and c.started_at <= $4
        order by c.started_at desc, c.call_id desc
        limit $5 offset $6`,
      [scope_group_id, group_id, start, end, limit, offset],
    );
    return { result: 'success', err: null, data: rows };
  });

  // The least a month-by-campaign-and-day report needs: one aggregate statement over the subtree's
  // calls of the range (whole local days), calls and answered per campaign and local day.
  app.get('/baseline/report-sql', { schema: { ...hide, querystring: ReportSqlQuery } }, async (request) => {
    const { scope_group_id, start_date, end_date, timezone } = request.query;
    const { rows } = await db.query(
      `select c.campaign_id, to_char(c.started_at at time zone $4::text, 'YYYY-MM-DD') as day,
              count(*)::integer as calls, (count(*) filter (where c.disposition = 'ANSWERED'))::integer as answered
         from call c join org_group g on g.group_id = c.group_id
        where g.path @> array[$1::integer] and c.archived_at is null
          and c.started_at >= ($2::date)::timestamp at time zone $4::text
          and c.started_at < ($3::date + 1)::timestamp at time zone $4::text
        group by 1, 2 order by 1, 2`,
      [scope_group_id, start_date, end_date, timezone],
    );
    return { result: 'success', err: null, data: rows };
  });

  app.post(
    '/fixtures/numbers',
    { schema: { ...hide, body: NumbersFixture, response: { 200: Count } } },
    async (request) => {
      const { npa, start, count } = request.body;
      const { rowCount } = await db.query(
        `insert into phone_number (number, npa, nxx, rate_center, state, ocn)
       select $1 || (200 + i / 10000)::text || lpad((i % 10000)::text, 4, '0'), $1, (200 + i / 10000)::text,
              'BENCH', 'CA', 'BNCH'
         from generate_series($2::int, $2::int + $3::int - 1) as i
       on conflict (number) do nothing`,
        [npa, start, count],
      );
      return { count: rowCount };
    },
  );

  // Copies of one call in progress, each with its own CallSid: callbacks for calls that exist.
  app.post(
    '/fixtures/clone-calls',
    { schema: { ...hide, body: CloneCallsFixture, response: { 200: Count } } },
    async (request) => {
      const { sid, prefix, count } = request.body;
      const { rowCount } = await db.query(
        `insert into call (carrier_call_sid, call_flow_id, call_flow_version, group_id, campaign_id, channel_id,
                           tracking_number, caller_number, caller_city, caller_state, caller_zip, stir_verstat,
                           started_at, disposition, is_repeat, call_value, trail, key_path, state, step, last_twiml)
         select $2 || lpad(i::text, 12, '0'), c.call_flow_id, c.call_flow_version, c.group_id, c.campaign_id, c.channel_id,
                c.tracking_number, c.caller_number, c.caller_city, c.caller_state, c.caller_zip, c.stir_verstat,
                c.started_at, c.disposition, c.is_repeat, c.call_value, c.trail, c.key_path, c.state, c.step,
                c.last_twiml
           from call c, generate_series(1, $3::int) as i
          where c.carrier_call_sid = $1`,
        [sid, prefix, count],
      );
      return { count: rowCount };
    },
  );

  // Finished historical calls spread over a date range and a set of groups: the list scenario.
  app.post(
    '/fixtures/calls',
    { schema: { ...hide, body: CallsFixture, response: { 200: Count } } },
    async (request) => {
      const b = request.body;
      const { rowCount } = await db.query(
        `insert into call (carrier_call_sid, call_flow_id, call_flow_version, group_id, campaign_id, channel_id,
                         tracking_number, caller_number, caller_state, started_at, answered_at, ended_at,
                         duration_seconds, disposition, key_path, call_value, trail, step)
       select $1 || i, $2, 1, ($3::int[])[1 + i % cardinality($3::int[])], $4, 7, $5,
              (212 + i % 700)::text || '555' || lpad((i % 10000)::text, 4, '0'), 'CA', at, at + interval '3 seconds',
              at + (30 + i % 300) * interval '1 second', 30 + i % 300,
              (array['ANSWERED', 'ANSWERED', 'ANSWERED', 'NO ANSWER', 'VOICEMAIL'])[1 + i % 5],
              '1', 25, '["m","m.1","answered"]', 3
         from generate_series($6::int, $6::int + $7::int - 1) as i,
              lateral (select $9::timestamptz + ($10::timestamptz - $9::timestamptz) * (i::float8 / $8::int) as at) t`,
        [
          b.prefix,
          b.call_flow_id,
          b.group_ids,
          b.campaign_id,
          b.tracking_number,
          b.offset,
          b.count,
          b.total,
          b.from,
          b.to,
        ],
      );
      return { count: rowCount };
    },
  );

  // The calls a scenario's requests recorded: each answered request must have its row.
  app.get(
    '/fixtures/call-count',
    { schema: { ...hide, querystring: CallCountQuery, response: { 200: Count } } },
    async (request) => {
      const { rows } = await db.query<{ count: number }>(
        `select count(*)::int as count from call
          where carrier_call_sid like $1 || '%' and substr(carrier_call_sid, length($1) + 1) ~ '^[0-9]+$'`,
        [request.query.prefix],
      );
      return { count: rows[0]?.count ?? 0 };
    },
  );

  // Fresh planner statistics for the bulk-loaded calls, as autovacuum would give them a little
  // later: of that table only. A database-wide ANALYZE also marks the tables that are still empty
  // (job, webhook_delivery, call_notification...) as analysed and empty, and the prepared
  // statements on them then keep plans made for an empty table while later scenarios fill them,
  // until autovacuum analyses them again (about a minute in; a scenario runs for 10 s).
  app.post('/fixtures/analyze', { schema: hide }, async () => {
    await db.exec('analyze call');
    return { done: true };
  });

  // Transcripts for the calls `prefix || i`, i in [offset, offset + count): 6 to 14 utterances
  // each, agent and caller in turn, from sentence templates with names, days, services, places,
  // brands and filler words drawn at random (bench/lib/transcript-words.ts), so the index holds a
  // realistic spread of common and rare words. Stored `done`, as the transcription job leaves them.
  app.post(
    '/fixtures/transcripts',
    { schema: { ...hide, body: TranscriptsFixture, response: { 200: Count } } },
    async (request) => {
      const b = request.body;
      const pick = (list: string) => `(${list})[1 + floor(random() * cardinality(${list}))::int]`;
      const { rowCount } = await db.query(
        `insert into call_transcript (call_id, transcript_status, language, transcript, segments, provider,
                                      transcript_created, transcript_modified)
         select c.call_id, 'done', 'en', string_agg(u.text, E'\\n' order by u.k),
                jsonb_agg(jsonb_build_object('speaker', u.speaker, 'start_ms', u.start_ms,
                                             'end_ms', u.start_ms + 4200, 'text', u.text) order by u.k),
                'bench', c.ended_at, c.ended_at
           from generate_series($2::int, $2::int + $3::int - 1) as i
           join call c on c.carrier_call_sid = $1 || i
           cross join lateral (
             select k, case when k % 2 = 1 then 'agent' else 'caller' end as speaker,
                    (k - 1) * 5000 + (i % 700) as start_ms,
                    replace(replace(replace(replace(replace(
                      case when k % 2 = 1 then ${pick('$4::text[]')} else ${pick('$5::text[]')} end,
                      '{name}', ${pick('$6::text[]')}), '{day}', ${pick('$7::text[]')}),
                      '{service}', ${pick('$8::text[]')}), '{place}', ${pick('$9::text[]')}),
                      '{brand}', ${pick('$10::text[]')})
                    || coalesce(' ' || (select string_agg(${pick('$11::text[]')}, ' ')
                                          from generate_series(1, (i + k) % 5) as w), '') as text
               from generate_series(1, 6 + i % 9) as k
           ) u
          group by c.call_id, c.ended_at
         on conflict (call_id) do nothing`,
        [
          b.prefix,
          b.offset,
          b.count,
          TRANSCRIPT_WORDS.agent,
          TRANSCRIPT_WORDS.caller,
          TRANSCRIPT_WORDS.names,
          TRANSCRIPT_WORDS.days,
          TRANSCRIPT_WORDS.services,
          TRANSCRIPT_WORDS.places,
          TRANSCRIPT_WORDS.brands,
          TRANSCRIPT_WORDS.filler,
        ],
      );
      return { count: rowCount };
    },
  );

  // The search statement alone, as GET /v2/call/transcription/search runs it with no filter
  // (scope, live calls, the transcript matches, newest first, one page), with the page's group,
  // campaign and channel names, planned for its values as the route's is: no highlighting, no
  // records.
  app.get(
    '/baseline/search-transcripts',
    { schema: { ...hide, querystring: SearchQuery } },
    async (request) => {
      const { scope_group_id, query, limit } = request.query;
      const { rows } = await db.query(
        `select c.call_id, c.group_id, g.group_name, c.campaign_id, cp.campaign_name, c.channel_id,
                c.tracking_number, c.caller_number, c.disposition, c.duration_seconds,
                ${isoTime('c.started_at')} as call_started
           from call c
           join call_transcript t on t.call_id = c.call_id
           left join org_group g on g.group_id = c.group_id
           left join campaign cp on cp.campaign_id = c.campaign_id
          where ${inScope('c.group_id', '$1')} and c.archived_at is null
            and t.search_vector @@ websearch_to_tsquery('english', $2)
          order by c.started_at desc, c.call_id desc
          limit $3`,
        [scope_group_id, query, limit],
        { planPerRun: true },
      );
      return { result: 'success', err: null, data: rows };
    },
  );

  // `call.analyze` jobs (or any other kind taking { callId }) for the calls `prefix || i`, in one
  // statement, as the transcription job enqueues them one by one; answers the job id range.
  app.post(
    '/fixtures/enqueue-call-jobs',
    { schema: { ...hide, body: CallJobsFixture, response: { 200: JobRange } } },
    async (request) => {
      const { kind, prefix, offset, count } = request.body;
      const { rows } = await db.query<{ first: number; last: number; count: number }>(
        `with added as (
           insert into job (kind, payload, dedupe_key)
           select $1, jsonb_build_object('callId', c.call_id), $1 || ':' || c.call_id
             from generate_series($3::int, $3::int + $4::int - 1) as i
             join call c on c.carrier_call_sid = $2 || i
           on conflict (dedupe_key) do nothing
           returning job_id
         )
         select coalesce(min(job_id), 0)::int as first, coalesce(max(job_id), 0)::int as last,
                count(*)::int as count from added`,
        [kind, prefix, offset, count],
      );
      return rows[0] ?? { first: 0, last: 0, count: 0 };
    },
  );

  // How far the jobs of a range are: finished, failed, and the seconds from their enqueue to the
  // last one's end.
  app.get(
    '/fixtures/job-progress',
    { schema: { ...hide, querystring: JobProgressQuery, response: { 200: JobProgress } } },
    async (request) => {
      const { first, last } = request.query;
      const { rows } = await db.query<{ done: number; failed: number; seconds: number | null }>(
        `select count(*) filter (where done_at is not null)::int as done,
                count(*) filter (where failed_at is not null)::int as failed,
                extract(epoch from max(done_at) - min(created_at))::float8 as seconds
           from job where job_id between $1 and $2`,
        [first, last],
      );
      return rows[0] ?? { done: 0, failed: 0, seconds: null };
    },
  );

  // Stored transcripts' utterances (for the redaction measurement in the bench process).
  app.get(
    '/fixtures/transcript-sample',
    { schema: { ...hide, querystring: SampleQuery } },
    async (request) => {
      const { rows } = await db.query<{ segments: { text: string }[] }>(
        'select segments from call_transcript where transcript_status = $1 order by call_id limit $2',
        ['done', request.query.count],
      );
      return { transcripts: rows.map((row) => row.segments.map((segment) => segment.text)) };
    },
  );

  // After the bulk load, what autovacuum does a minute later: the GIN index's pending list merged
  // (until then every search reads it through), fresh statistics for the transcripts, the calls
  // and the group tree (migration 0127 has autovacuum analyse org_group after five changes).
  app.post('/fixtures/analyze-transcripts', { schema: hide }, async () => {
    await db.exec('vacuum analyze call_transcript');
    await db.exec('analyze call');
    await db.exec('analyze org_group');
    return { done: true };
  });
};

import { type Static, Type } from '@sinclair/typebox';
import type { Queryable } from '../../db/index.js';
import { NullableInteger, NullableNumber, NullableString, StringEnum } from '../../http/schemas.js';
import { isoTime } from '../shared/sql.js';

/**
 * The call as V2 shows it. The core keys are the ones Convirza's QA suite asserts on
 * `GET /v2/call/tag`; the rest follow them in spelling. Webhooks, e-mail and call actions send
 * this same record, so it is loaded in one place.
 */
export const CallTag = Type.Object({
  tag_id: Type.Integer(),
  ct_user_id: NullableInteger(),
  call_tag_created: Type.String(),
  tag_name: Type.String(),
  tag_created: Type.String(),
  tag_active: Type.Boolean(),
});

export const CallComment = Type.Object({
  comment_id: Type.Integer(),
  comment_parent_id: NullableInteger(),
  ct_user_id: NullableInteger(),
  comment: Type.String(),
  comment_created: Type.String(),
});

export const CallCustomSource = Type.Object({
  custom_source_id: NullableInteger(),
  custom_source_name: Type.String(),
  org_unit_id: NullableInteger(),
});

export const CallAttribution = Type.Object({
  confidence: Type.String({ description: 'exact, shared, grace or no session' }),
  visitor_id: NullableString(),
  visit_id: NullableInteger(),
  landing_page: NullableString(),
  referrer: NullableString(),
  search_words: NullableString(),
  utm_source: NullableString(),
  utm_medium: NullableString(),
  utm_campaign: NullableString(),
  utm_term: NullableString(),
  utm_content: NullableString(),
  gclid: NullableString(),
  custom_params: Type.Record(Type.String(), Type.Unknown()),
  attributed_at: Type.String(),
});

const IndicatorReason = Type.Object({
  phrase: Type.Optional(Type.String({ description: 'the phrase said' })),
  speaker: Type.Optional(Type.String({ description: 'who said it: caller, agent or unknown' })),
  start_ms: Type.Optional(Type.Integer({ description: 'when the utterance began' })),
  negated: Type.Optional(Type.Boolean({ description: 'said after a negation ("not"), so it did not count' })),
  field: Type.Optional(Type.String({ description: 'the call field used' })),
  value: Type.Optional(
    Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], {
      description: "the field's value",
    }),
  ),
  weight: Type.Number({ description: 'what it added to the score (negative: took away)' }),
});

export const IndicatorScore = Type.Object({
  indicator_id: Type.Integer(),
  indicator_name: Type.String(),
  score: Type.Integer({ minimum: 0, maximum: 100 }),
  reasons: Type.Array(IndicatorReason),
  scored_at: Type.String(),
  model_score: Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()], {
    description: "the chat model's score beside the rule score (ANALYSIS_URL); null without a model",
  }),
  model_quote: Type.Union([Type.String(), Type.Null()], {
    description: 'the words of the transcript the model quoted as evidence; null when none',
  }),
});

export const CallRecordSchema = Type.Object({
  call_id: Type.Integer(),
  call_flow_id: NullableInteger(),
  group_id: NullableInteger(),
  group_name: NullableString(),
  group_ext_id: NullableString(),
  campaign_id: NullableInteger(),
  campaign_name: NullableString(),
  channel_id: NullableInteger(),
  channel: NullableString({ description: '"Category: Sub category"' }),
  tracking_number: Type.String(),
  tracking_number_name: NullableString({ description: 'the call flow name' }),
  caller_id: Type.String(),
  caller_name: NullableString(),
  caller_company: NullableString(),
  caller_address: NullableString(),
  caller_city: NullableString(),
  caller_state: NullableString(),
  caller_zip: NullableString(),
  ring_to: NullableString({ description: 'the number that answered, else the first one rung' }),
  disposition: Type.String(),
  duration: NullableInteger({ description: 'seconds' }),
  repeat_call: Type.Boolean(),
  call_started: Type.String(),
  call_answered: NullableString(),
  call_ended: NullableString(),
  call_value: NullableNumber(),
  key_path: Type.String({ description: 'menu keys pressed, e.g. "1.2"' }),
  route_trail: Type.Array(Type.String()),
  is_outbound: Type.Boolean(),
  call_source: StringEnum(['carrier', 'upload']),
  line_type: NullableString(),
  assign_to: NullableString(),
  recording_url: NullableString(),
  voicemail_url: NullableString(),
  call_archived: Type.Boolean(),
  tags: Type.Array(CallTag),
  custom_sources: Type.Record(Type.String(), CallCustomSource, {
    description: 'keyed custom_source_type_1 ... custom_source_type_5',
  }),
  comments: Type.Array(CallComment),
  attribution: Type.Unsafe<Static<typeof CallAttribution> | null>({
    type: ['object', 'null'],
    properties: CallAttribution.properties,
    required: CallAttribution.required,
  }),
  indicator_scores: Type.Array(IndicatorScore, {
    description: "the call's indicator scores once it is analysed (after transcription); empty before",
  }),
});

export type CallRecord = Static<typeof CallRecordSchema>;

const FIRST_RING = `(select substr(t.entry, 6) from jsonb_array_elements_text(c.trail) with ordinality as t(entry, n)
                      where t.entry like 'ring:%' order by t.n limit 1)`;

/** The call columns the record reads: what a page query (`callRecordsSql`) must select from `call c`. */
export const RECORD_CALL_COLUMNS = `c.call_id, c.call_flow_id, c.group_id, c.campaign_id, c.channel_id,
       c.tracking_number, c.caller_number, c.caller_name, c.caller_company, c.caller_address, c.caller_city,
       c.caller_state, c.caller_zip, c.answered_by, c.trail, c.disposition, c.duration_seconds, c.is_repeat,
       c.started_at, c.answered_at, c.ended_at, c.call_value, c.key_path, c.is_outbound, c.call_source,
       c.line_type, c.assigned_to, c.recording_url, c.voicemail_url, c.archived_at, c.custom_source_values,
       c.flow_custom_sources`;

/**
 * One statement for the records of the calls `pageSql` selects (`RECORD_CALL_COLUMNS` of
 * `call c`, and whatever `orderBy` needs), in the order `orderBy` gives: the page is a sub-query,
 * so a list is one round trip. The lists of a call (tags, comments, custom sources) are
 * sub-selects per call: aggregating them once over the page and joining (tried) runs faster but
 * takes about 2 ms more to plan, and these statements are planned on every request. The call's
 * group, campaign and flow are sub-selects too, always index lookups: as joins, on a generic plan
 * for one call, the planner took a merge join that walks every flow (see TARGETS_CTES in
 * webhook-delivery.ts).
 */
export function callRecordsSql(pageSql: string, orderBy: string): string {
  return `
select c.call_id::integer as call_id,
       c.call_flow_id,
       c.group_id,
       (select g.group_name from org_group g where g.group_id = c.group_id) as group_name,
       (select g.group_ext_id from org_group g where g.group_id = c.group_id) as group_ext_id,
       c.campaign_id,
       (select cp.campaign_name from campaign cp where cp.campaign_id = c.campaign_id) as campaign_name,
       c.channel_id,
       case when ch.channel_id is null then null else ch.category || ': ' || ch.sub_category end as channel,
       c.tracking_number,
       (select f.call_flow_name from call_flow f where f.call_flow_id = c.call_flow_id) as tracking_number_name,
       c.caller_number as caller_id,
       c.caller_name,
       c.caller_company,
       c.caller_address,
       c.caller_city,
       c.caller_state,
       c.caller_zip,
       coalesce(c.answered_by, ${FIRST_RING}) as ring_to,
       c.disposition,
       c.duration_seconds as duration,
       c.is_repeat as repeat_call,
       ${isoTime('c.started_at')} as call_started,
       case when c.answered_at is null then null else ${isoTime('c.answered_at')} end as call_answered,
       case when c.ended_at is null then null else ${isoTime('c.ended_at')} end as call_ended,
       c.call_value::float8 as call_value,
       c.key_path,
       c.trail as route_trail,
       c.is_outbound,
       c.call_source,
       c.line_type,
       c.assigned_to as assign_to,
       c.recording_url,
       c.voicemail_url,
       c.archived_at is not null as call_archived,
       coalesce((
         select jsonb_agg(jsonb_build_object(
                  'tag_id', t.tag_id, 'ct_user_id', ct.ct_user_id,
                  'call_tag_created', ${isoTime('ct.call_tag_created')}, 'tag_name', t.tag_name,
                  'tag_created', ${isoTime('t.tag_created')}, 'tag_active', t.tag_active)
                order by ct.call_tag_created, t.tag_id)
           from call_tag ct join tag t on t.tag_id = ct.tag_id
          where ct.call_id = c.call_id), '[]'::jsonb) as tags,
       case when c.custom_source_values is not null then (
         select coalesce(jsonb_object_agg(v.key, jsonb_build_object(
                  'custom_source_id', null, 'custom_source_name', v.value, 'org_unit_id', null)), '{}'::jsonb)
           from jsonb_each_text(c.custom_source_values) v)
       else (
         -- the flow's slots when the call was written (migration 0028), not as they are now
         select coalesce(jsonb_object_agg('custom_source_type_' || s.key, jsonb_build_object(
                  'custom_source_id', cs.custom_source_id, 'custom_source_name', cs.custom_source_name,
                  'org_unit_id', cs.group_id)), '{}'::jsonb)
           from jsonb_each_text(c.flow_custom_sources) s
           join custom_source cs on cs.custom_source_id = s.value::integer)
       end as custom_sources,
       coalesce((
         select jsonb_agg(jsonb_build_object(
                  'comment_id', m.comment_id, 'comment_parent_id', m.comment_parent_id,
                  'ct_user_id', m.ct_user_id, 'comment', m.comment_text,
                  'comment_created', ${isoTime('m.comment_created')})
                order by m.comment_id)
           from call_comment m
          where m.call_id = c.call_id), '[]'::jsonb) as comments,
       case when a.call_id is null then null else jsonb_build_object(
         'confidence', a.confidence, 'visitor_id', a.visitor_id, 'visit_id', a.visit_id,
         'landing_page', a.landing_page, 'referrer', a.referrer, 'search_words', a.search_words,
         'utm_source', a.utm_source, 'utm_medium', a.utm_medium, 'utm_campaign', a.utm_campaign,
         'utm_term', a.utm_term, 'utm_content', a.utm_content, 'gclid', a.gclid,
         'custom_params', a.custom_params, 'attributed_at', ${isoTime('a.attributed_at')}) end as attribution,
       coalesce((
         select jsonb_agg(jsonb_build_object(
                  'indicator_id', s.indicator_id, 'indicator_name', s.indicator_name, 'score', s.score,
                  'reasons', s.reasons, 'scored_at', ${isoTime('s.scored_at')},
                  'model_score', s.model_score, 'model_quote', s.model_quote)
                order by s.indicator_id)
           from call_indicator_score s
          where s.call_id = c.call_id), '[]'::jsonb) as indicator_scores
  from (${pageSql}) c
  left join channel ch on ch.channel_id = c.channel_id
  left join call_attribution a on a.call_id = c.call_id
 order by ${orderBy}`;
}

export const RECORDS_BY_ID_SQL = callRecordsSql(
  `select ${RECORD_CALL_COLUMNS}, i.n
     from unnest($1::bigint[]) with ordinality as i(call_id, n) join call c on c.call_id = i.call_id`,
  'c.n',
);

/**
 * The calls' records in the order of `callIds`; ids that do not exist are left out. Prepared:
 * the statement takes longer to plan than to run, and the job steps read it for every completed
 * call (webhook fan-out, call summary e-mail, call actions).
 */
export async function loadCallRecords(q: Queryable, callIds: readonly number[]): Promise<CallRecord[]> {
  if (callIds.length === 0) return [];
  const { rows } = await q.query<CallRecord>(RECORDS_BY_ID_SQL, [[...new Set(callIds)]], {
    prepare: 'call_records_by_id',
  });
  return rows;
}

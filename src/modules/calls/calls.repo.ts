import { createHash } from 'node:crypto';
import type { QueryOptions } from '../../db/db.js';
import type { Queryable } from '../../db/index.js';
import { type CompiledFilter, type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';
import { type CallRecord, callRecordsSql, RECORD_CALL_COLUMNS } from './call-record.js';

/**
 * The attribution values the console reports and filters by, as SQL on the attribution row `a`:
 * a landing page without its query string, a referrer's host. One definition for the breakdowns
 * (call-reports.repo.ts) and the filters that drill down into them.
 */
export const ATTRIBUTION_VALUES = {
  landing_page: `nullif(split_part(a.landing_page, '?', 1), '')`,
  referrer: `substring(a.referrer from '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)')`,
  utm_source: 'a.utm_source',
  utm_medium: 'a.utm_medium',
  utm_source_medium: `nullif(concat_ws(' / ', a.utm_source, a.utm_medium), '')`,
} as const;

/**
 * What became of a call, in the console's words: answered, voicemail, blocked (blacklist or spam),
 * in progress, or missed (every other end: no answer, busy, abandoned, failed ...). One definition
 * for the reports' figures and the filter that drills down into them.
 */
export const OUTCOME_SQL = `(case c.disposition when 'ANSWERED' then 'answered' when 'VOICEMAIL' then 'voicemail'
  when 'BLOCKED' then 'blocked' when 'IN PROGRESS' then 'in progress' else 'missed' end)`;

/** A call's attribution value as a sub-select on the call `c`. */
const attributionSql = (name: keyof typeof ATTRIBUTION_VALUES) =>
  `select ${ATTRIBUTION_VALUES[name]} from call_attribution a where a.call_id = c.call_id`;

/** Filter fields of the call lists, spelled as the call record spells them. */
export const callFilterFields: FilterFields = {
  call_id: { column: 'c.call_id', type: 'integer' },
  call_flow_id: { column: 'c.call_flow_id', type: 'integer' },
  group_id: { column: 'c.group_id', type: 'integer' },
  // the WordPress client filters call details by the group's external id
  external_id: { column: 'g.group_ext_id', type: 'string' },
  group_ext_id: { column: 'g.group_ext_id', type: 'string' },
  campaign_id: { column: 'c.campaign_id', type: 'integer' },
  channel_id: { column: 'c.channel_id', type: 'integer' },
  disposition: { column: 'c.disposition', type: 'string' },
  duration: { column: 'c.duration_seconds', type: 'integer' },
  caller_id: { column: 'c.caller_number', type: 'string' },
  tracking_number: { column: 'c.tracking_number', type: 'string' },
  ring_to: { column: 'c.answered_by', type: 'string' },
  repeat_call: { column: 'c.is_repeat', type: 'boolean' },
  call_started: { column: 'c.started_at', type: 'date' },
  call_ended: { column: 'c.ended_at', type: 'date' },
  call_value: { column: 'c.call_value', type: 'number' },
  is_outbound: { column: 'c.is_outbound', type: 'boolean' },
  call_source: { column: 'c.call_source', type: 'string' },
  // our design (the console's filters and report drill-downs): the keys pressed, a tag the call
  // has, and the DNI visit it is attributed to (the landing page without its query string, the
  // referrer's host, the UTM source)
  key_path: { column: 'c.key_path', type: 'string' },
  outcome: { column: OUTCOME_SQL, type: 'string' },
  tag_name: {
    column: 'tag_name',
    type: 'string',
    condition: (value, negated) =>
      `${negated ? 'not ' : ''}exists (select 1 from call_tag ct join tag t on t.tag_id = ct.tag_id
        where ct.call_id = c.call_id and lower(t.tag_name) = lower(${value}))`,
    nullCondition: (negated) =>
      `${negated ? '' : 'not '}exists (select 1 from call_tag ct where ct.call_id = c.call_id)`,
  },
  landing_page: { column: `(${attributionSql('landing_page')})`, type: 'string' },
  referrer: { column: `(${attributionSql('referrer')})`, type: 'string' },
  utm_source: { column: `(${attributionSql('utm_source')})`, type: 'string' },
  utm_medium: { column: `(${attributionSql('utm_medium')})`, type: 'string' },
  utm_source_medium: { column: `(${attributionSql('utm_source_medium')})`, type: 'string' },
  // our design (the dashboard's indicator trends): the call scored this indicator at 50 or more
  indicator_id: {
    column:
      '(select min(s.indicator_id) from call_indicator_score s where s.call_id = c.call_id and s.score >= 50)',
    type: 'string',
    condition: (value, negated) =>
      `${negated ? 'not ' : ''}exists (select 1 from call_indicator_score s
        where s.call_id = c.call_id and s.indicator_id::text = ${value} and s.score >= 50)`,
  },
};

/** Which calls a list endpoint shows, beyond scope and filter. */
export type CallListKind =
  | 'calls'
  | 'archived'
  | 'tagged'
  | 'custom sources'
  | 'dni'
  | 'recorded'
  | 'analyzed'
  | 'all live';

const KIND_CONDITIONS: Record<CallListKind, string> = {
  calls: 'c.archived_at is null',
  'all live': 'c.archived_at is null',
  archived: 'c.archived_at is not null',
  tagged: 'c.archived_at is null and exists (select 1 from call_tag ct where ct.call_id = c.call_id)',
  'custom sources': `c.archived_at is null
     and (c.custom_source_values is not null or c.flow_custom_sources is not null)`,
  dni: 'c.archived_at is null and exists (select 1 from call_attribution a where a.call_id = c.call_id)',
  analyzed: 'c.archived_at is null and exists (select 1 from call_analysis ca where ca.call_id = c.call_id)',
  recorded: `c.archived_at is null and (c.recording_url is not null
     or exists (select 1 from call_transcript t where t.call_id = c.call_id))`,
};

export type MetricsSecondary = 'campaign' | 'channel' | 'tracking_number';

/** The name a select-list entry has in the result: `c.group_id` -> group_id, `... as date` -> date. */
const outputName = (entry: string) => entry.split(' as ').at(-1)?.split('.').at(-1) as string;

const SECONDARY_COLUMNS: Record<MetricsSecondary, string[]> = {
  campaign: ['c.campaign_id', 'cp.campaign_name'],
  channel: [
    'c.channel_id',
    `case when ch.channel_id is null then null else ch.category || ': ' || ch.sub_category end as channel`,
  ],
  tracking_number: ['c.tracking_number'],
};

export interface MetricsRow {
  group_id: number;
  group_name: string;
  date?: string;
  campaign_id?: number | null;
  campaign_name?: string | null;
  channel_id?: number | null;
  channel?: string | null;
  tracking_number?: string;
  calls: number;
  unique_calls: number;
  answered: number;
  repeat_calls: number;
  texts: number;
  unique_texters: number;
  billable_minutes: number;
  total_duration: number;
  average_duration: number;
  call_value: number;
  first_call: string;
  last_call: string;
}

export interface NewUploadedCall {
  carrier_call_sid: string;
  call_flow_id: number | null;
  group_id: number;
  campaign_id: number | null;
  channel_id: number | null;
  tracking_number: string;
  caller_number: string;
  caller_name: string | null;
  caller_company: string | null;
  caller_address: string | null;
  caller_city: string | null;
  caller_state: string | null;
  caller_zip: string | null;
  answered_by: string | null;
  started_at: Date;
  ended_at: Date;
  duration_seconds: number | null;
  disposition: string;
  is_outbound: boolean;
  line_type: string | null;
  assigned_to: string | null;
  custom_source_values: Record<string, string> | null;
  recording_path: string;
}

export interface ActiveFlowRow {
  call_flow_id: number;
  call_flow_name: string;
  group_id: number;
  campaign_id: number;
  channel_id: number;
  routable_type: string;
  call_flow_status: string;
  tracking_number: string | null;
  pool_id: number | null;
  call_flow_created: string;
  calls_in_progress: number;
  last_call_started: string | null;
}

export const activeFlowFilterFields: FilterFields = {
  call_flow_id: { column: 'f.call_flow_id', type: 'integer' },
  call_flow_name: { column: 'f.call_flow_name', type: 'string' },
  group_id: { column: 'f.group_id', type: 'integer' },
  campaign_id: { column: 'f.campaign_id', type: 'integer' },
  channel_id: { column: 'f.channel_id', type: 'integer' },
  routable_type: { column: 'f.routable_type', type: 'string' },
  tracking_number: { column: 'p.number', type: 'string' },
  pool_id: { column: 'f.pool_id', type: 'integer' },
  call_flow_created: { column: 'f.call_flow_created', type: 'date' },
};

/**
 * How many texts of the list statement (one per list kind and filter shape) a repo prepares.
 * PostgreSQL keeps a prepared statement for the life of the connection, and filters can be
 * written in endlessly many shapes: past this many, a new shape runs unprepared.
 */
const MAX_PREPARED_LIST_SHAPES = 64;

/**
 * Names the list statement's texts for preparing: planning the record statement takes several
 * milliseconds, so each shape is prepared once per connection. After five runs PostgreSQL may
 * switch to a generic plan; for a group and date filter it keeps the (group_id, started_at) index.
 */
function createListStatementNames(): (text: string) => QueryOptions {
  const names = new Map<string, QueryOptions>();
  return (text) => {
    let options = names.get(text);
    if (options === undefined) {
      if (names.size >= MAX_PREPARED_LIST_SHAPES) return {};
      // the name follows from the text: one name never stands for two texts on a connection
      options = { prepare: `calls_list_${createHash('sha1').update(text).digest('hex').slice(0, 20)}` };
      names.set(text, options);
    }
    return options;
  };
}

export function createCallsRepo(db: Queryable) {
  const listStatement = createListStatementNames();
  return {
    /** One page of call records, newest first, in the subtree of `scopeGroupId`: one statement. */
    async listRecords(scopeGroupId: number, page: ListPage, kind: CallListKind): Promise<CallRecord[]> {
      const text = callRecordsSql(
        `select ${RECORD_CALL_COLUMNS} from call c join org_group g on g.group_id = c.group_id
          where g.path @> array[$1::integer] and ${KIND_CONDITIONS[kind]}
            and ${whereClause(page.filter.conditions)}
          order by c.started_at desc, c.call_id desc limit $2 offset $3`,
        'c.started_at desc, c.call_id desc',
      );
      const { rows } = await db.query<CallRecord>(
        text,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
        listStatement(text),
      );
      return rows;
    },

    /**
     * One page of the calls whose transcript matches `query` ($4, web-search syntax: "a phrase",
     * or, -word), newest first, with the call-log filters: the GIN index on the transcript's
     * tsvector (migration 0040) finds the transcripts.
     */
    async searchRecords(scopeGroupId: number, page: ListPage, query: string): Promise<CallRecord[]> {
      const text = callRecordsSql(
        `select ${RECORD_CALL_COLUMNS} from call c join org_group g on g.group_id = c.group_id
           join call_transcript t on t.call_id = c.call_id
          where g.path @> array[$1::integer] and c.archived_at is null
            and t.search_vector @@ websearch_to_tsquery('english', $4)
            and ${whereClause(page.filter.conditions)}
          order by c.started_at desc, c.call_id desc limit $2 offset $3`,
        'c.started_at desc, c.call_id desc',
      );
      // Planned for each search: the best plan hangs on how many transcripts hold the words (a
      // common word: walk the calls newest first; a rare name: the GIN index, then sort), which a
      // generic plan cannot know (docs/performance.md, transcript search).
      const { rows } = await db.query<CallRecord>(
        text,
        [scopeGroupId, page.limit, page.offset, query, ...page.filter.params],
        { planPerRun: true },
      );
      return rows;
    },

    /** The record of a call in the caller's scope. */
    async recordInScope(scopeGroupId: number, callId: number): Promise<CallRecord | undefined> {
      const { rows } = await db.query<CallRecord>(
        callRecordsSql(
          `select ${RECORD_CALL_COLUMNS} from call c where c.call_id = $2 and ${inScope('c.group_id', '$1')}`,
          'c.call_id',
        ),
        [scopeGroupId, callId],
      );
      return rows[0];
    },

    /** Those of `callIds` that are calls in the caller's scope. */
    async idsInScope(scopeGroupId: number, callIds: readonly number[]): Promise<number[]> {
      const { rows } = await db.query<{ call_id: number }>(
        `select c.call_id::integer as call_id from call c
          where c.call_id = any($2::bigint[]) and ${inScope('c.group_id', '$1')}`,
        [scopeGroupId, callIds],
      );
      return rows.map((row) => row.call_id);
    },

    async groupInScope(scopeGroupId: number, groupId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `select 1 from org_group g where g.group_id = $2 and ${inScope('g.group_id', '$1')}`,
        [scopeGroupId, groupId],
      );
      return rowCount > 0;
    },

    async groupByExtId(scopeGroupId: number, extId: string): Promise<number | undefined> {
      const { rows } = await db.query<{ group_id: number }>(
        `select g.group_id from org_group g where g.group_ext_id = $2 and ${inScope('g.group_id', '$1')}
          order by g.group_id limit 1`,
        [scopeGroupId, extId],
      );
      return rows[0]?.group_id;
    },

    async campaignGroup(scopeGroupId: number, campaignId: number): Promise<number | undefined> {
      const { rows } = await db.query<{ group_id: number }>(
        `select c.group_id from campaign c where c.campaign_id = $2 and ${inScope('c.group_id', '$1')}`,
        [scopeGroupId, campaignId],
      );
      return rows[0]?.group_id;
    },

    async channelExists(channelId: number): Promise<boolean> {
      const { rowCount } = await db.query('select 1 from channel where channel_id = $1', [channelId]);
      return rowCount > 0;
    },

    /** The live flow of a tracking number in the caller's scope, to attribute an uploaded call. */
    async flowOfNumber(
      scopeGroupId: number,
      number: string,
    ): Promise<
      { call_flow_id: number; group_id: number; campaign_id: number; channel_id: number } | undefined
    > {
      const { rows } = await db.query<{
        call_flow_id: number;
        group_id: number;
        campaign_id: number;
        channel_id: number;
      }>(
        `select f.call_flow_id, f.group_id, f.campaign_id, f.channel_id
           from call_flow f join phone_number p on p.phone_number_id = f.phone_number_id
          where p.number = $2 and f.call_flow_status <> 'deleted' and ${inScope('f.group_id', '$1')}
          limit 1`,
        [scopeGroupId, number],
      );
      return rows[0];
    },

    /** Takes tags off a call; answers how many it had. */
    async untag(callId: number, tagIds: readonly number[]): Promise<number> {
      const { rowCount } = await db.query(
        'delete from call_tag where call_id = $1 and tag_id = any($2::integer[])',
        [callId, tagIds],
      );
      return rowCount;
    },

    async setValue(callId: number, value: number | null): Promise<void> {
      await db.query('update call set call_value = $2 where call_id = $1', [callId, value]);
    },

    async insertComments(
      callId: number,
      userId: number,
      comments: readonly string[],
      now: Date,
    ): Promise<void> {
      await db.query(
        `insert into call_comment (call_id, ct_user_id, comment_text, comment_created)
         select $1, $2, t.text, $4 from unnest($3::text[]) with ordinality as t(text, n) order by t.n`,
        [callId, userId, comments, now],
      );
    },

    /** Re-homes the call; its first group is kept in moved_from_group_id. */
    async move(callId: number, groupId: number, userId: number | null, now: Date): Promise<boolean> {
      const { rowCount } = await db.query(
        `update call set moved_from_group_id = coalesce(moved_from_group_id, group_id), group_id = $2,
                moved_at = $4, moved_by = $3
          where call_id = $1`,
        [callId, groupId, userId, now],
      );
      return rowCount > 0;
    },

    /** Archives (or restores) calls in the caller's scope; returns those changed or already so. */
    async setArchived(
      scopeGroupId: number,
      callIds: readonly number[],
      archived: boolean,
      userId: number,
      now: Date,
    ): Promise<number[]> {
      const { rows } = await db.query<{ call_id: number }>(
        `update call c set archived_at = case when $3::boolean then coalesce(c.archived_at, $5) end,
                archived_by = case when $3::boolean then coalesce(c.archived_by, $4) end
          where c.call_id = any($2::bigint[]) and ${inScope('c.group_id', '$1')}
          returning c.call_id::integer as call_id`,
        [scopeGroupId, callIds, archived, userId, now],
      );
      return rows.map((row) => row.call_id);
    },

    async insertUploaded(call: NewUploadedCall): Promise<number> {
      const { rows } = await db.query<{ call_id: number }>(
        `insert into call (carrier_call_sid, call_flow_id, group_id, campaign_id, channel_id, tracking_number,
                           caller_number, caller_name, caller_company, caller_address, caller_city, caller_state,
                           caller_zip, answered_by, started_at, answered_at, ended_at, duration_seconds, disposition,
                           is_outbound, line_type, assigned_to, custom_source_values, recording_path, call_source)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                 case when $19 = 'ANSWERED' then $15::timestamptz end, $16, $17, $19, $18, $20, $21, $22, $23, 'upload')
         returning call_id::integer as call_id`,
        [
          call.carrier_call_sid,
          call.call_flow_id,
          call.group_id,
          call.campaign_id,
          call.channel_id,
          call.tracking_number,
          call.caller_number,
          call.caller_name,
          call.caller_company,
          call.caller_address,
          call.caller_city,
          call.caller_state,
          call.caller_zip,
          call.answered_by,
          call.started_at,
          call.ended_at,
          call.duration_seconds,
          call.is_outbound,
          call.disposition,
          call.line_type,
          call.assigned_to,
          call.custom_source_values === null ? null : JSON.stringify(call.custom_source_values),
          call.recording_path,
        ],
      );
      return (rows[0] as { call_id: number }).call_id;
    },

    async setRecordingUrl(callId: number, url: string): Promise<void> {
      await db.query('update call set recording_url = $2 where call_id = $1', [callId, url]);
    },

    /** Where the call's stored recording (or its voicemail) is, relative to DATA_DIR. */
    async recordingPath(
      scopeGroupId: number,
      callId: number,
      voicemail = false,
    ): Promise<string | undefined> {
      const { rows } = await db.query<{ path: string | null }>(
        `select ${voicemail ? 'c.voicemail_path' : 'c.recording_path'} as path
           from call c where c.call_id = $2 and ${inScope('c.group_id', '$1')}`,
        [scopeGroupId, callId],
      );
      return rows[0]?.path ?? undefined;
    },

    /**
     * Call metrics per group (and per `secondary`, and per day in `timezone` when `byDay`), over
     * the live calls of the caller's scope that pass the filter.
     */
    async metrics(
      scopeGroupId: number,
      page: ListPage,
      options: {
        secondary: MetricsSecondary | undefined;
        byDay: boolean;
        timezone: string;
        /** the filter's rules texts share with calls, numbered after the page's parameters */
        textFilter: CompiledFilter;
      },
    ): Promise<MetricsRow[]> {
      const selected = ['c.group_id', 'g.group_name'];
      if (options.byDay) selected.push(`to_char(c.started_at at time zone $4, 'YYYY-MM-DD') as date`);
      if (options.secondary) selected.push(...SECONDARY_COLUMNS[options.secondary]);
      // grouped and ordered by position: the day expression holds a parameter
      const positions = selected.map((_, i) => String(i + 1));
      const order = ['1', ...positions.slice(2)];
      // the inbound texts of each row: its group, and its day and secondary dimension when it has them
      const textMatch = [
        'm.group_id = q.group_id',
        options.byDay ? `to_char(m.created_at at time zone $4, 'YYYY-MM-DD') = q.date` : 'true',
        options.secondary === 'campaign' ? 'm.campaign_id is not distinct from q.campaign_id' : 'true',
        options.secondary === 'channel' ? 'm.channel_id is not distinct from q.channel_id' : 'true',
        options.secondary === 'tracking_number' ? 'm.to_number = q.tracking_number' : 'true',
        whereClause(options.textFilter.conditions),
      ].join(' and ');
      const { rows } = await db.query<MetricsRow>(
        `select q.*, t.texts, t.unique_texters from (
         select ${selected.join(', ')},
                count(*)::integer as calls,
                count(distinct c.caller_number)::integer as unique_calls,
                (count(*) filter (where c.disposition = 'ANSWERED'))::integer as answered,
                (count(*) filter (where c.is_repeat))::integer as repeat_calls,
                coalesce(sum(ceil(coalesce(c.duration_seconds, 0) / 60.0)), 0)::integer as billable_minutes,
                coalesce(sum(c.duration_seconds), 0)::integer as total_duration,
                coalesce(round(avg(coalesce(c.duration_seconds, 0))), 0)::integer as average_duration,
                coalesce(sum(c.call_value), 0)::float8 as call_value,
                ${isoTime('min(c.started_at)')} as first_call,
                ${isoTime('max(c.started_at)')} as last_call
           from call c
           join org_group g on g.group_id = c.group_id
           left join campaign cp on cp.campaign_id = c.campaign_id
           left join channel ch on ch.channel_id = c.channel_id
          where g.path @> array[$1::integer] and c.archived_at is null and ($4::text is not null)
            and ${whereClause(page.filter.conditions)}
          group by ${positions.join(', ')}
          order by ${order.join(', ')}
          limit $2 offset $3) q
         cross join lateral (
           select count(*)::integer as texts, count(distinct m.from_number)::integer as unique_texters
             from sms_message m
            where m.direction = 'inbound' and ${textMatch}) t
         order by ${order.map((position) => `q.${outputName(selected[Number(position) - 1] as string)}`).join(', ')}`,
        [
          scopeGroupId,
          page.limit,
          page.offset,
          options.timezone,
          ...page.filter.params,
          ...options.textFilter.params,
        ],
      );
      return rows;
    },

    /** Active call flows of the group and the groups below it, with their calls in progress. */
    async activeFlows(groupId: number, page: ListPage): Promise<ActiveFlowRow[]> {
      const { rows } = await db.query<ActiveFlowRow>(
        `select f.call_flow_id, f.call_flow_name, f.group_id, f.campaign_id, f.channel_id, f.routable_type,
                f.call_flow_status, p.number as tracking_number, f.pool_id,
                ${isoTime('f.call_flow_created')} as call_flow_created,
                (select count(*)::integer from call c where c.call_flow_id = f.call_flow_id and c.ended_at is null)
                  as calls_in_progress,
                (select ${isoTime('max(c.started_at)')} from call c where c.call_flow_id = f.call_flow_id)
                  as last_call_started
           from call_flow f
           left join phone_number p on p.phone_number_id = f.phone_number_id
          where f.call_flow_status = 'active' and ${inScope('f.group_id', '$1')}
            and ${whereClause(page.filter.conditions)}
          order by f.call_flow_id limit $2 offset $3`,
        [groupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },
  };
}

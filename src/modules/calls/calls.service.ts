import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import { compileFilter, type FilterFields, rulesOn } from '../../http/filter.js';
import type { Clock } from '../../lib/clock.js';
import type { ObjectStore } from '../../lib/object-store.js';
import { resolveTimeZone } from '../../lib/time-zones.js';
import type { Principal } from '../auth/principal.js';
import { AUDIO_CONTENT_TYPES, type AudioFormat } from '../misc/audio-format.js';
import { type ListQuery, toPage } from '../shared/list.js';
import type { PlanLimits } from '../subscriptions/subscriptions.service.js';
import { addTagsToCall, normaliseTagNames } from '../tags/tags.service.js';
import type { Utterance } from '../transcripts/providers.js';
import { highlighted, transcriptHits } from '../transcripts/transcripts.repo.js';
import { prepareRecording } from './call-audio.js';
import { type CallRecord, loadCallRecords } from './call-record.js';
import { type CallUpload, parseCallUpload, type UploadParts, uploadError } from './call-upload.js';
import {
  activeFlowFilterFields,
  type CallListKind,
  callFilterFields,
  createCallsRepo,
  type MetricsSecondary,
} from './calls.repo.js';

export interface CallListQuery extends ListQuery {
  timezone?: string | undefined;
}

export const CALL_NOT_FOUND = 'Call_id does not exist.';
export const NO_RECORD = 'No record found';

/** The call filter's fields that texts have too, for the texts of the metrics (messages `m`). */
const TEXT_METRICS_FIELDS: FilterFields = {
  call_started: { column: 'm.created_at', type: 'date' },
  group_id: { column: 'm.group_id', type: 'integer' },
  tracking_number: { column: 'm.to_number', type: 'string' },
  campaign_id: { column: 'm.campaign_id', type: 'integer' },
  channel_id: { column: 'm.channel_id', type: 'integer' },
  call_flow_id: { column: 'm.call_flow_id', type: 'integer' },
  caller_id: { column: 'm.from_number', type: 'string' },
};

/** A time zone for filters and metrics: an IANA name or a V2 US name (`Eastern` ...), UTC when absent. */
export function checkTimezone(timezone: string | undefined): string {
  if (timezone === undefined || timezone.trim() === '') return 'UTC';
  const zone = resolveTimeZone(timezone);
  if (zone === undefined) throw invalidInput(`Invalid timezone: ${timezone}`);
  return zone;
}

export interface TranscriptRow {
  call_id: number;
  transcript_status: string;
  status_reason: string | null;
  language: string | null;
  transcript: string | null;
  segments: Utterance[];
  transcript_created: string;
  transcript_modified: string | null;
}

async function loadTranscripts(
  q: Queryable,
  callIds: readonly number[],
): Promise<Map<number, TranscriptRow>> {
  if (callIds.length === 0) return new Map();
  const { rows } = await q.query<TranscriptRow>(
    `select t.call_id::integer as call_id, t.transcript_status, t.status_reason, t.language, t.transcript, t.segments,
            to_char(t.transcript_created at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as transcript_created,
            case when t.transcript_modified is null then null
                 else to_char(t.transcript_modified at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') end
              as transcript_modified
       from call_transcript t where t.call_id = any($1::bigint[])`,
    [callIds],
  );
  return new Map(rows.map((row) => [row.call_id, row]));
}

export interface RecordingDownload {
  stream: Readable;
  contentType: string;
  size: number;
}

export function createCallsService({
  db,
  clock,
  store,
  publicBaseUrl,
  onCompleted,
  limits,
}: {
  db: Db;
  clock: Clock;
  /** the plan's minutes limits: an upload past them is refused */
  limits?: PlanLimits | undefined;
  /** an uploaded call is a completed call: the lifecycle's `call.completed` hook, run in its transaction */
  onCompleted?: (tx: Queryable, callId: number) => Promise<void>;
  /** uploaded recordings go under recordings/<group_id>/ in the data folder or the bucket */
  store: ObjectStore;
  publicBaseUrl: string;
}) {
  const repo = createCallsRepo(db);

  async function listRecords(
    principal: Principal,
    query: CallListQuery,
    kind: CallListKind,
    scopeGroupId = principal.groupId,
  ) {
    const timezone = checkTimezone(query.timezone);
    return repo.listRecords(scopeGroupId, toPage(query, callFilterFields, 3, { timezone }), kind);
  }

  /** Every id must be a call in the caller's scope, else the whole request fails. */
  async function requireCalls(
    tx: Queryable,
    principal: Principal,
    callIds: readonly number[],
  ): Promise<void> {
    const wanted = [...new Set(callIds)];
    const found = new Set(await createCallsRepo(tx).idsInScope(principal.groupId, wanted));
    if (wanted.some((id) => !found.has(id))) throw invalidInput(CALL_NOT_FOUND);
  }

  /** The group an upload goes to: the one named, else the tracking number's flow's, else the caller's. */
  async function uploadGroup(principal: Principal, upload: CallUpload, flowGroupId: number | undefined) {
    if (upload.group_id !== undefined) {
      if (!(await repo.groupInScope(principal.groupId, upload.group_id)))
        throw uploadError(`You are not authorized to upload calls to group ${upload.group_id}`);
      return upload.group_id;
    }
    if (upload.group_ext_id !== undefined) {
      const groupId = await repo.groupByExtId(principal.groupId, upload.group_ext_id);
      if (groupId === undefined) throw uploadError(`No group with group_ext_id ${upload.group_ext_id}`);
      return groupId;
    }
    return flowGroupId ?? principal.groupId;
  }

  async function storeUpload(principal: Principal, upload: CallUpload): Promise<number> {
    const flow = await repo.flowOfNumber(principal.groupId, upload.tracking_number);
    const groupId = await uploadGroup(principal, upload, flow?.group_id);
    if (
      upload.campaign_id !== undefined &&
      (await repo.campaignGroup(principal.groupId, upload.campaign_id)) === undefined
    )
      throw uploadError(`You are not authorized to use campaign ${upload.campaign_id}`);
    if (upload.channel_id !== undefined && !(await repo.channelExists(upload.channel_id)))
      throw uploadError(`Invalid channel_id ${upload.channel_id}`);

    const relativePath = `recordings/${groupId}/${randomUUID()}.${upload.format}`;
    await store.put(relativePath, upload.file, AUDIO_CONTENT_TYPES[upload.format]);
    try {
      // The file first, the row second: a row never points at a file that is not there.
      return await db.transaction(async (tx) => {
        // each call rounded up to the minute, in the month it started (as Get Subscription counts)
        const startedAt = upload.call_date ?? clock.now();
        await limits?.check(
          tx,
          groupId,
          upload.is_outbound ? 'outbound_minutes' : 'inbound_minutes',
          Math.ceil((upload.duration ?? 0) / 60),
          startedAt,
        );
        const callId = await createCallsRepo(tx).insertUploaded({
          carrier_call_sid: `upload-${randomUUID()}`,
          call_flow_id: flow?.call_flow_id ?? null,
          group_id: groupId,
          campaign_id: upload.campaign_id ?? flow?.campaign_id ?? null,
          channel_id: upload.channel_id ?? flow?.channel_id ?? null,
          tracking_number: upload.tracking_number,
          caller_number: upload.caller_id,
          caller_name: upload.caller_name ?? null,
          caller_company: upload.company_name ?? null,
          caller_address: upload.address ?? null,
          caller_city: upload.city ?? null,
          caller_state: upload.state ?? null,
          caller_zip: upload.zip_code ?? null,
          answered_by: upload.ring_to ?? null,
          started_at: startedAt,
          ended_at: new Date(startedAt.getTime() + (upload.duration ?? 0) * 1000),
          duration_seconds: upload.duration ?? null,
          disposition: upload.disposition,
          is_outbound: upload.is_outbound,
          line_type: upload.line_type ?? null,
          assigned_to: upload.assign_to ?? null,
          custom_source_values: upload.custom_sources,
          recording_path: relativePath,
        });
        await createCallsRepo(tx).setRecordingUrl(callId, `${publicBaseUrl}/v2/call/recording?id=${callId}`);
        if (upload.tag_names.length > 0)
          await addTagsToCall(tx, callId, upload.tag_names, principal.userId, clock.now());
        await onCompleted?.(tx, callId);
        return callId;
      });
    } catch (error) {
      await store.remove(relativePath).catch(() => {});
      throw error;
    }
  }

  return {
    async get(principal: Principal, callId: number): Promise<CallRecord> {
      const record = await repo.recordInScope(principal.groupId, callId);
      if (!record) throw notFound(NO_RECORD);
      return record;
    },

    list(principal: Principal, query: CallListQuery, kind: CallListKind): Promise<CallRecord[]> {
      return listRecords(principal, query, kind);
    },

    /** V2's `recordURL=true` adds the recording link to each row. */
    async details(
      principal: Principal,
      query: CallListQuery & { recordURL?: boolean | undefined },
      kind: CallListKind,
    ) {
      const records = await listRecords(principal, query, kind);
      return query.recordURL
        ? records.map((record) => ({ ...record, recordURL: record.recording_url }))
        : records;
    },

    /** Recorded calls with their transcript (text and segments); `null` until one exists. */
    async withTranscriptionDetails(principal: Principal, query: CallListQuery) {
      const records = await listRecords(principal, query, 'recorded');
      const transcripts = await loadTranscripts(
        db,
        records.map((record) => record.call_id),
      );
      return records.map((record) => {
        const row = transcripts.get(record.call_id);
        if (!row) return { ...record, transcription: null };
        const { call_id: _callId, ...transcription } = row;
        return { ...record, transcription };
      });
    },

    /** Recorded calls with their transcription status, without the text. */
    async withTranscription(principal: Principal, query: CallListQuery) {
      const records = await this.withTranscriptionDetails(principal, query);
      return records.map(({ transcription, ...record }) => ({
        ...record,
        transcription:
          transcription === null
            ? null
            : {
                transcript_status: transcription.transcript_status,
                status_reason: transcription.status_reason,
                language: transcription.language,
                transcript_created: transcription.transcript_created,
                transcript_modified: transcription.transcript_modified,
              },
      }));
    },

    /**
     * The calls whose transcript matches `query` (web-search syntax: words, "a phrase", or,
     * -word; English stemming), with the call-log filters, newest first; each with its
     * transcript's best fragments and the utterances that match, hits highlighted.
     */
    async searchTranscripts(
      principal: Principal,
      query: CallListQuery & { query: string; group_id?: number | undefined },
    ) {
      const timezone = checkTimezone(query.timezone);
      if (query.group_id !== undefined && !(await repo.groupInScope(principal.groupId, query.group_id)))
        throw invalidInput(`group_id ${query.group_id} is not a group you can access`);
      const records = await repo.searchRecords(
        query.group_id ?? principal.groupId,
        toPage(query, callFilterFields, 4, { timezone }),
        query.query,
      );
      const ids = records.map((record) => record.call_id);
      const [hits, transcripts] = await Promise.all([
        transcriptHits(db, ids, query.query),
        loadTranscripts(db, ids),
      ]);
      return records.map((record) => {
        const hit = hits.get(record.call_id);
        const transcript = transcripts.get(record.call_id);
        return {
          ...record,
          transcription: transcript
            ? {
                transcript_status: transcript.transcript_status,
                status_reason: transcript.status_reason,
                language: transcript.language,
                transcript_created: transcript.transcript_created,
                transcript_modified: transcript.transcript_modified,
              }
            : null,
          headline: highlighted(hit?.headline ?? '').html,
          matches: (hit?.segments ?? []).map((segment) => {
            const { text, highlights, html } = highlighted(segment.text);
            return { ...segment, text, highlights, html };
          }),
        };
      });
    },

    /** The analysed calls (transcribed, or with transcription skipped or failed) with their scores. */
    withIndicatorScores(principal: Principal, query: CallListQuery) {
      return listRecords(principal, query, 'analyzed');
    },

    async addTags(principal: Principal, callId: number, tagNames: readonly string[]) {
      const names = normaliseTagNames(tagNames);
      return db.transaction(async (tx) => {
        await requireCalls(tx, principal, [callId]);
        await addTagsToCall(tx, callId, names, principal.userId, clock.now());
        const [record] = await loadCallRecords(tx, [callId]);
        return record?.tags ?? [];
      });
    },

    /** Takes tags off the call (our design; V2 could only add them); answers the call's tags. */
    async removeTags(principal: Principal, callId: number, tagIds: readonly number[]) {
      return db.transaction(async (tx) => {
        await requireCalls(tx, principal, [callId]);
        await createCallsRepo(tx).untag(callId, tagIds);
        const [record] = await loadCallRecords(tx, [callId]);
        return record?.tags ?? [];
      });
    },

    /** Sets (or clears) the call's value, as the `set_call_value` call action does (our design). */
    async setValue(principal: Principal, callId: number, value: number | null): Promise<CallRecord> {
      return db.transaction(async (tx) => {
        await requireCalls(tx, principal, [callId]);
        await createCallsRepo(tx).setValue(callId, value);
        const [record] = await loadCallRecords(tx, [callId]);
        return record as CallRecord;
      });
    },

    /** All or nothing: one unknown call fails the request and stores no comment. */
    async addComments(
      principal: Principal,
      entries: readonly { call_id: number; comment: readonly string[] }[],
    ) {
      await db.transaction(async (tx) => {
        await requireCalls(
          tx,
          principal,
          entries.map((entry) => entry.call_id),
        );
        const now = clock.now();
        for (const entry of entries)
          await createCallsRepo(tx).insertComments(entry.call_id, principal.userId, entry.comment, now);
      });
      return 'Comment added successfully';
    },

    /** Moves the calls to a group of the caller's scope; all or nothing. */
    async move(principal: Principal, callIds: readonly number[], groupId: number): Promise<number[]> {
      const wanted = [...new Set(callIds)];
      return db.transaction(async (tx) => {
        const txRepo = createCallsRepo(tx);
        if (!(await txRepo.groupInScope(principal.groupId, groupId)))
          throw invalidInput('Group_id does not exist.');
        await requireCalls(tx, principal, wanted);
        const now = clock.now();
        for (const id of wanted) await txRepo.move(id, groupId, principal.userId, now);
        return wanted;
      });
    },

    async archive(principal: Principal, callIds: readonly number[], archived: boolean): Promise<number[]> {
      const wanted = [...new Set(callIds)];
      return db.transaction(async (tx) => {
        await requireCalls(tx, principal, wanted);
        return createCallsRepo(tx).setArchived(
          principal.groupId,
          wanted,
          archived,
          principal.userId,
          clock.now(),
        );
      });
    },

    async metrics(
      principal: Principal,
      query: ListQuery & { timezone?: string | undefined; secondary?: MetricsSecondary | undefined },
      byDay: boolean,
    ) {
      const timezone = checkTimezone(query.timezone);
      const page = toPage(query, callFilterFields, 4, { timezone });
      const textFilter = compileFilter(
        rulesOn(query.filter, TEXT_METRICS_FIELDS),
        TEXT_METRICS_FIELDS,
        5 + page.filter.params.length,
        { timezone },
      );
      const rows = await repo.metrics(principal.groupId, page, {
        secondary: query.secondary,
        byDay,
        timezone,
        textFilter,
      });
      return rows.map((row) => ({ ...row, leads: null, conversions: null }));
    },

    /** The calls of one group of the caller's scope and the groups below it. */
    async groupCallLog(principal: Principal, query: CallListQuery & { id: number }) {
      if (!(await repo.groupInScope(principal.groupId, query.id))) throw notFound(NO_RECORD);
      return listRecords(principal, query, 'calls', query.id);
    },

    async activeFlows(principal: Principal, query: ListQuery & { id: number }) {
      if (!(await repo.groupInScope(principal.groupId, query.id))) throw notFound(NO_RECORD);
      return repo.activeFlows(query.id, toPage(query, activeFlowFilterFields, 3));
    },

    /** Stores an uploaded call and its recording; answers the new call record. */
    async upload(principal: Principal, parts: UploadParts): Promise<CallRecord> {
      const upload = await prepareRecording(parseCallUpload(parts.fields, parts.files));
      const callId = await storeUpload(principal, upload);
      const [record] = await loadCallRecords(db, [callId]);
      return record as CallRecord;
    },

    async openRecording(principal: Principal, callId: number, voicemail = false): Promise<RecordingDownload> {
      const relative = await repo.recordingPath(principal.groupId, callId, voicemail);
      if (!relative) throw notFound(NO_RECORD);
      const format = path.extname(relative).slice(1) as AudioFormat;
      const stored = await store.open(relative);
      if (!stored) throw notFound('The recording is missing from storage');
      return { stream: stored.stream, contentType: AUDIO_CONTENT_TYPES[format], size: stored.size };
    },
  };
}

export type CallsService = ReturnType<typeof createCallsService>;

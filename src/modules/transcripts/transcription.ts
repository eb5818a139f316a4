import type { FastifyBaseLogger } from 'fastify';
import type { Db, Queryable } from '../../db/index.js';
import { AppError } from '../../errors.js';
import {
  enqueue,
  exponentialBackoffMs,
  type JobContext,
  type JobDeferral,
  type JobQueue,
} from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { type ObjectStore, readObject } from '../../lib/object-store.js';
import type { CallLifecycle } from '../calls/call-lifecycle.js';
import { AUDIO_CONTENT_TYPES, type AudioFormat, formatFromName } from '../misc/audio-format.js';
import type { PlanLimits } from '../subscriptions/subscriptions.service.js';
import { channelCount, splitChannels } from './audio-channels.js';
import { ProviderError, type Speaker, type TranscriptionProvider, type Utterance } from './providers.js';
import { redact } from './redaction.js';

/**
 * Transcription of a call's recording, as durable jobs (docs/analytics.md):
 *
 * 1. The `transcription` completion step (after `recordingCopy`, also for `call.updated`) of a
 *    call with a recording or voicemail and no transcript row yet writes the row, `pending`, and
 *    enqueues `call.transcribe` in one transaction; with no provider configured the row is
 *    `skipped` with that reason instead. A recording not yet copied fails the step, so it runs
 *    again with the copy's retry. An uploaded call takes the same path (it enqueues
 *    `call.completed` too).
 * 2. `call.transcribe` sends the audio to the provider. A provider error that may pass (429 with
 *    its Retry-After, 5xx, timeouts, refused connections) is tried again later, up to
 *    TRANSCRIPTION_MAX_ATTEMPTS, with the attempt and its reason in `status_reason`; a permanent
 *    error, or the last attempt, marks the transcript `failed` with the reason. Success stores
 *    the redacted utterances (caller/agent with start times) and the text, `done`, and enqueues
 *    the call's analysis (`call.analyze`) in the same transaction.
 *
 * The job is idempotent: it does nothing unless the call's transcript is still `pending`.
 */

export const TRANSCRIBE_JOB = 'call.transcribe';
/** What the transcript's completion enqueues; registered by the indicators module. */
export const ANALYZE_JOB = 'call.analyze';

export const NOT_CONFIGURED =
  'no transcription provider is configured (TRANSCRIPTION_URL, or TRANSCRIPTION_PROVIDER=deepgram with TRANSCRIPTION_API_KEY)';

/** The call's analysis (indicators), once its transcript is done, failed or skipped. */
export const enqueueAnalysis = (tx: Queryable, callId: number) =>
  enqueue(tx, { kind: ANALYZE_JOB, payload: { callId }, dedupeKey: `${ANALYZE_JOB}:${callId}` });

/** The completion step's condition: audio to transcribe and no transcript row yet. */
export const TRANSCRIPTION_WANTED_SQL = `(c.recording_url is not null or c.voicemail_url is not null
    or c.recording_path is not null or c.voicemail_path is not null)
  and not exists (select 1 from call_transcript t where t.call_id = c.call_id)`;

interface CallAudio {
  recording_url: string | null;
  recording_path: string | null;
  voicemail_url: string | null;
  voicemail_path: string | null;
  transcript_status: string | null;
  attempts: number | null;
}

const loadCallAudio = async (q: Queryable, callId: number) =>
  (
    await q.query<CallAudio>(
      `select c.recording_url, c.recording_path, c.voicemail_url, c.voicemail_path,
              t.transcript_status, t.attempts
         from call c left join call_transcript t on t.call_id = c.call_id
        where c.call_id = $1`,
      [callId],
    )
  ).rows[0];

/** Control characters other than tab and newline (a NUL cannot be stored at all) become spaces. */
const withoutControlCharacters = (text: string) =>
  [...text].map((c) => (c !== '\n' && c !== '\t' && (c < ' ' || c === '\u007f') ? ' ' : c)).join('');

/** The text of the utterances in time order, one per line. */
export const transcriptText = (utterances: readonly Utterance[]) =>
  utterances.map((utterance) => utterance.text).join('\n');

/** Utterances of all channels in time order (caller first when two start together). */
const inTimeOrder = (utterances: Utterance[]) =>
  [...utterances].sort((a, b) => a.start_ms - b.start_ms || (a.speaker === 'caller' ? -1 : 1));

export interface TranscriptionOptions {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  callLifecycle: CallLifecycle;
  /** undefined when none is configured: nothing is sent anywhere */
  provider: TranscriptionProvider | undefined;
  /** where the recordings are: the data folder or a bucket */
  store: ObjectStore;
  maxAttempts: number;
  logger?: FastifyBaseLogger;
  /** the order of the completion step (after the recording copy) */
  stepOrder: number;
  /** the plan's transcription minutes: a call past them is `skipped` with the reason */
  limits?: PlanLimits | undefined;
}

export function registerTranscription(options: TranscriptionOptions) {
  const { clock, jobs, callLifecycle, provider, store, maxAttempts, logger, limits } = options;

  /**
   * Why the call is not to be transcribed under its group's plan (its minutes would pass the
   * transcription limit of the month it started in), or undefined. Checked in `tx`, with the
   * plan's row locked, so calls completing together cannot both take the last minutes.
   */
  async function overPlan(tx: Queryable, callId: number): Promise<string | undefined> {
    if (!limits) return undefined;
    const { rows } = await tx.query<{ group_id: number; minutes: number; started_at: Date }>(
      `select group_id, ceil(coalesce(duration_seconds, 0) / 60.0)::integer as minutes, started_at
         from call where call_id = $1`,
      [callId],
    );
    const call = rows[0];
    if (!call) return undefined;
    try {
      await limits.check(tx, call.group_id, 'transcription_minutes', call.minutes, new Date(call.started_at));
      return undefined;
    } catch (error) {
      if (error instanceof AppError && error.code === 'FORBIDDEN') return error.message;
      throw error;
    }
  }

  /** Ends a pending transcript without text; the call is analysed on its call data alone. */
  async function markFailed(
    q: Db,
    callId: number,
    status: 'failed' | 'skipped',
    reason: string,
    attempts?: number,
  ) {
    await q.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        `update call_transcript set transcript_status = $2, status_reason = $3, transcript_modified = $4,
                attempts = coalesce($5, attempts)
          where call_id = $1 and transcript_status = 'pending'`,
        [callId, status, reason.slice(0, 1000), clock.now(), attempts ?? null],
      );
      if (rowCount > 0) await enqueueAnalysis(tx, callId);
    });
  }

  callLifecycle.registerCompletionStep(
    'transcription',
    options.stepOrder,
    async (callId, ctx) => {
      const call = await loadCallAudio(ctx.db, callId);
      if (!call || call.transcript_status !== null) return;
      if ((call.recording_url && !call.recording_path) || (call.voicemail_url && !call.voicemail_path))
        throw new Error('the recording is not copied yet');
      if (!call.recording_path && !call.voicemail_path) return;
      await ctx.db.transaction(async (tx) => {
        const skipped = provider ? await overPlan(tx, callId) : NOT_CONFIGURED;
        const { rowCount } = await tx.query(
          `insert into call_transcript (call_id, transcript_status, status_reason, provider, transcript_created)
           values ($1, $2, $3, $4, $5) on conflict (call_id) do nothing`,
          [callId, skipped ? 'skipped' : 'pending', skipped ?? null, provider?.name ?? null, ctx.clock.now()],
        );
        if (rowCount > 0 && !skipped)
          await enqueue(tx, {
            kind: TRANSCRIBE_JOB,
            payload: { callId },
            dedupeKey: `${TRANSCRIBE_JOB}:${callId}`,
          });
        else if (rowCount > 0) await enqueueAnalysis(tx, callId);
      });
    },
    { when: TRANSCRIPTION_WANTED_SQL, onUpdate: true },
  );

  async function transcribe(payload: { callId: number }, ctx: JobContext): Promise<JobDeferral | undefined> {
    const { callId } = payload;
    const call = await loadCallAudio(ctx.db, callId);
    if (call?.transcript_status !== 'pending') return undefined;
    if (!provider) {
      await markFailed(ctx.db, callId, 'skipped', NOT_CONFIGURED);
      return undefined;
    }
    // The bridged call's recording (caller on channel 1, agent on 2), else the voicemail (the caller).
    const isVoicemail = !call.recording_path;
    const relative = (call.recording_path ?? call.voicemail_path) as string;
    const format: AudioFormat = formatFromName(relative) ?? 'wav';
    const bytes = await readObject(store, relative);
    if (!bytes) {
      await markFailed(ctx.db, callId, 'skipped', 'the recording file is missing');
      return undefined;
    }
    if (bytes.length === 0) {
      await markFailed(ctx.db, callId, 'skipped', 'the recording is empty');
      return undefined;
    }
    const channels = await channelCount(bytes, format);
    const speakers: Speaker[] = isVoicemail
      ? Array(Math.max(1, channels)).fill('caller')
      : channels >= 2
        ? ['caller', 'agent']
        : ['unknown'];
    const whole = {
      speaker: speakers[0] as Speaker,
      bytes,
      contentType: AUDIO_CONTENT_TYPES[format],
      fileName: `call-${callId}.${format}`,
    };

    const attempt = (call.attempts ?? 0) + 1;
    try {
      const result = await provider.transcribe({
        whole,
        channelSpeakers: speakers,
        split: async () => {
          if (channels < 2 || isVoicemail) return [whole];
          const parts = await splitChannels(bytes, format);
          if (parts.length < 2) return [{ ...whole, speaker: 'unknown' as Speaker }];
          return parts.slice(0, 2).map((part, channel) => ({
            speaker: speakers[channel] as Speaker,
            bytes: part,
            contentType: AUDIO_CONTENT_TYPES.wav,
            fileName: `call-${callId}-${channel + 1}.wav`,
          }));
        },
      });
      const utterances = inTimeOrder(result.utterances).map((utterance) => ({
        ...utterance,
        text: redact(withoutControlCharacters(utterance.text)),
      }));
      await ctx.db.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `update call_transcript
              set transcript_status = 'done', status_reason = $2, language = $3, transcript = $4,
                  segments = $5, attempts = $6, transcript_modified = $7
            where call_id = $1 and transcript_status = 'pending'`,
          [
            callId,
            utterances.length === 0 ? 'no speech was recognised' : null,
            result.language,
            transcriptText(utterances),
            JSON.stringify(utterances),
            attempt,
            ctx.clock.now(),
          ],
        );
        if (rowCount > 0) await enqueueAnalysis(tx, callId);
      });
      return undefined;
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (!error.retryable || attempt >= maxAttempts) {
        const reason = error.retryable ? `${error.message} (after ${attempt} attempts)` : error.message;
        logger?.warn({ callId, reason }, 'transcription failed');
        await markFailed(ctx.db, callId, 'failed', reason, attempt);
        return undefined;
      }
      // Later: after the provider's Retry-After when it gave one, else (and at least) the back-off.
      const delay = Math.max(error.retryAfterMs ?? 0, exponentialBackoffMs(attempt));
      const retryAt = new Date(ctx.clock.now().getTime() + delay);
      await ctx.db.query(
        `update call_transcript set status_reason = $2, attempts = $3 where call_id = $1 and transcript_status = 'pending'`,
        [
          callId,
          `attempt ${attempt} of ${maxAttempts} failed (${error.message}); next at ${retryAt.toISOString()}`.slice(
            0,
            1000,
          ),
          attempt,
        ],
      );
      return { retryAt };
    }
  }

  jobs.register(TRANSCRIBE_JOB, transcribe, { maxAttempts: 20 });
}

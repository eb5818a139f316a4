import type { Queryable } from '../db/index.js';
import type { ObjectStore } from '../lib/object-store.js';

/** Carriers serve recordings as WAV by default, MP3 when `.mp3` is asked for. */
const EXTENSIONS: Record<string, string> = { 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3' };
const MAX_RECORDING_BYTES = 200 * 1024 * 1024;

export interface RecordingCopyOptions {
  /** where the copies go: the data folder or a bucket */
  store: ObjectStore;
  /** the copies are served from PUBLIC_BASE_URL/v2/call/recording?id= */
  publicBaseUrl: string;
  /** the carrier account, for recordings that need HTTP basic auth (Twilio's with auth enforced) */
  accountSid?: string | undefined;
  authToken: string;
  timeoutMs: number;
}

interface CallRecordings {
  group_id: number | null;
  recording_url: string | null;
  recording_path: string | null;
  voicemail_url: string | null;
  voicemail_path: string | null;
}

/** Whether the call (`c`) has a recording or voicemail not yet copied: the step's `when` condition. */
export const RECORDINGS_TO_COPY_SQL = `(c.recording_url is not null and c.recording_path is null)
  or (c.voicemail_url is not null and c.voicemail_path is null)`;

/**
 * The `recordingCopy` completion step: the bridged call's recording and the voicemail, fetched
 * from the carrier's links (Telnyx's expire in ten minutes) into the store, under recordings/<group>/.
 * A failed fetch throws, so the job retries with back-off; a copy already made is not made again.
 * Once copied, the call's `recording_url` / `voicemail_url` point at Switchboard's own download.
 */
export function createRecordingCopier({
  store,
  publicBaseUrl,
  accountSid,
  authToken,
  timeoutMs,
}: RecordingCopyOptions) {
  async function fetchTo(url: string, relativeBase: string): Promise<string> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new Error(`recording link ${parsed.protocol} is not http(s)`);
    }
    const headers: Record<string, string> = {};
    if (accountSid) {
      headers.authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    }
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`recording fetch answered ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_RECORDING_BYTES) throw new Error(`recording of ${declared} bytes is too large`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length === 0) throw new Error('recording is empty');
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const extension = EXTENSIONS[type] ?? 'wav';
    const key = `${relativeBase}.${extension}`;
    await store.put(key, bytes, extension === 'mp3' ? 'audio/mpeg' : 'audio/wav');
    return key;
  }

  return async function copyRecordings(callId: number, { db }: { db: Queryable }): Promise<void> {
    const { rows } = await db.query<CallRecordings>(
      'select group_id, recording_url, recording_path, voicemail_url, voicemail_path from call where call_id = $1',
      [callId],
      { prepare: 'call_recordings' },
    );
    const call = rows[0];
    if (!call) return;
    const base = `recordings/${call.group_id ?? 0}/${callId}`;
    if (call.recording_url && !call.recording_path) {
      const stored = await fetchTo(call.recording_url, `${base}-call`);
      await db.query(
        'update call set recording_path = $2, recording_url = $3 where call_id = $1 and recording_path is null',
        [callId, stored, `${publicBaseUrl}/v2/call/recording?id=${callId}`],
      );
    }
    if (call.voicemail_url && !call.voicemail_path) {
      const stored = await fetchTo(call.voicemail_url, `${base}-voicemail`);
      await db.query(
        'update call set voicemail_path = $2, voicemail_url = $3 where call_id = $1 and voicemail_path is null',
        [callId, stored, `${publicBaseUrl}/v2/call/recording?id=${callId}&voicemail=true`],
      );
    }
  };
}

/**
 * Transcription providers, reached over HTTP and only when configured (config.ts):
 *
 * - `openai`: any OpenAI-compatible `POST {TRANSCRIPTION_URL}/audio/transcriptions` (OpenAI,
 *   Groq, faster-whisper-server, whisper.cpp's server): multipart `file`, `model`,
 *   `response_format=verbose_json`, `timestamp_granularities[]=segment`; the answer's
 *   `segments[] {start, end, text}` (seconds) and `language`. One request per channel: a
 *   dual-channel recording is split first (audio-channels.ts), so each utterance is known to be
 *   the caller's (channel 1) or the agent's (channel 2).
 * - `deepgram`: Deepgram's pre-recorded `POST {TRANSCRIPTION_URL}/listen` with the audio as the
 *   body, `Authorization: Token <key>`, `multichannel=true&utterances=true&punctuate=true&smart_format=true`;
 *   the answer's `results.utterances[] {start, end, channel, transcript}`.
 *
 * A provider answer that may succeed later (429, 5xx, a timeout, a refused connection) throws a
 * `ProviderError` with `retryable` (and `retryAfterMs` from `Retry-After`); anything else is
 * permanent and the call's transcript is marked failed with the reason.
 */

export type Speaker = 'caller' | 'agent' | 'unknown';

export interface Utterance {
  speaker: Speaker;
  start_ms: number;
  end_ms: number;
  text: string;
}

export interface ProviderTranscript {
  language: string | null;
  utterances: Utterance[];
}

export interface AudioChannel {
  /** who speaks on this channel */
  speaker: Speaker;
  bytes: Buffer;
  contentType: string;
  fileName: string;
}

export interface TranscriptionProvider {
  name: 'openai' | 'deepgram';
  /**
   * `channels`: the recording split by channel (openai), or `whole` with its channel speakers
   * (deepgram transcribes each channel itself).
   */
  transcribe(audio: {
    whole: AudioChannel;
    channelSpeakers: Speaker[];
    split: () => Promise<AudioChannel[]>;
  }): Promise<ProviderTranscript>;
}

export class ProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface ProviderConfig {
  provider: 'openai' | 'deepgram';
  url: string;
  apiKey?: string | undefined;
  model?: string | undefined;
  timeoutMs: number;
}

/** Retry-After in seconds or as an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

async function send(url: string, init: RequestInit, timeoutMs: number, provider: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new ProviderError(
      timedOut ? `${provider} did not answer within ${timeoutMs} ms` : `${provider} could not be reached`,
      true,
    );
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
    // the provider's own message, short; never our request (it holds the key in a header only)
    let detail = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { error?: { message?: string } | string; err_msg?: string };
      detail =
        (typeof parsed.error === 'string' ? parsed.error : parsed.error?.message) ?? parsed.err_msg ?? detail;
    } catch {
      // not JSON: keep the text
    }
    throw new ProviderError(
      `${provider} answered ${response.status}${detail ? `: ${detail.slice(0, 300)}` : ''}`,
      retryable,
      retryAfterMs(response.headers.get('retry-after'), new Date()),
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderError(`${provider} answered with something that is not JSON`, false);
  }
}

const seconds = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value * 1000)) : 0;

function createOpenAiProvider(config: ProviderConfig): TranscriptionProvider {
  const endpoint = `${config.url.replace(/\/+$/, '')}/audio/transcriptions`;
  return {
    name: 'openai',
    async transcribe({ split }) {
      const utterances: Utterance[] = [];
      let language: string | null = null;
      for (const channel of await split()) {
        const form = new FormData();
        form.append('file', new Blob([channel.bytes], { type: channel.contentType }), channel.fileName);
        form.append('model', config.model ?? 'whisper-1');
        form.append('response_format', 'verbose_json');
        form.append('timestamp_granularities[]', 'segment');
        const answer = (await send(
          endpoint,
          {
            method: 'POST',
            body: form,
            headers: config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {},
          },
          config.timeoutMs,
          'the transcription provider',
        )) as { text?: unknown; language?: unknown; segments?: unknown; duration?: unknown };
        if (typeof answer.language === 'string' && answer.language !== '') language ??= answer.language;
        const segments = Array.isArray(answer.segments) ? answer.segments : [];
        if (segments.length === 0 && typeof answer.text === 'string' && answer.text.trim() !== '') {
          // a server that gives only text: one utterance for the channel
          utterances.push({
            speaker: channel.speaker,
            start_ms: 0,
            end_ms: seconds(answer.duration),
            text: answer.text.trim(),
          });
          continue;
        }
        for (const segment of segments as { start?: unknown; end?: unknown; text?: unknown }[]) {
          const text = typeof segment.text === 'string' ? segment.text.trim() : '';
          if (text === '') continue;
          utterances.push({
            speaker: channel.speaker,
            start_ms: seconds(segment.start),
            end_ms: seconds(segment.end),
            text,
          });
        }
      }
      return { language, utterances };
    },
  };
}

function createDeepgramProvider(config: ProviderConfig): TranscriptionProvider {
  const query = new URLSearchParams({
    model: config.model ?? 'nova-2',
    multichannel: 'true',
    utterances: 'true',
    punctuate: 'true',
    smart_format: 'true',
    detect_language: 'true',
  });
  const endpoint = `${config.url.replace(/\/+$/, '')}/listen?${query}`;
  return {
    name: 'deepgram',
    async transcribe({ whole, channelSpeakers }) {
      const answer = (await send(
        endpoint,
        {
          method: 'POST',
          body: whole.bytes,
          headers: {
            'content-type': whole.contentType,
            ...(config.apiKey ? { authorization: `Token ${config.apiKey}` } : {}),
          },
        },
        config.timeoutMs,
        'Deepgram',
      )) as {
        results?: {
          utterances?: { start?: unknown; end?: unknown; channel?: unknown; transcript?: unknown }[];
          channels?: { detected_language?: unknown }[];
        };
      };
      if (typeof answer.results !== 'object' || answer.results === null)
        throw new ProviderError('Deepgram answered without results', false);
      const detected = answer.results.channels?.[0]?.detected_language;
      const utterances: Utterance[] = [];
      for (const utterance of answer.results.utterances ?? []) {
        const text = typeof utterance.transcript === 'string' ? utterance.transcript.trim() : '';
        if (text === '') continue;
        const channel = typeof utterance.channel === 'number' ? utterance.channel : 0;
        utterances.push({
          speaker: channelSpeakers[channel] ?? 'unknown',
          start_ms: seconds(utterance.start),
          end_ms: seconds(utterance.end),
          text,
        });
      }
      return { language: typeof detected === 'string' ? detected : null, utterances };
    },
  };
}

export function createTranscriptionProvider(config: ProviderConfig): TranscriptionProvider {
  return config.provider === 'deepgram' ? createDeepgramProvider(config) : createOpenAiProvider(config);
}

/** The configured provider, or undefined when none is (then nothing is sent anywhere). */
export function transcriptionProviderOf(config: {
  TRANSCRIPTION_PROVIDER: 'openai' | 'deepgram';
  TRANSCRIPTION_URL?: string | undefined;
  TRANSCRIPTION_API_KEY?: string | undefined;
  TRANSCRIPTION_MODEL?: string | undefined;
  TRANSCRIPTION_TIMEOUT_MS: number;
}): TranscriptionProvider | undefined {
  const isDeepgram = config.TRANSCRIPTION_PROVIDER === 'deepgram';
  const url =
    config.TRANSCRIPTION_URL ?? (isDeepgram && config.TRANSCRIPTION_API_KEY ? DEEPGRAM_URL : undefined);
  if (url === undefined) return undefined;
  return createTranscriptionProvider({
    provider: config.TRANSCRIPTION_PROVIDER,
    url,
    apiKey: config.TRANSCRIPTION_API_KEY,
    model: config.TRANSCRIPTION_MODEL,
    timeoutMs: config.TRANSCRIPTION_TIMEOUT_MS,
  });
}

export const DEEPGRAM_URL = 'https://api.deepgram.com/v1';

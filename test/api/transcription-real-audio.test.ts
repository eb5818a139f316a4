import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import {
  type FakeProvider,
  type ProviderRequest,
  startFakeProvider,
} from '../helpers/transcription-provider.js';

/**
 * A real recording through the whole pipeline: a carrier call bridged and recorded, the carrier's
 * recording fetched (test/fixtures/two-channel-call.wav: speech synthesised by espeak-ng, the
 * caller on channel 1 from 0.3 s, the agent on channel 2 from 3.8 s; test/fixtures/README.md),
 * split into its channels, each sent to an OpenAI-compatible `/audio/transcriptions` as multipart,
 * the answers stored as caller and agent utterances, and the call scored.
 *
 * The local provider does not recognise speech. It checks what it was sent: a multipart upload in
 * OpenAI's documented form (file, model, response_format=verbose_json), the file a valid mono
 * 16-bit 8 kHz WAVE of the recording's full 7 s, with speech (20 ms frames above an energy
 * threshold) exactly where one of the two synthesised lines is and nowhere else. It answers
 * verbose_json with that line's words, timed where it found the speech. A channel swapped, mixed,
 * cut or resampled on the way is refused with a 400, and the test fails.
 */
const RECORDING = readFileSync(path.join(import.meta.dirname, '../fixtures/two-channel-call.wav'));
const LINES = [
  { startS: 0.3, endS: 3.3, text: 'Hi, I would like to book an appointment for Tuesday.' },
  { startS: 3.8, endS: 6.4, text: 'Sure, you are all set for Tuesday morning.' },
];
const RATE = 8000;
const SECONDS = 7;
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

let ctx: TestContext;
let dataDir: string;
let provider: FakeProvider;
let recordingHost: http.Server;
let recordingBase: string;
const recordingFetches: { url: string; authorization: string | undefined }[] = [];
/** why the provider refused a request, if it did */
const refusals: string[] = [];

/** Where a mono 16-bit WAVE has speech: the first and last 20 ms frame above the threshold. */
function speechIn(wav: Buffer): { problem: string } | { startS: number; endS: number } {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE')
    return { problem: 'not a RIFF WAVE file' };
  const [format, channels, rate, bits] = [
    wav.readUInt16LE(20),
    wav.readUInt16LE(22),
    wav.readUInt32LE(24),
    wav.readUInt16LE(34),
  ];
  if (format !== 1 || channels !== 1 || rate !== RATE || bits !== 16)
    return {
      problem: `PCM ${format}, ${channels} channels, ${rate} Hz, ${bits} bits: expected mono 16-bit 8 kHz`,
    };
  if (wav.toString('ascii', 36, 40) !== 'data') return { problem: 'no data chunk after the format' };
  const samples = wav.readUInt32LE(40) / 2;
  if (samples !== RATE * SECONDS || wav.length < 44 + samples * 2)
    return { problem: `${samples / RATE} s of audio, expected ${SECONDS} s` };
  const frame = RATE / 50;
  const active: number[] = [];
  for (let start = 0; start + frame <= samples; start += frame) {
    let energy = 0;
    for (let i = start; i < start + frame; i++) energy += wav.readInt16LE(44 + i * 2) ** 2;
    if (Math.sqrt(energy / frame) > 300) active.push(start / RATE);
  }
  if (active.length === 0) return { problem: 'no speech' };
  return { startS: active[0] as number, endS: (active.at(-1) as number) + frame / RATE };
}

/** OpenAI's verbose_json for the line whose speech the channel holds, or a 400 saying why not. */
function transcribe(request: ProviderRequest) {
  const refuse = (problem: string) => {
    refusals.push(problem);
    return { status: 400, json: { error: { message: problem, type: 'invalid_request_error' } } };
  };
  if (request.url !== '/v1/audio/transcriptions') return refuse(`POST to ${request.url}`);
  if (request.headers.authorization !== 'Bearer sk-real-audio') return refuse('no API key');
  if (request.fields.response_format?.[0] !== 'verbose_json') return refuse('not verbose_json');
  if (request.fields.model?.[0] !== 'whisper-1') return refuse('no model');
  if (!request.file) return refuse('no file part');
  const speech = speechIn(request.file.bytes);
  if ('problem' in speech) return refuse(speech.problem);
  const line = LINES.find(
    (candidate) =>
      Math.abs(candidate.startS - speech.startS) < 0.1 && Math.abs(candidate.endS - speech.endS) < 0.2,
  );
  if (!line) return refuse(`speech from ${speech.startS} s to ${speech.endS} s matches no line`);
  return {
    json: {
      task: 'transcribe',
      language: 'english',
      duration: SECONDS,
      text: line.text,
      segments: [{ id: 0, seek: 0, start: speech.startS, end: speech.endS, text: ` ${line.text}` }],
    },
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-real-audio-'));
  provider = await startFakeProvider(transcribe);
  // the carrier's recording host: the recording as Twilio serves it (no extension, audio/x-wav)
  recordingHost = http.createServer((request, response) => {
    recordingFetches.push({ url: request.url ?? '', authorization: request.headers.authorization });
    response.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': RECORDING.length });
    response.end(RECORDING);
  });
  await new Promise<void>((resolve) => recordingHost.listen(0, '127.0.0.1', resolve));
  recordingBase = `http://127.0.0.1:${(recordingHost.address() as AddressInfo).port}`;
  ctx = await createTestContext({
    DATA_DIR: dataDir,
    JOBS_POLL_INTERVAL_MS: '0',
    TRANSCRIPTION_URL: `${provider.url}/v1`,
    TRANSCRIPTION_API_KEY: 'sk-real-audio',
    TRANSCRIPTION_MODEL: 'whisper-1',
  });
});

afterAll(async () => {
  await ctx.close();
  await provider.close();
  recordingHost.closeAllConnections();
  await new Promise<void>((resolve) => recordingHost.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('a recorded two-channel call with speech, end to end', () => {
  it('fetches the recording, sends each channel as a valid WAVE, and stores who said what and when', async () => {
    const h = await ctx.factory.hierarchy();
    const campaignId = await ctx.factory.campaign(h.companyAdmin, h.company);
    const number = '3125558190';
    await ctx.factory.inventory([number], 'CHICAGO', 'IL');
    const flow = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_name: 'Recorded line',
          group_id: h.company,
          campaign_id: campaignId,
          channel_id: 1,
          message: 'Press 1.',
          number: { phone_number: number },
          ivrs: [{ key: 1, action: 'simple', target_did: 8015550800, record_enabled: true }],
        },
      ],
    });
    expect(flow.body[0]?.result, JSON.stringify(flow.body)).toBe('success');

    const carrier = createCarrier(ctx.app);
    const sid = `CA${randomBytes(16).toString('hex')}`;
    const common = {
      CallSid: sid,
      AccountSid: ACCOUNT_SID,
      From: '+12125556001',
      To: `+1${number}`,
      Direction: 'inbound',
    };
    const send = async (webhook: string, params: Record<string, string>) => {
      const response = await carrier.send(webhook, { ...common, ...params });
      expect(response.status, response.body).toBe(200);
      return response.body;
    };
    await send('voice', { CallStatus: 'ringing' });
    expect(await send('gather?s=1', { CallStatus: 'in-progress', Digits: '1' })).toContain('record=');
    await send('dial?s=2', {
      CallStatus: 'completed',
      DialCallStatus: 'completed',
      DialCallDuration: String(SECONDS),
      RecordingUrl: `${recordingBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE${sid.slice(2)}`,
    });
    await send('status', { CallStatus: 'completed', CallDuration: String(SECONDS + 2) });
    await ctx.app.services.jobs.drain();

    expect(refusals).toEqual([]);
    expect(recordingFetches).toHaveLength(1);
    expect(recordingFetches[0]?.url).toContain(`/Recordings/RE${sid.slice(2)}`);
    // one request per channel, each named for its channel
    expect(provider.requests.map((request) => request.file?.name).sort()).toEqual([
      expect.stringMatching(/^call-\d+-1\.wav$/),
      expect.stringMatching(/^call-\d+-2\.wav$/),
    ]);
    expect(provider.requests.map((request) => request.file?.type)).toEqual(['audio/wav', 'audio/wav']);

    const { rows } = await ctx.db.query<{ call_id: number }>(
      'select call_id::integer as call_id from call where carrier_call_sid = $1',
      [sid],
    );
    const callId = rows[0]?.call_id as number;
    const detail = await ctx.request('GET', `/v2/call/transcription/detail?filter=call_id%3D${callId}`, {
      token: h.companyAdmin.token,
    });
    expect(detail.status, JSON.stringify(detail.body)).toBe(200);
    const transcription = detail.body.data[0]?.transcription;
    expect(transcription).toMatchObject({ transcript_status: 'done', language: 'english' });
    const segments = transcription.segments as {
      speaker: string;
      start_ms: number;
      end_ms: number;
      text: string;
    }[];
    expect(segments.map(({ speaker, text }) => ({ speaker, text }))).toEqual([
      { speaker: 'caller', text: LINES[0]?.text },
      { speaker: 'agent', text: LINES[1]?.text },
    ]);
    // the times are where the provider found speech in each channel's audio
    expect(segments[0]?.start_ms).toBeGreaterThanOrEqual(250);
    expect(segments[0]?.start_ms).toBeLessThanOrEqual(400);
    expect(segments[1]?.start_ms).toBeGreaterThanOrEqual(3750);
    expect(segments[1]?.start_ms).toBeLessThanOrEqual(3900);

    // and the call is scored on it: the caller asked for an appointment, the agent booked it
    const scored = await ctx.request('GET', `/v2/call/indicator?filter=call_id%3D${callId}`, {
      token: h.companyAdmin.token,
    });
    const scores = scored.body.data[0]?.indicator_scores as { indicator_name: string; score: number }[];
    const byName = Object.fromEntries(scores.map((score) => [score.indicator_name, score.score]));
    expect(byName['Appointment set']).toBeGreaterThanOrEqual(60);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { anotherAppOn, createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { uploadCall } from '../helpers/calls.js';
import { startReceiver } from '../helpers/receiver.js';
import {
  type FakeProvider,
  firstSample,
  levelsWav,
  type ProviderRequest,
  startFakeProvider,
} from '../helpers/transcription-provider.js';

/**
 * Transcription runs from the job queue after a call is final (an uploaded call here; a carrier
 * call's recording is copied first) against local servers speaking OpenAI's and Deepgram's wire
 * formats, with its status on the call: pending, done, failed with the reason, skipped with why.
 */
let ctx: TestContext;
let dataDir: string;
let admin: TestUser;
let openai: FakeProvider;
let deepgram: FakeProvider;
let openaiApp: Awaited<ReturnType<typeof anotherAppOn>>;
let deepgramApp: Awaited<ReturnType<typeof anotherAppOn>>;

const CALLER_LEVEL = 1000;
const AGENT_LEVEL = 2000;

/** OpenAI's verbose_json for the channel the request carried (told apart by its samples). */
function openAiAnswer(request: ProviderRequest) {
  const isCaller = request.file ? firstSample(request.file.bytes) === CALLER_LEVEL : true;
  return {
    json: {
      task: 'transcribe',
      language: 'english',
      duration: 9.5,
      text: 'whole text',
      segments: isCaller
        ? [
            { id: 0, seek: 0, start: 0.5, end: 2.0, text: ' Hi, I need a quote for a new roof.' },
            { id: 1, seek: 0, start: 6.0, end: 9.0, text: ' My card is 4111 1111 1111 1111.' },
          ]
        : [{ id: 0, seek: 0, start: 2.5, end: 5.0, text: ' Sure, we can book an appointment.' }],
    },
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-transcription-'));
  ctx = await createTestContext({
    DATA_DIR: dataDir,
    JOBS_POLL_INTERVAL_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: String(365 * 86_400),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  });
  const group = await ctx.factory.group();
  admin = await ctx.factory.user(group);
  openai = await startFakeProvider(openAiAnswer);
  deepgram = await startFakeProvider(() => ({ json: {} }));
  const common = {
    DATA_DIR: dataDir,
    JOBS_POLL_INTERVAL_MS: '0',
    TRANSCRIPTION_MAX_ATTEMPTS: '3',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  };
  openaiApp = await anotherAppOn(ctx, {
    ...common,
    TRANSCRIPTION_URL: `${openai.url}/v1`,
    TRANSCRIPTION_API_KEY: 'sk-test-key',
    TRANSCRIPTION_MODEL: 'whisper-large-v3',
    TRANSCRIPTION_TIMEOUT_MS: '1000',
  });
  deepgramApp = await anotherAppOn(ctx, {
    ...common,
    TRANSCRIPTION_PROVIDER: 'deepgram',
    TRANSCRIPTION_URL: `${deepgram.url}/v1`,
    TRANSCRIPTION_API_KEY: 'dg-test-key',
  });
});

afterAll(async () => {
  await openaiApp.close();
  await deepgramApp.close();
  await ctx.close();
  await openai.close();
  await deepgram.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function upload(audio: Buffer): Promise<number> {
  const { status, body } = await uploadCall(
    ctx,
    admin.token,
    { tracking_number: '8015557000', caller_id: '4805550199' },
    [{ field: 'file', name: 'call.wav', data: audio }],
  );
  expect(status).toBe(200);
  return body.data.call_id as number;
}

async function transcriptionOf(callId: number) {
  const { body } = await ctx.request('GET', `/v2/call/transcription/detail?filter=call_id%3D${callId}`, {
    token: admin.token,
  });
  return body.data[0]?.transcription as Record<string, unknown> | null;
}

const drain = (app: { app: { services: { jobs: { drain(): Promise<number> } } } }) =>
  app.app.services.jobs.drain();

describe('transcription with an OpenAI-compatible provider', () => {
  it('sends each channel of a dual-channel call and stores caller and agent utterances in time order, redacted', async () => {
    openai.requests.length = 0;
    const callId = await upload(levelsWav([CALLER_LEVEL, AGENT_LEVEL]));
    await drain(openaiApp);

    expect(openai.requests).toHaveLength(2);
    for (const request of openai.requests) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/v1/audio/transcriptions');
      expect(request.headers.authorization).toBe('Bearer sk-test-key');
      expect(request.fields.model).toEqual(['whisper-large-v3']);
      expect(request.fields.response_format).toEqual(['verbose_json']);
      expect(request.fields['timestamp_granularities[]']).toEqual(['segment']);
      expect(request.file?.bytes.toString('ascii', 0, 4)).toBe('RIFF');
      // one mono channel per request
      expect(request.file?.bytes.readUInt16LE(22)).toBe(1);
    }
    expect(openai.requests.map((request) => firstSample(request.file?.bytes as Buffer)).sort()).toEqual([
      CALLER_LEVEL,
      AGENT_LEVEL,
    ]);

    const transcription = await transcriptionOf(callId);
    expect(transcription).toMatchObject({
      transcript_status: 'done',
      status_reason: null,
      language: 'english',
      segments: [
        { speaker: 'caller', start_ms: 500, end_ms: 2000, text: 'Hi, I need a quote for a new roof.' },
        { speaker: 'agent', start_ms: 2500, end_ms: 5000, text: 'Sure, we can book an appointment.' },
        { speaker: 'caller', start_ms: 6000, end_ms: 9000, text: 'My card is [redacted card number].' },
      ],
    });
    expect(transcription?.transcript).toBe(
      'Hi, I need a quote for a new roof.\nSure, we can book an appointment.\nMy card is [redacted card number].',
    );
    expect(JSON.stringify(transcription)).not.toContain('4111');
  });

  it('is not sent twice when the job runs again', async () => {
    const callId = await upload(levelsWav([CALLER_LEVEL]));
    await drain(openaiApp);
    const sent = openai.requests.length;
    await ctx.db.transaction((tx) =>
      enqueue(tx, { kind: 'call.transcribe', payload: { callId }, dedupeKey: `again:${callId}` }),
    );
    await drain(openaiApp);
    expect(openai.requests.length).toBe(sent);
    // a mono recording of a bridged call: who spoke is not known
    expect((await transcriptionOf(callId))?.segments).toEqual([
      expect.objectContaining({ speaker: 'unknown' }),
      expect.objectContaining({ speaker: 'unknown' }),
    ]);
  });

  it('waits for Retry-After on a 429 and then finishes, losing nothing', async () => {
    let calls = 0;
    openai.answerWith((request) => {
      calls += 1;
      return calls === 1
        ? {
            status: 429,
            headers: { 'retry-after': '120' },
            json: { error: { message: 'Rate limit reached' } },
          }
        : openAiAnswer(request);
    });
    const callId = await upload(levelsWav([CALLER_LEVEL]));
    await drain(openaiApp);
    const waiting = await transcriptionOf(callId);
    expect(waiting?.transcript_status).toBe('pending');
    expect(waiting?.status_reason).toMatch(/attempt 1 of 3 failed \(.*429: Rate limit reached\)/);

    ctx.clock.advance(60_000);
    await drain(openaiApp);
    expect(calls).toBe(1);
    ctx.clock.advance(61_000);
    await drain(openaiApp);
    expect(calls).toBe(2);
    expect(await transcriptionOf(callId)).toMatchObject({ transcript_status: 'done', status_reason: null });
    openai.answerWith(openAiAnswer);
  });

  it('marks the transcript failed with the reason after the last attempt of a failing provider', async () => {
    openai.answerWith(() => ({ status: 503, json: { error: { message: 'overloaded' } } }));
    const callId = await upload(levelsWav([CALLER_LEVEL]));
    for (let i = 0; i < 3; i++) {
      await drain(openaiApp);
      ctx.clock.advance(3_600_000);
    }
    expect(await transcriptionOf(callId)).toMatchObject({
      transcript_status: 'failed',
      status_reason: 'the transcription provider answered 503: overloaded (after 3 attempts)',
      transcript: null,
    });
    openai.answerWith(openAiAnswer);
  });

  it('fails at once on an answer that will not change (400)', async () => {
    openai.answerWith(() => ({ status: 400, json: { error: { message: 'Invalid file format.' } } }));
    const sent = openai.requests.length;
    const callId = await upload(levelsWav([CALLER_LEVEL]));
    await drain(openaiApp);
    expect(openai.requests.length).toBe(sent + 1);
    expect(await transcriptionOf(callId)).toMatchObject({
      transcript_status: 'failed',
      status_reason: 'the transcription provider answered 400: Invalid file format.',
    });
    openai.answerWith(openAiAnswer);
  });

  it('tries again after a provider that does not answer in time', async () => {
    openai.answerWith((request) => ({ ...openAiAnswer(request), delayMs: 1500 }));
    const callId = await upload(levelsWav([CALLER_LEVEL]));
    await drain(openaiApp);
    expect((await transcriptionOf(callId))?.status_reason).toMatch(/did not answer within 1000 ms/);
    openai.answerWith(openAiAnswer);
    ctx.clock.advance(3_600_000);
    await drain(openaiApp);
    expect((await transcriptionOf(callId))?.transcript_status).toBe('done');
  });
});

describe('transcription with Deepgram', () => {
  it("sends the recording once with multichannel and utterances, and labels Deepgram's channels", async () => {
    deepgram.answerWith(() => ({
      json: {
        metadata: { request_id: 'r-1', channels: 2, duration: 8 },
        results: {
          channels: [
            { alternatives: [{ transcript: 'i want to buy it', confidence: 0.9 }], detected_language: 'en' },
            { alternatives: [{ transcript: 'great', confidence: 0.9 }], detected_language: 'en' },
          ],
          utterances: [
            {
              start: 3.2,
              end: 4.0,
              confidence: 0.9,
              channel: 1,
              transcript: 'Great, my SSN? No: 123-45-6789.',
              id: 'b',
            },
            { start: 0.4, end: 2.9, confidence: 0.9, channel: 0, transcript: 'I want to buy it.', id: 'a' },
          ],
        },
      },
    }));
    const audio = levelsWav([CALLER_LEVEL, AGENT_LEVEL]);
    const callId = await upload(audio);
    await drain(deepgramApp);
    expect(deepgram.requests).toHaveLength(1);
    const [request] = deepgram.requests as [ProviderRequest];
    const url = new URL(request.url, 'http://x');
    expect(url.pathname).toBe('/v1/listen');
    expect(url.searchParams.get('multichannel')).toBe('true');
    expect(url.searchParams.get('utterances')).toBe('true');
    expect(request.headers.authorization).toBe('Token dg-test-key');
    expect(request.headers['content-type']).toBe('audio/wav');
    expect(request.body.equals(audio)).toBe(true);
    expect(await transcriptionOf(callId)).toMatchObject({
      transcript_status: 'done',
      language: 'en',
      segments: [
        { speaker: 'caller', start_ms: 400, end_ms: 2900, text: 'I want to buy it.' },
        {
          speaker: 'agent',
          start_ms: 3200,
          end_ms: 4000,
          text: 'Great, my SSN? No: [redacted social security number].',
        },
      ],
    });
  });

  it('labels a voicemail as the caller', async () => {
    deepgram.answerWith(() => ({
      json: {
        results: {
          channels: [{}],
          utterances: [{ start: 0, end: 2, channel: 0, transcript: 'Call me back.' }],
        },
      },
    }));
    const [callId] = await ctx.db
      .query<{ call_id: number }>(
        `insert into call (carrier_call_sid, group_id, tracking_number, caller_number, started_at, ended_at,
                           disposition, voicemail_url, voicemail_path)
         values ('vm-1', $1, '8015557000', '4805550199', now(), now(), 'VOICEMAIL', 'x', 'vm/1.wav')
         returning call_id::integer as call_id`,
        [admin.group_id],
      )
      .then(({ rows }) => rows.map((row) => row.call_id));
    await mkdir(path.join(dataDir, 'vm'), { recursive: true });
    await writeFile(path.join(dataDir, 'vm', '1.wav'), levelsWav([CALLER_LEVEL]));
    await ctx.db.transaction((tx) =>
      enqueue(tx, { kind: 'call.completed', payload: { callId }, dedupeKey: `call.completed:${callId}` }),
    );
    await drain(deepgramApp);
    const { rows } = await ctx.db.query<{ segments: unknown }>(
      'select segments from call_transcript where call_id = $1',
      [callId],
    );
    expect(rows[0]?.segments).toEqual([
      { speaker: 'caller', start_ms: 0, end_ms: 2000, text: 'Call me back.' },
    ]);
  });
});

describe('transcription with no provider configured', () => {
  it('sends nothing and says why on the call', async () => {
    const before = openai.requests.length + deepgram.requests.length;
    const callId = await upload(levelsWav([CALLER_LEVEL, AGENT_LEVEL]));
    await ctx.app.services.jobs.drain();
    expect(openai.requests.length + deepgram.requests.length).toBe(before);
    expect(await transcriptionOf(callId)).toMatchObject({
      transcript_status: 'skipped',
      status_reason: expect.stringContaining('no transcription provider is configured'),
      transcript: null,
    });
  });
});

describe('analysis after transcription', () => {
  it('scores the call with the built-in indicators, runs post_process actions on the scores and sends call.analyzed', async () => {
    const group = await ctx.factory.group();
    const owner = await ctx.factory.user(group);
    const receiver = await startReceiver();
    try {
      const hook = await ctx.request('POST', '/v2/webhook', {
        token: owner.token,
        body: {
          org_unit_id: group,
          webhook_status: 'active',
          webhook_Name: 'analysed calls',
          webhook_Endpoint: `${receiver.url}/analyzed`,
          method: 'POST',
          format: 'json',
          events: ['call.analyzed'],
        },
      });
      expect(hook.status, JSON.stringify(hook.body)).toBe(200);
      const action = await ctx.request('POST', '/v2/callaction', {
        token: owner.token,
        body: [
          {
            group_id: group,
            action: 'tag_call',
            action_target: 'booked',
            post_process: true,
            rules: [{ indicator_id: 2, operator: '>=', comparator: '60' }],
          },
          {
            group_id: group,
            action_order: 2,
            action: 'tag_call',
            action_target: 'complaint',
            post_process: true,
            rules: [{ indicator_id: 5, operator: '>=', comparator: '50' }],
          },
        ],
      });
      expect(action.body.map((entry: { result: string }) => entry.result)).toEqual(['success', 'success']);

      const { body } = await uploadCall(
        ctx,
        owner.token,
        { tracking_number: '8015557001', caller_id: '4805550199', duration: '95' },
        [{ field: 'file', name: 'call.wav', data: levelsWav([CALLER_LEVEL, AGENT_LEVEL]) }],
      );
      const callId = body.data.call_id as number;
      await drain(openaiApp);

      const { body: listed } = await ctx.request('GET', `/v2/call/indicator?filter=call_id%3D${callId}`, {
        token: owner.token,
      });
      const scores = listed.data[0].indicator_scores as {
        indicator_name: string;
        score: number;
        reasons: unknown[];
      }[];
      const byName = Object.fromEntries(scores.map((score) => [score.indicator_name, score]));
      expect(Object.keys(byName)).toEqual([
        'Lead',
        'Appointment set',
        'Sale / conversion',
        'Missed opportunity',
        'Complaint',
        'Solicitor / spam',
        'Voicemail left',
      ]);
      // "a quote" asked by the caller, 95 s, agent spoke, not a repeat
      expect(byName.Lead?.score).toBe(100);
      expect(byName.Lead?.reasons).toContainEqual({
        phrase: 'quote',
        speaker: 'caller',
        start_ms: 500,
        weight: 50,
      });
      // "book an appointment" is not "booked": no appointment set, no complaint
      expect(byName['Appointment set']?.score).toBe(0);
      // a card number was given (redacted): a payment on the call
      expect(byName['Sale / conversion']?.score).toBe(40);
      expect(byName['Voicemail left']?.score).toBe(20);

      // GET /v2/call shows them too, and the post_process actions saw them (neither rule held)
      const single = await ctx.request('GET', `/v2/call?id=${callId}`, { token: owner.token });
      expect(single.body.data.indicator_scores).toHaveLength(7);
      const log = await ctx.request('GET', `/v2/callaction/log?id=${callId}`, { token: owner.token });
      expect(JSON.stringify(log.body)).toContain('not matched');

      const delivered = receiver.requests.filter((request) => request.url === '/analyzed');
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.headers['x-switchboard-event']).toBe('call.analyzed');
      expect(delivered[0]?.headers['x-switchboard-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const event = JSON.parse(delivered[0]?.body as string);
      expect(event.event).toBe('call.analyzed');
      expect(event.data.call_id).toBe(callId);
      expect(event.data.indicator_scores.map((score: { score: number }) => score.score)).toEqual(
        scores.map((score) => score.score),
      );

      // analysing again sends no second event
      await ctx.db.transaction((tx) =>
        enqueue(tx, { kind: 'call.analyze', payload: { callId }, dedupeKey: `again-analyze:${callId}` }),
      );
      await drain(openaiApp);
      expect(receiver.requests.filter((request) => request.url === '/analyzed')).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('analyses a call whose transcription was skipped on its call data alone', async () => {
    const callId = await upload(levelsWav([CALLER_LEVEL]));
    await ctx.app.services.jobs.drain();
    const { body } = await ctx.request('GET', `/v2/call/indicator?filter=call_id%3D${callId}`, {
      token: admin.token,
    });
    const lead = body.data[0].indicator_scores.find(
      (score: { indicator_id: number }) => score.indicator_id === 1,
    );
    expect(lead.reasons).toEqual([{ field: 'repeat_call', value: false, weight: 15 }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';
import { type FakeProvider, startFakeProvider } from '../helpers/transcription-provider.js';

/**
 * Optional model scoring (ANALYSIS_*) against a local server speaking OpenAI's chat-completions
 * wire format: the model's score and quote are stored beside the rule scores and shown with them;
 * a model that fails leaves the rule scores in place and says why.
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let model: FakeProvider;

const chatAnswer = (content: string) => ({
  json: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'test-model',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
  },
});

beforeAll(async () => {
  model = await startFakeProvider(() => chatAnswer('{}'));
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    ANALYSIS_URL: `${model.url}/v1`,
    ANALYSIS_API_KEY: 'sk-model-secret',
    ANALYSIS_MODEL: 'test-model',
    ANALYSIS_TIMEOUT_MS: '1000',
  });
  h = await ctx.factory.hierarchy();
});
afterAll(async () => {
  await ctx.close();
  await model.close();
});

const UTTERANCES = [
  { speaker: 'agent', start_ms: 500, end_ms: 2500, text: 'Acme Roofing, this is Dana.' },
  { speaker: 'caller', start_ms: 3000, end_ms: 6000, text: 'I would like a quote for a new roof.' },
];

async function transcribedCall() {
  const [callId] = (await insertCalls(ctx, [
    { group_id: h.location, started_at: '2026-03-01T10:00:00Z' },
  ])) as [number];
  await ctx.db.query(
    `insert into call_transcript (call_id, transcript_status, transcript, segments, transcript_created)
     values ($1, 'done', $2, $3, now())`,
    [callId, UTTERANCES.map((u) => u.text).join(' '), JSON.stringify(UTTERANCES)],
  );
  await ctx.db.transaction((tx) =>
    enqueue(tx, { kind: 'call.analyze', payload: { callId }, dedupeKey: `call.analyze:${callId}` }),
  );
  return callId;
}

type Score = { indicator_id: number; score: number; model_score: number | null; model_quote: string | null };

async function scoresOf(callId: number) {
  // a user signed in now (the tests move the clock on by hours, past a token's life)
  const { token } = await ctx.factory.user(h.location);
  const { body } = await ctx.request('GET', `/v2/call?id=${callId}`, { token });
  return body.data.indicator_scores as Score[];
}

const analysisOf = async (callId: number) =>
  (
    await ctx.db.query<{ model_status: string | null; model_error: string | null }>(
      'select model_status, model_error from call_analysis where call_id = $1',
      [callId],
    )
  ).rows[0];

describe('model scoring of indicators', () => {
  it('asks the chat model about every indicator and stores its score and quote beside the rule score', async () => {
    model.requests.length = 0;
    model.answerWith(() =>
      chatAnswer(
        JSON.stringify({
          indicators: [
            { indicator_id: 1, score: 92, quote: 'I would like a quote for a new roof.' },
            { indicator_id: 5, score: 3, quote: '' },
            { indicator_id: 9999, score: 100, quote: 'not an indicator of this call' },
          ],
        }),
      ),
    );
    const callId = await transcribedCall();
    await ctx.app.services.jobs.drain();

    expect(model.requests).toHaveLength(1);
    const [request] = model.requests;
    expect(request?.url).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-model-secret');
    const sent = JSON.parse(String(request?.body));
    expect(sent).toMatchObject({ model: 'test-model', response_format: { type: 'json_object' } });
    const prompt = sent.messages.map((m: { content: string }) => m.content).join('\n');
    expect(prompt).toContain('[0:03] Caller: I would like a quote for a new roof.');
    expect(prompt).toContain('[0:00] Agent: Acme Roofing');
    expect(prompt).toContain('- 1: Lead');
    expect(prompt).toContain('- 7: Voicemail left');

    const scores = await scoresOf(callId);
    const lead = scores.find((s) => s.indicator_id === 1) as Score;
    // the rule score is still there, the model's beside it
    expect(lead.score).toBeGreaterThan(0);
    expect(lead).toMatchObject({ model_score: 92, model_quote: 'I would like a quote for a new roof.' });
    expect(scores.find((s) => s.indicator_id === 5)).toMatchObject({ model_score: 3, model_quote: null });
    // an indicator the model did not answer has no model score
    expect(scores.find((s) => s.indicator_id === 2)).toMatchObject({ model_score: null, model_quote: null });
    expect(scores.some((s) => s.indicator_id === 9999)).toBe(false);
    expect(await analysisOf(callId)).toEqual({ model_status: 'done', model_error: null });
  });

  it('tries a rate-limited model again, then keeps the rule scores and says why when it keeps failing', async () => {
    model.requests.length = 0;
    model.answerWith(() => ({ status: 429, headers: { 'retry-after': '1' }, json: { error: 'slow down' } }));
    const callId = await transcribedCall();
    for (let attempt = 0; attempt < 5; attempt++) {
      await ctx.app.services.jobs.drain();
      ctx.clock.advance(3_600_000);
    }
    expect(model.requests).toHaveLength(3);
    const scores = await scoresOf(callId);
    expect(scores.length).toBeGreaterThanOrEqual(7);
    expect(scores.every((s) => s.model_score === null)).toBe(true);
    expect((scores.find((s) => s.indicator_id === 1) as Score).score).toBeGreaterThan(0);
    expect(await analysisOf(callId)).toEqual({
      model_status: 'failed',
      model_error: 'the model answered 429',
    });
  });

  it('refuses an answer that is not the JSON asked for, keeping the rule scores', async () => {
    model.answerWith(() => chatAnswer('Sure! The lead score is high.'));
    const callId = await transcribedCall();
    await ctx.app.services.jobs.drain();
    expect((await scoresOf(callId)).every((s) => s.model_score === null)).toBe(true);
    expect(await analysisOf(callId)).toEqual({
      model_status: 'failed',
      model_error: 'the answer is not JSON',
    });
  });

  it('fails at once on a refusal, without the key in the reason even when the server echoes it', async () => {
    model.requests.length = 0;
    model.answerWith(() => ({
      status: 401,
      json: { error: { message: 'Incorrect API key provided: sk-model-secret' } },
    }));
    const callId = await transcribedCall();
    await ctx.app.services.jobs.drain();
    expect(model.requests).toHaveLength(1);
    const analysis = await analysisOf(callId);
    expect(analysis?.model_status).toBe('failed');
    expect(analysis?.model_error).toMatch(/^the model answered 401: .*Incorrect API key provided: \*\*\*/);
    expect(analysis?.model_error).not.toContain('sk-model-secret');
  });

  it('never sends a call without a transcript', async () => {
    model.requests.length = 0;
    const [callId] = (await insertCalls(ctx, [
      { group_id: h.location, started_at: '2026-03-01T10:00:00Z' },
    ])) as [number];
    await ctx.db.transaction((tx) =>
      enqueue(tx, { kind: 'call.analyze', payload: { callId }, dedupeKey: `call.analyze:${callId}` }),
    );
    await ctx.app.services.jobs.drain();
    expect(model.requests).toHaveLength(0);
    expect(await analysisOf(callId)).toEqual({ model_status: null, model_error: null });
  });
});

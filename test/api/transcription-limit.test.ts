import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { uploadCall } from '../helpers/calls.js';
import { type FakeProvider, levelsWav, startFakeProvider } from '../helpers/transcription-provider.js';

/**
 * The plan's transcription minutes: a call whose minutes would pass them in the month it started
 * is not sent to the provider; its transcript is `skipped` with the reason.
 */
let ctx: TestContext;
let dataDir: string;
let provider: FakeProvider;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-transcription-limit-'));
  provider = await startFakeProvider(() => ({
    json: { text: 'hello', language: 'english', segments: [{ id: 0, start: 0, end: 1, text: ' hello' }] },
  }));
  ctx = await createTestContext({
    DATA_DIR: dataDir,
    JOBS_POLL_INTERVAL_MS: '0',
    TRANSCRIPTION_URL: `${provider.url}/v1`,
    TRANSCRIPTION_API_KEY: 'sk-test-key',
    TRANSCRIPTION_TIMEOUT_MS: '2000',
  });
  h = await ctx.factory.hierarchy();
  const plan = await ctx.request('PUT', '/v2/misc/subscription', {
    token: h.agencyAdmin.token,
    body: { group_id: h.company, plan_name: 'Pro', max_transcription_minutes: 2 },
  });
  expect(plan.status).toBe(200);
});

afterAll(async () => {
  await ctx?.close();
  await provider?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function upload(user: TestUser, duration: number): Promise<number> {
  const { status, body } = await uploadCall(
    ctx,
    user.token,
    { tracking_number: '8015557000', caller_id: '4805550199', duration: String(duration) },
    [{ field: 'file', name: 'call.wav', data: levelsWav([1000]) }],
  );
  expect(status).toBe(200);
  return body.data.call_id as number;
}

const transcriptOf = async (callId: number) =>
  (
    await ctx.db.query<{ transcript_status: string; status_reason: string | null }>(
      'select transcript_status, status_reason from call_transcript where call_id = $1',
      [callId],
    )
  ).rows[0];

describe('the transcription minutes limit', () => {
  it('transcribes up to the limit, then skips a call with the reason and sends it nowhere', async () => {
    const first = await upload(h.locationAdmin, 90); // 2 minutes: exactly the limit
    await ctx.app.services.jobs.drain();
    expect(await transcriptOf(first)).toMatchObject({ transcript_status: 'done' });
    const requests = provider.requests.length;
    expect(requests).toBeGreaterThan(0);

    const second = await upload(h.locationAdmin, 30);
    await ctx.app.services.jobs.drain();
    expect(await transcriptOf(second)).toEqual({
      transcript_status: 'skipped',
      status_reason: 'Plan limit reached: the plan Pro allows 2 transcription minutes',
    });
    expect(provider.requests.length).toBe(requests);
    const plan = (await ctx.request('GET', '/v2/misc/subscription', { token: h.companyAdmin.token })).body
      .data;
    expect(plan.usage.transcription_minutes).toBe(2);
    expect(plan.over_limit).toEqual(['transcription_minutes']);
  });

  it('still transcribes the calls of a group the plan does not cover', async () => {
    const agencyCall = await upload(h.agencyAdmin, 600);
    await ctx.app.services.jobs.drain();
    expect(await transcriptOf(agencyCall)).toMatchObject({ transcript_status: 'done' });
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';

/** Recordings and voicemails are copied from the carrier's links into our storage after the call. */
let ctx: TestContext;
let carrier: ReturnType<typeof createCarrier>;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let dataDir: string;
let recordings: { url: string; close: () => Promise<void>; hits: string[]; failNext: number };
const numbers = Array.from({ length: 6 }, (_, i) => `312555${String(7000 + i)}`);
let next = 0;

const audioFor = (name: string) => Buffer.from(`RIFF${name.padEnd(60, '.')}WAVEfmt `);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-recordings-'));
  ctx = await createTestContext({ DATA_DIR: dataDir, JOBS_POLL_INTERVAL_MS: '0' });
  carrier = createCarrier(ctx.app);
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin, h.company);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
  const state = { hits: [] as string[], failNext: 0 };
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '').split('/').at(-1) ?? '';
    state.hits.push(name);
    if (state.failNext > 0) {
      state.failNext -= 1;
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/x-wav' }).end(audioFor(name));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recordings = Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/recordings`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
});
afterAll(async () => {
  await ctx.close();
  await recordings.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function createFlow(): Promise<string> {
  const number = numbers[next++] as string;
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_name: 'Recorded',
        group_id: h.company,
        campaign_id: campaignId,
        channel_id: 1,
        message: 'Press 1.',
        voicemail_greeting: 'Leave a message.',
        number: { phone_number: number },
        ivrs: [
          { key: 1, action: 'simple', target_did: 8015550800, record_enabled: true, voicemail_enabled: true },
        ],
      },
    ],
  });
  expect(body[0].result).toBe('success');
  return number;
}

const stored = async (sid: string) =>
  (
    await ctx.db.query<{
      call_id: number;
      recording_url: string | null;
      recording_path: string | null;
      voicemail_url: string | null;
      voicemail_path: string | null;
    }>(
      'select call_id, recording_url, recording_path, voicemail_url, voicemail_path from call where carrier_call_sid = $1',
      [sid],
    )
  ).rows[0];

describe('copying recordings', () => {
  it("stores the bridged call's recording under DATA_DIR once the call completes", async () => {
    const to = await createFlow();
    const result = await carrier.call({
      to,
      from: '2125550401',
      press: ['1'],
      answer: 'first',
      recordingBaseUrl: recordings.url,
    });
    const before = await stored(result.callSid);
    expect(before?.recording_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/recordings\/RE/);
    expect(before?.recording_path).toBeNull();

    await ctx.app.services.jobs.drain();
    const after = await stored(result.callSid);
    expect(after?.recording_path).toBe(`recordings/${h.company}/${after?.call_id}-call.wav`);
    const name = (before?.recording_url ?? '').split('/').at(-1) as string;
    expect(await readFile(path.join(dataDir, after?.recording_path as string))).toEqual(audioFor(name));

    // the call record now links to Switchboard's copy, which the API serves in the caller's scope
    expect(after?.recording_url).toBe(`http://127.0.0.1:3000/v2/call/recording?id=${after?.call_id}`);
    const download = await ctx.app.inject({
      method: 'GET',
      url: `/v2/call/recording?id=${after?.call_id}`,
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
    });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(audioFor(name))).toBe(true);
    const sibling = await ctx.factory.user(await ctx.factory.group(h.agency));
    const outside = await ctx.app.inject({
      method: 'GET',
      url: `/v2/call/recording?id=${after?.call_id}`,
      headers: { authorization: `Bearer ${sibling.token}` },
    });
    expect(outside.statusCode).toBe(404);
  });

  it('stores a voicemail, retrying with back-off while the carrier fails, and fetches each file once', async () => {
    const to = await createFlow();
    recordings.failNext = 1;
    const result = await carrier.call({
      to,
      from: '2125550402',
      press: ['1'],
      answer: 'none',
      recordingBaseUrl: recordings.url,
    });
    const hitsBefore = recordings.hits.length;
    const before = await stored(result.callSid);
    await ctx.app.services.jobs.drain();
    expect((await stored(result.callSid))?.voicemail_path).toBeNull();
    expect(recordings.hits.length).toBe(hitsBefore + 1);

    ctx.clock.advance(10 * 60_000);
    await ctx.app.services.jobs.drain();
    const after = await stored(result.callSid);
    expect(after?.voicemail_path).toBe(`recordings/${h.company}/${after?.call_id}-voicemail.wav`);
    const name = (before?.voicemail_url ?? '').split('/').at(-1) as string;
    expect(await readFile(path.join(dataDir, after?.voicemail_path as string))).toEqual(audioFor(name));
    const download = await ctx.app.inject({
      method: 'GET',
      url: `/v2/call/recording?id=${after?.call_id}&voicemail=true`,
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
    });
    expect(download.rawPayload.equals(audioFor(name))).toBe(true);

    ctx.clock.advance(24 * 3600_000);
    await ctx.app.services.jobs.drain();
    expect(recordings.hits.filter((hit) => hit === name)).toHaveLength(2);
  });
});

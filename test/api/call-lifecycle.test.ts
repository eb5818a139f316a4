import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { testEngine } from '../helpers/db.js';
import { deferred } from '../helpers/deferred.js';
import { type Receiver, startReceiver, verifySignature } from '../helpers/receiver.js';

/**
 * The call lifecycle under a real carrier's order of callbacks. Twilio documents no order between
 * the parent call's status callback and the `<Dial action>` / `<Record action>` request: the
 * post-call work (call actions, recording copy, webhooks) runs once, on the call as it finally
 * is, and a result that comes after the settle window sends `call.updated`.
 */
const SETTLE_SECONDS = 30;
const ENV = {
  JOBS_POLL_INTERVAL_MS: '0',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  CALL_SETTLE_WINDOW_SECONDS: String(SETTLE_SECONDS),
};
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

let ctx: TestContext;
let carrier: ReturnType<typeof createCarrier>;
/** the webhook receiver (/hook) and the carrier's recording host (/recordings/...) */
let receiver: Receiver;
let dataDir: string;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let webhookSecret: string;
const numbers = Array.from({ length: 30 }, (_, i) => `312555${String(8100 + i)}`);
let nextNumber = 0;

/** Answers the webhook deliveries and serves the carrier's recordings; `refuse` fails some. */
let refuse: (event: string, body: string) => boolean = () => false;
const defaultAnswer: Parameters<Receiver['respondWith']>[0] = (request) => {
  if (request.url.startsWith('/recordings/')) return { status: 200, body: `RIFF${request.url}WAVEfmt ` };
  return refuse(String(request.headers['x-switchboard-event']), request.body) ? 503 : 200;
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-lifecycle-'));
  ctx = await createTestContext({ ...ENV, DATA_DIR: dataDir });
  carrier = createCarrier(ctx.app);
  receiver = await startReceiver();
  receiver.respondWith(defaultAnswer);
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin, h.company);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
  const webhook = await ctx.request('POST', '/v2/webhook', {
    token: h.companyAdmin.token,
    body: { org_unit_id: h.company, webhook_Name: 'CRM', webhook_Endpoint: `${receiver.url}/hook` },
  });
  expect(webhook.status, JSON.stringify(webhook.body)).toBe(200);
  webhookSecret = webhook.body.data.signing_secret;
  // a call action that only an answered call sets off: it shows which disposition it ran on
  const action = await ctx.request('POST', '/v2/callaction', {
    token: h.companyAdmin.token,
    body: [
      {
        group_id: h.company,
        action: 'tag_call',
        action_target: 'Answered',
        rules: [{ data_field: 'disposition', operator: '=', comparator: 'ANSWERED' }],
      },
    ],
  });
  expect(action.body[0]?.result, JSON.stringify(action.body)).toBe('success');
});
afterAll(async () => {
  await ctx.close();
  await receiver.close();
  await rm(dataDir, { recursive: true, force: true });
});

const drain = () => ctx.app.services.jobs.drain();

/** Option 1 rings 8015550800, then 8015550801, recorded, then takes a voicemail. */
async function createFlow(c: TestContext, token: string, groupId: number, campaign: number): Promise<string> {
  const number = numbers[nextNumber++] as string;
  const { body } = await c.request('POST', '/v2/callflow/multilevelivr', {
    token,
    body: [
      {
        call_flow_name: 'Lifecycle',
        group_id: groupId,
        campaign_id: campaign,
        channel_id: 1,
        message: 'Press 1.',
        voicemail_greeting: 'Leave a message.',
        number: { phone_number: number },
        ivrs: [
          {
            key: 1,
            action: 'simple',
            target_did: 8015550800,
            overflowNumbers: [{ overflowNumber: 8015550801, rings: 2 }],
            record_enabled: true,
            voicemail_enabled: true,
          },
        ],
      },
    ],
  });
  expect(body[0]?.result, JSON.stringify(body)).toBe('success');
  return number;
}

let nextCaller = 0;
/**
 * A call that has pressed 1 and is ringing 8015550800 (the `<Dial>` of step 2); `send` posts the
 * call's next webhooks to `carrier.on`, signed, with the parameters Twilio sends on every request.
 */
async function placeCall(on: ReturnType<typeof createCarrier> = carrier, to?: string) {
  const base = {
    CallSid: `CA${randomBytes(16).toString('hex')}`,
    AccountSid: ACCOUNT_SID,
    From: `+1212555${String(6000 + nextCaller++)}`,
    To: `+1${to ?? (await createFlow(ctx, h.companyAdmin.token, h.company, campaignId))}`,
    Direction: 'inbound',
  };
  const target = { on };
  const send = async (webhook: string, params: Record<string, string>) => {
    const response = await target.on.send(webhook, { ...base, ...params });
    expect(response.status, response.body).toBe(200);
    return response.body;
  };
  await send('voice', { CallStatus: 'ringing' });
  const dialTwiml = await send('gather?s=1', { CallStatus: 'in-progress', Digits: '1' });
  expect(dialTwiml).toContain('action="http://127.0.0.1:3000/telephony/twilio/dial?s=2"');
  expect(dialTwiml).toContain('<Number>+18015550800</Number>');
  return {
    sid: base.CallSid,
    /** where the call's next webhooks go (another app after a restart) */
    carrier: target,
    send,
    dialTwiml,
    /** the parent call's final status callback: the caller hung up */
    hangUp: () => send('status', { CallStatus: 'completed', CallDuration: '30' }),
    /** the `<Dial action>` of step `step` with the answering leg bridged and recorded */
    answered: (step = 2, callStatus = 'completed') =>
      send(`dial?s=${step}`, {
        CallStatus: callStatus,
        DialCallStatus: 'completed',
        DialCallDuration: '25',
        RecordingUrl: `${receiver.url}/recordings/RE${base.CallSid.slice(2, 12)}`,
      }),
    notAnswered: (step: number, callStatus = 'in-progress', dialCallStatus = 'no-answer') =>
      send(`dial?s=${step}`, { CallStatus: callStatus, DialCallStatus: dialCallStatus }),
  };
}

async function callOf(c: TestContext, sid: string) {
  const { rows } = await c.db.query<{
    call_id: number;
    disposition: string;
    step: number;
    trail: string[];
    recording_path: string | null;
    voicemail_path: string | null;
  }>(
    `select call_id::integer as call_id, disposition, step, trail, recording_path, voicemail_path
       from call where carrier_call_sid = $1`,
    [sid],
  );
  return rows[0] as NonNullable<(typeof rows)[0]>;
}

/**
 * The post-call webhook requests for the call (call.completed and call.updated; call.started and
 * the analysis's call.analyzed aside), in the order they arrived: event, disposition, answer.
 */
function webhookEvents(callId: number, hookPath = '/hook') {
  return receiver.requests
    .filter(
      (request) =>
        request.url === hookPath &&
        ['call.completed', 'call.updated'].includes(String(request.headers['x-switchboard-event'])),
    )
    .map((request) => ({ request, body: JSON.parse(request.body) }))
    .filter(({ body }) => body.data?.call_id === callId)
    .map(({ request, body }) => ({
      event: request.headers['x-switchboard-event'],
      disposition: body.data.disposition,
      status: request.status,
    }));
}

const tagsOf = async (callId: number) =>
  (
    await ctx.db.query<{ tag_name: string }>(
      'select t.tag_name from call_tag ct join tag t on t.tag_id = ct.tag_id where ct.call_id = $1',
      [callId],
    )
  ).rows.map((row) => row.tag_name);

const recordingFetches = (sid: string) =>
  receiver.requests.filter((request) => request.url.endsWith(sid.slice(2, 12))).length;

describe('the status callback before the dial or recording result', () => {
  it('waits for the dial result, then runs the post-call work once, on the answered call', async () => {
    const call = await placeCall();
    await call.hangUp();
    await drain();
    const { call_id: callId } = await callOf(ctx, call.sid);
    expect(webhookEvents(callId)).toEqual([]);
    expect(recordingFetches(call.sid)).toBe(0);

    await call.answered();
    await drain();
    expect(webhookEvents(callId)).toEqual([
      { event: 'call.completed', disposition: 'ANSWERED', status: 200 },
    ]);
    expect(await callOf(ctx, call.sid)).toMatchObject({
      disposition: 'ANSWERED',
      recording_path: `recordings/${h.company}/${callId}-call.wav`,
    });
    expect(await tagsOf(callId)).toEqual(['Answered']);
    expect(recordingFetches(call.sid)).toBe(1);
  });

  it('waits for the recording of a voicemail the caller ended by hanging up', async () => {
    const call = await placeCall();
    expect(await call.notAnswered(2)).toContain('<Number>+18015550801</Number>');
    expect(await call.notAnswered(3)).toContain(
      '<Record action="http://127.0.0.1:3000/telephony/twilio/record?s=4"',
    );
    await call.hangUp();
    await drain();
    const { call_id: callId } = await callOf(ctx, call.sid);
    expect(webhookEvents(callId).map((e) => e.event)).toEqual([]);

    await call.send('record?s=4', {
      CallStatus: 'completed',
      RecordingUrl: `${receiver.url}/recordings/VM${call.sid.slice(2, 12)}`,
      RecordingDuration: '12',
    });
    await drain();
    expect(webhookEvents(callId).map((e) => [e.event, e.disposition])).toEqual([
      ['call.completed', 'VOICEMAIL'],
    ]);
    expect((await callOf(ctx, call.sid)).voicemail_path).toBe(
      `recordings/${h.company}/${callId}-voicemail.wav`,
    );
  });
});

describe('the dial result before the status callback', () => {
  it('runs the post-call work once the status arrives, on the answered call', async () => {
    const call = await placeCall();
    await call.answered(2, 'in-progress');
    await drain();
    const { call_id: callId } = await callOf(ctx, call.sid);
    expect(webhookEvents(callId).map((e) => e.event)).toEqual([]);

    await call.hangUp();
    await drain();
    expect(webhookEvents(callId).map((e) => [e.event, e.disposition])).toEqual([
      ['call.completed', 'ANSWERED'],
    ]);
    expect(await tagsOf(callId)).toEqual(['Answered']);
    expect((await callOf(ctx, call.sid)).recording_path).not.toBeNull();
  });

  it('runs it at once whichever of the two arrives first when they arrive together', async () => {
    const calls = await Promise.all(Array.from({ length: 6 }, () => placeCall()));
    await Promise.all(calls.flatMap((call) => [call.hangUp(), call.answered()]));
    // no clock moved: a post-call job left waiting for the settle window would not run here
    await drain();
    for (const call of calls) {
      const { call_id: callId } = await callOf(ctx, call.sid);
      expect(webhookEvents(callId).map((e) => [e.event, e.disposition])).toEqual([
        ['call.completed', 'ANSWERED'],
      ]);
    }
  });
});

describe("a pre-call delivery that ends while the call's post-call delivery waits for it", () => {
  // Two connections at once: PGlite runs one statement at a time, so nothing can interleave there.
  it.runIf(testEngine() === 'postgres')(
    'lets the post-call delivery go once the pre-call delivery is recorded, whenever the post-call delivery looked',
    async () => {
      // the CRM answers call.started only when told
      const arrived = deferred();
      const answered = deferred();
      receiver.respondWith(async (request) => {
        if (request.headers['x-switchboard-event'] === 'call.started') {
          arrived.resolve();
          await answered.promise;
        }
        return 200;
      });
      const unlocked = deferred();
      try {
        const call = await placeCall();
        const { call_id: callId } = await callOf(ctx, call.sid);
        const drains = [drain()];
        await arrived.promise;
        // the pre-call delivery's record waits on its row, locked by another transaction: its
        // statement has begun (and taken its snapshot) before the post-call delivery exists
        const locked = deferred();
        const holder = ctx.db.transaction(async (tx) => {
          await tx.query(
            `select 1 from webhook_delivery where call_id = $1 and event_type = 'call.started' for update`,
            [callId],
          );
          locked.resolve();
          await unlocked.promise;
        });
        await locked.promise;
        answered.resolve();
        await expect
          .poll(async () => {
            const { rows } = await ctx.db.query<{ waiting: number }>(
              `select count(*)::integer as waiting from pg_stat_activity
                where datname = current_database() and wait_event_type = 'Lock'`,
            );
            return rows[0]?.waiting;
          })
          .toBeGreaterThan(0);

        // the call ends; its post-call delivery looks, finds the pre-call delivery pending, and waits
        await call.hangUp();
        ctx.clock.advance((SETTLE_SECONDS + 1) * 1000);
        drains.push(drain());
        await expect
          .poll(async () => {
            const { rows } = await ctx.db.query<{ deferred: boolean }>(
              `select j.run_at > $2 and j.locked_until is null as deferred
                 from webhook_delivery d join job j on j.dedupe_key = 'webhook.deliver:' || d.delivery_id
                where d.call_id = $1 and d.event_type = 'call.completed'`,
              [callId, ctx.clock.now()],
            );
            return rows[0]?.deferred;
          })
          .toBe(true);

        // the pre-call delivery is recorded: the post-call delivery goes now, not a minute later
        unlocked.resolve();
        await holder;
        await Promise.all(drains);
        expect(webhookEvents(callId).map((e) => [e.event, e.disposition])).toEqual([
          ['call.completed', 'ABANDONED'],
        ]);
      } finally {
        answered.resolve();
        unlocked.resolve();
        receiver.respondWith(defaultAnswer);
      }
    },
  );
});

describe('a result after the settle window', () => {
  it('completes the call as it stood, then sends a signed call.updated and copies the recording', async () => {
    const call = await placeCall();
    await call.hangUp();
    ctx.clock.advance((SETTLE_SECONDS + 1) * 1000);
    await drain();
    const { call_id: callId } = await callOf(ctx, call.sid);
    expect(webhookEvents(callId).map((e) => [e.event, e.disposition])).toEqual([
      ['call.completed', 'ABANDONED'],
    ]);

    await call.answered();
    await drain();
    expect(webhookEvents(callId).map((e) => [e.event, e.disposition])).toEqual([
      ['call.completed', 'ABANDONED'],
      ['call.updated', 'ANSWERED'],
    ]);
    const updated = receiver.requests.find(
      (r) =>
        r.headers['x-switchboard-event'] === 'call.updated' && JSON.parse(r.body).data?.call_id === callId,
    );
    expect(
      verifySignature(
        webhookSecret,
        updated?.headers['x-switchboard-signature'] as string,
        updated?.body ?? '',
      ),
    ).toBe(true);
    expect(JSON.parse(updated?.body ?? '{}')).toMatchObject({
      event: 'call.updated',
      data: { call_id: callId },
    });
    expect((await callOf(ctx, call.sid)).recording_path).toBe(`recordings/${h.company}/${callId}-call.wav`);
    // call actions ran once, on the call as it was then
    expect(await tagsOf(callId)).toEqual([]);

    // the carrier retries the late result: nothing more happens
    await call.answered();
    await drain();
    expect(webhookEvents(callId)).toHaveLength(2);
    const { rows } = await ctx.db.query<{ kind: string }>(
      'select kind from job where payload->>$1 = $2 order by job_id',
      ['callId', String(callId)],
    );
    // each once; then the call's analysis (no transcription provider here: on its call data alone)
    expect(rows.map((row) => row.kind).filter((kind) => kind.startsWith('call.'))).toEqual([
      'call.started',
      'call.completed',
      'call.updated',
      'call.analyze',
      'call.analyzed',
    ]);
  });

  it('sends nothing more when the late result leaves the call as it was', async () => {
    const call = await placeCall();
    await call.hangUp();
    ctx.clock.advance((SETTLE_SECONDS + 1) * 1000);
    await drain();
    // the leg that rang when the caller hung up reports no answer: still abandoned
    expect(await call.notAnswered(2, 'completed')).toContain('<Hangup/>');
    await drain();
    const { call_id: callId, disposition } = await callOf(ctx, call.sid);
    expect(disposition).toBe('ABANDONED');
    expect(webhookEvents(callId).map((e) => e.event)).toEqual(['call.completed']);
  });

  it('retries call.updated like any delivery, and never sends it before the call.completed delivery', async () => {
    const attempts = new Map<string, number>();
    refuse = (event, body) => {
      if (!body.includes(`"call_id":`) || event === 'call.started') return false;
      const key = `${event}:${JSON.parse(body).data.call_id}`;
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      return attempts.get(key) === 1;
    };
    try {
      const call = await placeCall();
      await call.hangUp();
      ctx.clock.advance((SETTLE_SECONDS + 1) * 1000);
      await drain();
      await call.answered();
      await drain();
      const { call_id: callId } = await callOf(ctx, call.sid);
      // the post-call delivery failed once and waits for its retry: the update waits behind it
      expect(webhookEvents(callId)).toEqual([
        { event: 'call.completed', disposition: 'ABANDONED', status: 503 },
      ]);
      for (let i = 0; i < 4; i++) {
        ctx.clock.advance(61_000);
        await drain();
      }
      expect(webhookEvents(callId)).toEqual([
        { event: 'call.completed', disposition: 'ABANDONED', status: 503 },
        { event: 'call.completed', disposition: 'ABANDONED', status: 200 },
        { event: 'call.updated', disposition: 'ANSWERED', status: 503 },
        { event: 'call.updated', disposition: 'ANSWERED', status: 200 },
      ]);
    } finally {
      refuse = () => false;
    }
  });
});

describe('a restart between the status callback and the dial result', () => {
  it('keeps the waiting post-call work in the database, and runs it when the result comes', async () => {
    const own = await createTestContext({ ...ENV, DATA_DIR: dataDir });
    try {
      const ownH = await own.factory.hierarchy();
      const ownCampaign = await own.factory.campaign(ownH.companyAdmin, ownH.company);
      await own.factory.inventory(numbers, 'CHICAGO', 'IL');
      // its own path: call ids of this database repeat those of the file's
      await own.request('POST', '/v2/webhook', {
        token: ownH.companyAdmin.token,
        body: { org_unit_id: ownH.company, webhook_Name: 'CRM', webhook_Endpoint: `${receiver.url}/restart` },
      });
      const to = await createFlow(own, ownH.companyAdmin.token, ownH.company, ownCampaign);
      const call = await placeCall(createCarrier(own.app), to);
      await call.hangUp();
      const { call_id: callId } = await callOf(own, call.sid);

      // the process stops; another starts on the same database
      await own.app.close();
      const restarted = await buildApp({
        config: loadConfig({ ...ENV, DATA_DIR: dataDir }),
        db: own.db,
        clock: own.clock,
        twilioAuthToken: TEST_CARRIER_TOKEN,
      });
      try {
        await restarted.ready();
        await restarted.services.jobs.drain();
        expect(webhookEvents(callId, '/restart').map((e) => e.event)).toEqual([]);
        call.carrier.on = createCarrier(restarted);
        await call.answered();
        await restarted.services.jobs.drain();
        expect(webhookEvents(callId, '/restart').map((e) => [e.event, e.disposition])).toEqual([
          ['call.completed', 'ANSWERED'],
        ]);
      } finally {
        await restarted.close();
      }
    } finally {
      await own.db.close();
    }
  });
});

describe('DialCallStatus=canceled', () => {
  it('hunts on when the leg was cancelled while the caller is still on the line', async () => {
    const call = await placeCall();
    const next = await call.notAnswered(2, 'in-progress', 'canceled');
    expect(next).toContain('<Number>+18015550801</Number>');
    expect((await callOf(ctx, call.sid)).trail.slice(-3)).toEqual([
      'ring:8015550800',
      'canceled',
      'ring:8015550801',
    ]);
  });

  it('ends the call as abandoned when the caller hung up', async () => {
    const call = await placeCall();
    expect(await call.notAnswered(2, 'completed', 'canceled')).toContain('<Hangup/>');
    expect(await callOf(ctx, call.sid)).toMatchObject({ disposition: 'ABANDONED' });
  });
});

describe('callbacks that do not fit the step, and carrier retries', () => {
  it('answers a gather or recording result at a dial step with the dial again, and changes nothing', async () => {
    const call = await placeCall();
    expect(await call.send('gather?s=2', { CallStatus: 'in-progress', Digits: '1' })).toBe(call.dialTwiml);
    expect(
      await call.send('record?s=2', {
        CallStatus: 'in-progress',
        RecordingUrl: `${receiver.url}/recordings/x`,
      }),
    ).toBe(call.dialTwiml);
    expect(await callOf(ctx, call.sid)).toMatchObject({ step: 2, disposition: 'IN PROGRESS' });
    // the dial result the step waits for still counts
    await call.answered(2, 'in-progress');
    expect(await callOf(ctx, call.sid)).toMatchObject({ step: 3, disposition: 'ANSWERED' });
  });

  it('records a dial result once in the routing trail, however often the carrier sends it', async () => {
    const call = await placeCall();
    const answers = await Promise.all(Array.from({ length: 4 }, () => call.notAnswered(2)));
    expect(new Set(answers).size).toBe(1);
    expect(await call.notAnswered(2)).toBe(answers[0]);
    const { trail, step } = await callOf(ctx, call.sid);
    expect(step).toBe(3);
    expect(trail.filter((entry) => entry === 'no-answer')).toEqual(['no-answer']);
    expect(trail.slice(-3)).toEqual(['ring:8015550800', 'no-answer', 'ring:8015550801']);
  });
});

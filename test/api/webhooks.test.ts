import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { type Receiver, startReceiver, verifySignature } from '../helpers/receiver.js';

/** Webhooks end to end: the V2 endpoints, and deliveries to a real local HTTP receiver. */
let ctx: TestContext;
let carrier: ReturnType<typeof createCarrier>;
let receiver: Receiver;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;
let numbers: string[];

const HOUR = 3_600_000;

beforeAll(async () => {
  ctx = await createTestContext({
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    JOBS_POLL_INTERVAL_MS: '0',
    // the clock moves days forward; tokens must outlive it
    ACCESS_TOKEN_TTL_SECONDS: String(30 * 24 * 3600),
  });
  carrier = createCarrier(ctx.app);
  receiver = await startReceiver();
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin, h.company);
  numbers = Array.from({ length: 30 }, (_, i) => `312555${String(4000 + i)}`);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
});
afterAll(async () => {
  await ctx.close();
  await receiver.close();
});

const drain = () => ctx.app.services.jobs.drain();

async function createWebhook(
  token: string,
  groupId: number,
  overrides: Record<string, unknown> = {},
): Promise<{ id: number; secret: string; path: string }> {
  const path = `/hook-${Math.random().toString(36).slice(2)}`;
  const { status, body } = await ctx.request('POST', '/v2/webhook', {
    token,
    body: {
      org_unit_id: groupId,
      webhook_status: 'active',
      webhook_Name: 'CRM push',
      description: 'calls to the CRM',
      webhook_Endpoint: `${receiver.url}${path}`,
      method: 'POST',
      format: 'json',
      ...overrides,
    },
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return { id: body.data.insertId, secret: body.data.signing_secret, path };
}

let next = 0;
async function createFlow(overrides: Record<string, unknown> = {}): Promise<{ id: number; number: string }> {
  const number = numbers[next++] as string;
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_name: 'Webhooks',
        group_id: h.company,
        campaign_id: campaignId,
        channel_id: 1,
        message: 'Press 1 for sales.',
        number: { phone_number: number },
        ivrs: [{ key: 1, action: 'simple', target_did: 8015550100 }],
        ...overrides,
      },
    ],
  });
  expect(body[0]?.result, JSON.stringify(body)).toBe('success');
  return { id: Number(body[0].data), number };
}

const call = async (number: string, from = '2125550150') => {
  const result = await carrier.call({ to: number, from, press: ['1'], answer: 'first' });
  const { rows } = await ctx.db.query<{ call_id: number }>(
    'select call_id from call where carrier_call_sid = $1',
    [result.callSid],
  );
  return (rows[0] as { call_id: number }).call_id;
};

const received = (path: string) => receiver.requests.filter((r) => r.url.split('?')[0] === path);
const eventsOf = (path: string) => received(path).map((r) => r.headers['x-switchboard-event']);

const deliveries = async (token: string, query: string) => {
  const { status, body } = await ctx.request('GET', `/v2/webhook/delivery?${query}`, { token });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.data as Array<{
    delivery_id: number;
    event_id: string;
    event_type: string;
    status: string;
    attempts: number;
    attempt_log: Array<{
      status_code: number | null;
      error: string | null;
      latency_ms: number;
      response_excerpt: string | null;
    }>;
  }>;
};

describe('GET /v2/webhook', () => {
  it('lists the webhooks of group ouId with webhook_id, webhook_name and target_url', async () => {
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const { status, body } = await ctx.request('GET', `/v2/webhook?ouId=${h.company}`, {
      token: h.companyAdmin.token,
    });
    expect(status).toBe(200);
    expect(body.result).toBe('success');
    expect(body.err).toBeNull();
    expect(body.data).toContainEqual(
      expect.objectContaining({
        webhook_id: hook.id,
        webhook_name: 'CRM push',
        target_url: `${receiver.url}${hook.path}`,
        org_unit_id: h.company,
        method: 'POST',
        format: 'json',
      }),
    );
    expect(JSON.stringify(body)).not.toContain(hook.secret);
  });

  it('answers a missing ouId with the V2 swagger error, letter for letter', async () => {
    const { status, body } = await ctx.request('GET', '/v2/webhook', { token: h.companyAdmin.token });
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      code: 'INVALID_REQUEST_PARAMETER',
      in: 'query',
      name: 'ouId',
      message: 'Invalid parameter (ouId): Value is required but was not provided',
      path: ['paths', '/webhook', 'get', 'parameters', '0'],
    });
    expect(body.errors[0].errors[0].code).toBe('REQUIRED');
  });

  it('answers a blank or non-integer ouId with INVALID_TYPE', async () => {
    for (const value of ['', 'abc']) {
      const { body } = await ctx.request('GET', `/v2/webhook?ouId=${value}`, { token: h.companyAdmin.token });
      expect(body.errors[0].message).toBe(
        'Invalid parameter (ouId): Expected type integer but found type string',
      );
      expect(body.errors[0].errors[0].code).toBe('INVALID_TYPE');
    }
  });

  it('answers 401 without a token and refuses a group outside the caller scope', async () => {
    expect((await ctx.request('GET', `/v2/webhook?ouId=${h.company}`)).status).toBe(401);
    const { status, body } = await ctx.request('GET', `/v2/webhook?ouId=${h.company}`, {
      token: h.locationAdmin.token,
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ result: 'error', err: `ouId ${h.company} is not a group you can access` });
  });
});

describe('POST and PUT /v2/webhook', () => {
  it('answers data.insertId and the signing secret once', async () => {
    const { status, body } = await ctx.request('POST', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: { org_unit_id: h.company, webhook_Name: 'Minimal', webhook_Endpoint: `${receiver.url}/minimal` },
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: { insertId: expect.any(Number), signing_secret: expect.stringMatching(/^whsec_/) },
    });
  });

  it('refuses missing required fields, a bad method and unknown fields with V2 validation errors', async () => {
    const missing = await ctx.request('POST', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: { org_unit_id: h.company },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]).toMatchObject({ in: 'body', name: 'webhook' });
    expect(missing.body.errors[0].errors.map((e: { message: string }) => e.message)).toEqual([
      'Missing required property: webhook_Name',
      'Missing required property: webhook_Endpoint',
    ]);
    const method = await ctx.request('POST', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: {
        org_unit_id: h.company,
        webhook_Name: 'x',
        webhook_Endpoint: `${receiver.url}/x`,
        method: 'PATCH',
      },
    });
    expect(method.body.errors[0].errors[0]).toMatchObject({
      code: 'ENUM_MISMATCH',
      message: 'No enum match for: PATCH',
    });
    const unknown = await ctx.request('POST', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: {
        org_unit_id: h.company,
        webhook_Name: 'x',
        webhook_Endpoint: `${receiver.url}/x`,
        webhook_name: 'y',
      },
    });
    expect(unknown.status).toBe(400);
  });

  it('refuses a group outside the caller scope, a non-http target and a ReadOnly user, creating nothing', async () => {
    const before = await ctx.db.query('select 1 from webhook');
    const outside = await ctx.request('POST', '/v2/webhook', {
      token: h.locationAdmin.token,
      body: { org_unit_id: h.company, webhook_Name: 'x', webhook_Endpoint: `${receiver.url}/x` },
    });
    expect(outside.body).toMatchObject({
      result: 'error',
      err: `org_unit_id ${h.company} is not a group you can access`,
    });
    const ftp = await ctx.request('POST', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: { org_unit_id: h.company, webhook_Name: 'x', webhook_Endpoint: 'ftp://example.com/x' },
    });
    expect(ftp.body.err).toBe('webhook_Endpoint refused: ftp://example.com/x is not an http or https URL');
    const readOnly = await ctx.factory.user(h.company, 3);
    const refused = await ctx.request('POST', '/v2/webhook', {
      token: readOnly.token,
      body: { org_unit_id: h.company, webhook_Name: 'x', webhook_Endpoint: `${receiver.url}/x` },
    });
    expect(refused.status).toBe(403);
    expect((await ctx.db.query('select 1 from webhook')).rowCount).toBe(before.rowCount);
  });

  it('updates the given fields, keeps the others, and answers 404 outside the caller scope', async () => {
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const { status, body } = await ctx.request('PUT', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: { webhook_id: hook.id, webhook_Name: 'Renamed', format: 'xml', webhook_status: 'inactive' },
    });
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'success', err: null, data: { affectedRows: 1 } });
    const list = await ctx.request('GET', `/v2/webhook?ouId=${h.company}&filter=webhook_id%3d${hook.id}`, {
      token: h.companyAdmin.token,
    });
    expect(list.body.data).toEqual([
      expect.objectContaining({
        webhook_name: 'Renamed',
        format: 'xml',
        webhook_status: 'inactive',
        description: 'calls to the CRM',
        target_url: `${receiver.url}${hook.path}`,
      }),
    ]);
    const outside = await ctx.request('PUT', '/v2/webhook', {
      token: h.locationAdmin.token,
      body: { webhook_id: hook.id, webhook_Name: 'Stolen' },
    });
    expect(outside.status).toBe(404);
    expect(outside.body).toMatchObject({ result: 'error', err: 'No record found' });
  });
});

describe('GET /v2/webhook/delivery', () => {
  it('needs webhook_id or call_id, and answers 404 for a webhook outside the caller scope', async () => {
    const none = await ctx.request('GET', '/v2/webhook/delivery', { token: h.companyAdmin.token });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ result: 'error', err: 'Provide webhook_id or call_id' });
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const outside = await ctx.request('GET', `/v2/webhook/delivery?webhook_id=${hook.id}`, {
      token: h.locationAdmin.token,
    });
    expect(outside.status).toBe(404);
    expect(await deliveries(h.companyAdmin.token, `webhook_id=${hook.id}`)).toEqual([]);
  });
});

describe('call flows and webhooks', () => {
  it('accepts webhook_enabled with a webhook in scope and refuses one outside it', async () => {
    const own = await createWebhook(h.companyAdmin.token, h.company);
    await createFlow({ webhook_enabled: true, webhook_id: own.id });
    const other = await ctx.factory.hierarchy();
    const foreign = await createWebhook(other.companyAdmin.token, other.company);
    const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_name: 'Foreign hook',
          group_id: h.company,
          campaign_id: campaignId,
          channel_id: 1,
          number: { phone_number: numbers[next++] },
          ivrs: [{ key: 1, action: 'simple', target_did: 8015550100 }],
          webhook_enabled: true,
          webhook_id: foreign.id,
        },
      ],
    });
    expect(JSON.stringify(body)).toContain(`webhook_id ${foreign.id} is not a webhook you can access`);
  });
});

describe('delivery', () => {
  // Each test counts what its own webhooks receive: the webhooks of earlier tests go quiet.
  beforeEach(async () => {
    await ctx.db.query(`update webhook set webhook_status = 'inactive'`);
  });

  it('sends pre-call then post-call events, signed, to the flow webhook and inherited group webhooks', async () => {
    receiver.respondWith(() => 200);
    const flowHook = await createWebhook(h.companyAdmin.token, h.company);
    const agencyHook = await createWebhook(h.agencyAdmin.token, h.agency, { format: 'form' });
    const flow = await createFlow({ webhook_enabled: true, webhook_id: flowHook.id });
    const callId = await call(flow.number);
    await drain();

    expect(eventsOf(flowHook.path)).toEqual(['call.started', 'call.completed']);
    for (const request of received(flowHook.path)) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(
        verifySignature(flowHook.secret, request.headers['x-switchboard-signature'] as string, request.body),
      ).toBe(true);
      expect(
        verifySignature('wrong-secret', request.headers['x-switchboard-signature'] as string, request.body),
      ).toBe(false);
      const event = JSON.parse(request.body);
      expect(event).toMatchObject({
        event: request.headers['x-switchboard-event'],
        event_id: request.headers['x-switchboard-event-id'],
        webhook_id: flowHook.id,
        data: { call_id: callId, tracking_number: flow.number, caller_id: '2125550150', group_id: h.company },
      });
    }
    const completed = JSON.parse((received(flowHook.path)[1] as { body: string }).body);
    expect(completed.data.disposition).toBe('ANSWERED');
    // the post-call event carries the call record exactly as the API shows it
    const record = await ctx.request('GET', `/v2/call?id=${callId}`, { token: h.companyAdmin.token });
    expect(completed.data).toEqual(record.body.data);

    // the agency's webhook is inherited by the company's calls, and speaks form encoding
    expect(eventsOf(agencyHook.path)).toEqual(['call.started', 'call.completed']);
    const form = received(agencyHook.path)[1] as { body: string; headers: Record<string, unknown> };
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(form.body).get('call_id')).toBe(String(callId));
    expect(
      verifySignature(agencyHook.secret, form.headers['x-switchboard-signature'] as string, form.body),
    ).toBe(true);

    const log = await deliveries(h.agencyAdmin.token, `call_id=${callId}`);
    expect(log.map((d) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // the company admin sees the deliveries of its own webhook, not those of the agency's
    expect((await deliveries(h.companyAdmin.token, `call_id=${callId}`)).map((d) => d.event_type)).toEqual([
      'call.completed',
      'call.started',
    ]);
    // a location admin sees nothing of a company call's deliveries
    expect(await deliveries(h.locationAdmin.token, `call_id=${callId}`)).toEqual([]);
  });

  it('sends no job at all for a call when no webhook could fire', async () => {
    const other = await ctx.factory.hierarchy();
    const otherCampaign = await ctx.factory.campaign(other.companyAdmin, other.company);
    const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: other.companyAdmin.token,
      body: [
        {
          call_flow_name: 'No hooks',
          group_id: other.company,
          campaign_id: otherCampaign,
          channel_id: 1,
          number: { phone_number: numbers[next++] },
          ivrs: [{ key: 1, action: 'simple', target_did: 8015550100 }],
        },
      ],
    });
    const flowId = Number(body[0].data);
    const { rows } = await ctx.db.query<{ phone: string }>(
      `select p.number as phone from call_flow f join phone_number p on p.phone_number_id = f.phone_number_id
        where f.call_flow_id = $1`,
      [flowId],
    );
    const callId = await call((rows[0] as { phone: string }).phone);
    const jobs = await ctx.db.query<{ kind: string }>(
      `select kind from job where payload->>'callId' = $1 order by job_id`,
      [String(callId)],
    );
    expect(jobs.rows.map((j) => j.kind)).toEqual(['call.completed']);
  });

  it('retries after a receiver failure with back-off, under the same event id, logging every attempt', async () => {
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    let failures = 2;
    receiver.respondWith((request) =>
      request.url === hook.path && request.headers['x-switchboard-event'] === 'call.started' && failures-- > 0
        ? 500
        : 200,
    );
    const callId = await call(flow.number);
    await drain();
    // the pre-call delivery failed; the post-call delivery waits for it
    expect(eventsOf(hook.path)).toEqual(['call.started']);
    let log = await deliveries(h.companyAdmin.token, `webhook_id=${hook.id}`);
    expect(log.map((d) => [d.event_type, d.status, d.attempts])).toEqual([
      ['call.completed', 'pending', 0],
      ['call.started', 'pending', 1],
    ]);
    // a drain without time passing sends nothing new
    await drain();
    expect(received(hook.path)).toHaveLength(1);

    ctx.clock.advance(HOUR);
    await drain();
    expect(eventsOf(hook.path)).toEqual(['call.started', 'call.started']);
    ctx.clock.advance(HOUR);
    await drain();
    expect(eventsOf(hook.path)).toEqual(['call.started', 'call.started', 'call.started', 'call.completed']);

    const ids = received(hook.path).map((r) => r.headers['x-switchboard-event-id']);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(ids[3]).not.toBe(ids[0]);
    log = await deliveries(h.companyAdmin.token, `webhook_id=${hook.id}`);
    const started = log.find((d) => d.event_type === 'call.started');
    expect(started?.status).toBe('succeeded');
    expect(started?.attempt_log.map((a) => a.status_code)).toEqual([500, 500, 200]);
    expect(started?.attempt_log[0]?.error).toBe('target answered HTTP 500');
    expect(started?.attempt_log.every((a) => a.latency_ms >= 0)).toBe(true);
    expect(started?.event_id).toBe(ids[0]);
    expect((await deliveries(h.companyAdmin.token, `call_id=${callId}`)).length).toBe(2);
  });

  it("records a receiver's answer holding NUL bytes, which PostgreSQL cannot store, with U+FFFD in their place", async () => {
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    receiver.respondWith((request) =>
      request.url === hook.path ? { status: 200, body: 'ok\u0000\u0000binary' } : 200,
    );
    await call(flow.number);
    await drain();
    expect(eventsOf(hook.path)).toEqual(['call.started', 'call.completed']);
    const log = await deliveries(h.companyAdmin.token, `webhook_id=${hook.id}`);
    expect(log.map((d) => [d.event_type, d.status, d.attempts])).toEqual([
      ['call.completed', 'succeeded', 1],
      ['call.started', 'succeeded', 1],
    ]);
    expect(log[0]?.attempt_log[0]?.response_excerpt).toBe('ok\uFFFD\uFFFDbinary');
  });

  it('gives up after the retry window, marks the delivery failed, and then lets the post-call event go', async () => {
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    receiver.respondWith((request) =>
      request.url === hook.path && request.headers['x-switchboard-event'] === 'call.started' ? 503 : 200,
    );
    await call(flow.number);
    await drain();
    for (let hour = 1; hour <= 26; hour++) {
      ctx.clock.advance(HOUR);
      await drain();
      if (hour < 24) expect(eventsOf(hook.path)).not.toContain('call.completed');
    }
    const log = await deliveries(h.companyAdmin.token, `webhook_id=${hook.id}`);
    const started = log.find((d) => d.event_type === 'call.started');
    const completed = log.find((d) => d.event_type === 'call.completed');
    expect(started?.status).toBe('failed');
    expect(started?.attempts).toBeGreaterThan(10);
    expect(completed?.status).toBe('succeeded');
    // the post-call event went out only after the pre-call one gave up
    const events = eventsOf(hook.path);
    expect(events.lastIndexOf('call.started')).toBeLessThan(events.indexOf('call.completed'));
  });

  it('creates each delivery once even when the completion job runs again', async () => {
    receiver.respondWith(() => 200);
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    const callId = await call(flow.number);
    await drain();
    expect(received(hook.path)).toHaveLength(2);
    await enqueue(ctx.db, { kind: 'call.completed', payload: { callId } });
    await ctx.db.query('delete from call_completion_step where call_id = $1', [callId]);
    await enqueue(ctx.db, { kind: 'call.completed', payload: { callId } });
    await enqueue(ctx.db, { kind: 'call.started', payload: { callId } });
    expect(await drain()).toBe(3);
    expect(received(hook.path)).toHaveLength(2);
  });

  it('sends the post-call event even when an earlier completion step fails, and retries only that step', async () => {
    receiver.respondWith(() => 200);
    let failing = true;
    const runs: number[] = [];
    ctx.app.services.callLifecycle.registerCompletionStep('flakyForTest', 50, async (callId) => {
      runs.push(callId);
      if (failing) throw new Error('flaky step failed');
    });
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    const callId = await call(flow.number);
    await drain();
    expect(eventsOf(hook.path)).toEqual(['call.started', 'call.completed']);
    const { rows } = await ctx.db.query<{ last_error: string; done: boolean }>(
      `select last_error, done_at is not null as done from job where dedupe_key = $1`,
      [`call.completed:${callId}`],
    );
    expect(rows[0]).toEqual({
      last_error: 'completion steps failed: flakyForTest: flaky step failed',
      done: false,
    });
    failing = false;
    ctx.clock.advance(HOUR);
    await drain();
    expect(runs.filter((id) => id === callId)).toHaveLength(2);
    expect(eventsOf(hook.path)).toEqual(['call.started', 'call.completed']);
    const after = await ctx.db.query<{ done: boolean }>(
      'select done_at is not null as done from job where dedupe_key = $1',
      [`call.completed:${callId}`],
    );
    expect(after.rows[0]?.done).toBe(true);
  });

  it('skips a completion step whose `when` condition is false for the call, and runs one whose condition holds', async () => {
    receiver.respondWith(() => 200);
    const idleRuns: number[] = [];
    const busyRuns: number[] = [];
    const { callLifecycle } = ctx.app.services;
    callLifecycle.registerCompletionStep(
      'idleForTest',
      60,
      async (callId) => {
        idleRuns.push(callId);
      },
      { when: `c.key_path = 'no such path'` },
    );
    callLifecycle.registerCompletionStep(
      'busyForTest',
      61,
      async (callId) => {
        busyRuns.push(callId);
      },
      { when: `c.call_id = $1 and c.ended_at is not null` },
    );
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    const callId = await call(flow.number);
    await drain();
    expect(idleRuns).not.toContain(callId);
    expect(busyRuns).toEqual([callId]);
    expect(eventsOf(hook.path)).toEqual(['call.started', 'call.completed']);
    const { rows } = await ctx.db.query<{ done: boolean }>(
      'select done_at is not null as done from job where dedupe_key = $1',
      [`call.completed:${callId}`],
    );
    expect(rows[0]?.done).toBe(true);
  });

  it('keeps the completion job open when a step after the webhooks step fails (the fan-out marks it done only as the last step)', async () => {
    receiver.respondWith(() => 200);
    let failFor: number | undefined;
    ctx.app.services.callLifecycle.registerCompletionStep('lateForTest', 200, async (callId) => {
      if (callId === failFor) throw new Error('late step failed');
    });
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    const callId = await call(flow.number);
    failFor = callId;
    await drain();
    expect(eventsOf(hook.path)).toEqual(['call.started', 'call.completed']);
    const job = () =>
      ctx.db.query<{ last_error: string | null; done: boolean }>(
        'select last_error, done_at is not null as done from job where dedupe_key = $1',
        [`call.completed:${callId}`],
      );
    expect((await job()).rows[0]).toEqual({
      last_error: 'completion steps failed: lateForTest: late step failed',
      done: false,
    });
    failFor = undefined;
    ctx.clock.advance(HOUR);
    await drain();
    expect((await job()).rows[0]?.done).toBe(true);
    // the retry ran only the late step: no second delivery
    expect(eventsOf(hook.path)).toEqual(['call.started', 'call.completed']);
  });

  it('redelivers a finished delivery under the same event id, and refuses a pending one', async () => {
    receiver.respondWith(() => 200);
    const hook = await createWebhook(h.companyAdmin.token, h.company);
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    await call(flow.number);
    await drain();
    const [completed] = await deliveries(
      h.companyAdmin.token,
      `webhook_id=${hook.id}&filter=event_type%3dcall.completed`,
    );
    const { status, body } = await ctx.request('POST', '/v2/webhook/redeliver', {
      token: h.companyAdmin.token,
      body: { delivery_id: completed?.delivery_id },
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      delivery_id: completed?.delivery_id,
      event_id: completed?.event_id,
      status: 'pending',
    });
    const again = await ctx.request('POST', '/v2/webhook/redeliver', {
      token: h.companyAdmin.token,
      body: { delivery_id: completed?.delivery_id },
    });
    expect(again.status).toBe(400);
    expect(again.body.err).toBe(`Delivery ${completed?.delivery_id} is still pending`);
    await drain();
    const requests = received(hook.path);
    expect(requests.map((r) => r.headers['x-switchboard-event'])).toEqual([
      'call.started',
      'call.completed',
      'call.completed',
    ]);
    expect(requests[2]?.headers['x-switchboard-event-id']).toBe(completed?.event_id);
    const outside = await ctx.request('POST', '/v2/webhook/redeliver', {
      token: h.locationAdmin.token,
      body: { delivery_id: completed?.delivery_id },
    });
    expect(outside.status).toBe(404);
  });

  it('sends XML with the GET or PUT method as configured', async () => {
    receiver.respondWith(() => 200);
    const xmlHook = await createWebhook(h.companyAdmin.token, h.company, { format: 'xml', method: 'PUT' });
    const getHook = await createWebhook(h.companyAdmin.token, h.company, {
      method: 'GET',
      events: ['call.completed'],
    });
    const flow = await createFlow({ webhook_enabled: true, webhook_id: xmlHook.id });
    const callId = await call(flow.number);
    await drain();
    const [xml] = received(xmlHook.path);
    expect(xml?.method).toBe('PUT');
    expect(xml?.headers['content-type']).toBe('application/xml');
    expect(xml?.body).toContain(`<call_id>${callId}</call_id>`);
    expect(
      verifySignature(xmlHook.secret, xml?.headers['x-switchboard-signature'] as string, xml?.body ?? ''),
    ).toBe(true);
    const gets = received(getHook.path);
    expect(gets.map((r) => r.method)).toEqual(['GET']);
    const query = (gets[0]?.url ?? '').split('?')[1] ?? '';
    expect(new URLSearchParams(query).get('event')).toBe('call.completed');
    expect(
      verifySignature(getHook.secret, gets[0]?.headers['x-switchboard-signature'] as string, query),
    ).toBe(true);
  });

  it('sends call.started to a group webhook created after calls that needed none (the hot path learns by NOTIFY)', async () => {
    receiver.respondWith(() => 200);
    const flow = await createFlow();
    // no active webhook wants call.started now: calls skip the job entirely
    const quiet = await call(flow.number, '2125550161');
    await drain();
    const { rows: none } = await ctx.db.query('select 1 from job where dedupe_key = $1', [
      `call.started:${quiet}`,
    ]);
    expect(none).toEqual([]);

    const hook = await createWebhook(h.companyAdmin.token, h.company);
    // within moments every process knows: some call soon after gets its pre-call event
    let sent = false;
    for (let attempt = 0; attempt < 40 && !sent; attempt++) {
      const callId = await call(flow.number, `21255502${String(attempt).padStart(2, '0')}`);
      await drain();
      sent = received(hook.path).some(
        (r) =>
          r.headers['x-switchboard-event'] === 'call.started' && JSON.parse(r.body).data.call_id === callId,
      );
      if (!sent) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(sent).toBe(true);
  });

  it('gives a flow webhook that wants only call.completed no pre-call job', async () => {
    receiver.respondWith(() => 200);
    const hook = await createWebhook(h.companyAdmin.token, h.company, { events: ['call.completed'] });
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    const callId = await call(flow.number);
    const { rows } = await ctx.db.query<{ kind: string }>(
      `select kind from job where payload->>'callId' = $1 order by job_id`,
      [String(callId)],
    );
    expect(rows.map((j) => j.kind)).toEqual(['call.completed']);
    await drain();
    expect(eventsOf(hook.path)).toEqual(['call.completed']);
  });

  it('gives a flow webhook that wants only call.completed no pre-call job while a webhook elsewhere wants call.started', async () => {
    receiver.respondWith(() => 200);
    // a webhook outside the call's groups wants call.started, so the hot path asks the database
    const elsewhere = await createWebhook(h.locationAdmin.token, h.location, { events: ['call.started'] });
    const locationCampaign = await ctx.factory.campaign(h.locationAdmin);
    const locationFlow = await createFlow({ group_id: h.location, campaign_id: locationCampaign });
    const hook = await createWebhook(h.companyAdmin.token, h.company, { events: ['call.completed'] });
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    const startedJobOf = async (callId: number) =>
      (await ctx.db.query('select 1 from job where dedupe_key = $1', [`call.started:${callId}`])).rows.length;
    // the hot path learns of the new call.started subscriber by NOTIFY, within moments
    let learned = false;
    for (let attempt = 0; attempt < 40 && !learned; attempt++) {
      learned =
        (await startedJobOf(await call(locationFlow.number, `21255504${String(attempt).padStart(2, '0')}`))) >
        0;
      if (!learned) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(learned).toBe(true);

    const callId = await call(flow.number);
    const { rows } = await ctx.db.query<{ kind: string }>(
      `select kind from job where payload->>'callId' = $1 order by job_id`,
      [String(callId)],
    );
    expect(rows.map((j) => j.kind)).toEqual(['call.completed']);
    await drain();
    const eventsOfCall = (path: string) =>
      received(path)
        .filter((r) => JSON.parse(r.body).data.call_id === callId)
        .map((r) => r.headers['x-switchboard-event']);
    expect(eventsOfCall(hook.path)).toEqual(['call.completed']);
    expect(eventsOfCall(elsewhere.path)).toEqual([]);
  });

  it('sends a post-call delivery that waits for nothing from the completion job at once, with no claim of its own', async () => {
    receiver.respondWith(() => 200);
    const hook = await createWebhook(h.companyAdmin.token, h.company, { events: ['call.completed'] });
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    const callId = await call(flow.number);
    // drain claims the completion job only; the delivery job was inserted claimed and ran at once
    expect(await drain()).toBe(1);
    expect(eventsOf(hook.path)).toEqual(['call.completed']);
    const { rows } = await ctx.db.query<{ attempts: number; done: boolean; status: string }>(
      `select j.attempts, j.done_at is not null and j.locked_until is null as done, d.status
         from webhook_delivery d join job j on j.dedupe_key = 'webhook.deliver:' || d.delivery_id
        where d.call_id = $1 and d.webhook_id = $2`,
      [callId, hook.id],
    );
    expect(rows).toEqual([{ attempts: 1, done: true, status: 'succeeded' }]);
  });

  it('sends a post-call event as soon as a delayed pre-call fan-out that creates no delivery to its webhook has run', async () => {
    receiver.respondWith(() => 200);
    // the flow's webhook wants only call.completed; a group webhook wants call.started, so the
    // call has a pre-call fan-out, but it delivers nothing to the flow's webhook
    const hook = await createWebhook(h.companyAdmin.token, h.company, { events: ['call.completed'] });
    const starts = await createWebhook(h.companyAdmin.token, h.company, { events: ['call.started'] });
    const flow = await createFlow({ webhook_enabled: true, webhook_id: hook.id });
    const eventsOfCall = (path: string, callId: number) =>
      received(path)
        .filter((r) => JSON.parse(r.body).data.call_id === callId)
        .map((r) => r.headers['x-switchboard-event']);
    // the hot path learns of the new call.started subscriber by NOTIFY, within moments
    let callId = 0;
    for (let attempt = 0; attempt < 40 && callId === 0; attempt++) {
      const candidate = await call(flow.number, `21255503${String(attempt).padStart(2, '0')}`);
      const { rows } = await ctx.db.query('select 1 from job where dedupe_key = $1', [
        `call.started:${candidate}`,
      ]);
      if (rows.length > 0) callId = candidate;
      else {
        await drain();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(callId).not.toBe(0);
    // the pre-call fan-out is held back (as when it is retrying), so the post-call delivery waits
    // (it would look again after a second)
    await ctx.db.query('update job set run_at = $2 where dedupe_key = $1', [
      `call.started:${callId}`,
      new Date(ctx.clock.now().getTime() + 500),
    ]);
    await drain();
    expect(eventsOfCall(hook.path, callId)).toEqual([]);

    // once the fan-out has run, the post-call delivery goes at once, not a second later
    ctx.clock.advance(500);
    await drain();
    expect(eventsOfCall(starts.path, callId)).toEqual(['call.started']);
    expect(eventsOfCall(hook.path, callId)).toEqual(['call.completed']);
  });

  it('refuses to send to a private address at send time when private targets are not allowed', async () => {
    const strict = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
    try {
      const group = await strict.factory.group();
      const admin = await strict.factory.user(group);
      for (const target of [
        'http://127.0.0.1:9/x',
        'http://localhost/x',
        'http://[::1]/x',
        'http://10.1.2.3/x',
        'http://[::127.0.0.1]/x',
        'http://[::7f00:1]/x',
        'http://[::ffff:169.254.169.254]/x',
        'http://100.64.0.1/x',
      ]) {
        const { status, body } = await strict.request('POST', '/v2/webhook', {
          token: admin.token,
          body: { org_unit_id: group, webhook_Name: 'Private', webhook_Endpoint: target },
        });
        expect(status).toBe(400);
        expect(body.err).toMatch(/^webhook_Endpoint refused: .* is a private or loopback address$/);
      }
      // a webhook stored with a public address that now points inside is refused when sending
      const created = await strict.request('POST', '/v2/webhook', {
        token: admin.token,
        body: { org_unit_id: group, webhook_Name: 'Public', webhook_Endpoint: 'http://93.184.216.34/x' },
      });
      const webhookId = created.body.data.insertId;
      const updated = await strict.request('PUT', '/v2/webhook', {
        token: admin.token,
        body: { webhook_id: webhookId, webhook_Endpoint: `${receiver.url}/private` },
      });
      expect(updated.body.err).toMatch(/private or loopback/);
      await strict.db.query('update webhook set target_url = $2 where webhook_id = $1', [
        webhookId,
        `${receiver.url}/private`,
      ]);
      const { rows } = await strict.db.query<{ call_id: number }>(
        `insert into call (carrier_call_sid, group_id, tracking_number, caller_number, started_at, ended_at, disposition)
         values ('CA-private', $1, '3125550000', '2125550000', now(), now(), 'ANSWERED') returning call_id`,
        [group],
      );
      await enqueue(strict.db, { kind: 'call.completed', payload: { callId: rows[0]?.call_id } });
      await strict.app.services.jobs.drain();
      expect(received('/private')).toEqual([]);
      const { body } = await strict.request('GET', `/v2/webhook/delivery?webhook_id=${webhookId}`, {
        token: admin.token,
      });
      expect(body.data[0].status).toBe('pending');
      expect(body.data[0].attempt_log[0].error).toMatch(/private or loopback address/);
    } finally {
      await strict.close();
    }
  });
});

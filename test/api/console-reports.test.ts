import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { createIvrFlow, insertCalls } from '../helpers/calls.js';
import { createCarrier } from '../helpers/carrier.js';
import { freePort } from '../helpers/process.js';
import { type Receiver, startReceiver, verifySignature } from '../helpers/receiver.js';

/**
 * The endpoints the console adds to V2 (our design): call summary, time series, breakdowns and
 * the CSV export over the same filter as List Calls, the live-calls stream, removing a tag,
 * setting a call's value and a webhook's test event.
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignA: number;
let campaignB: number;
let base: string;
let receiver: Receiver;
let ids: number[];

const MARCH = 'call_started>=2026-03-01,call_started<=2026-03-31';
const LA = 'America/Los_Angeles';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await createTestContext({
    PUBLIC_BASE_URL: base,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    JOBS_POLL_INTERVAL_MS: '0',
  });
  await ctx.app.listen({ port, host: '127.0.0.1' });
  receiver = await startReceiver();
  h = await ctx.factory.hierarchy();
  campaignA = await ctx.factory.campaign(h.companyAdmin, h.company);
  campaignB = await ctx.factory.campaign(h.companyAdmin, h.location);
  const at = (day: number, hourUtc: number) =>
    `2026-03-${String(day).padStart(2, '0')}T${String(hourUtc).padStart(2, '0')}:30:00Z`;
  ids = await insertCalls(ctx, [
    // 1: answered, company, campaign A; on March 2 07:30 UTC = March 1 in Los Angeles
    {
      group_id: h.company,
      started_at: at(2, 7),
      duration: 120,
      campaign_id: campaignA,
      caller: '2125550001',
    },
    {
      group_id: h.company,
      started_at: at(3, 18),
      duration: 40,
      disposition: 'NO ANSWER',
      campaign_id: campaignA,
    },
    {
      group_id: h.location,
      started_at: at(3, 19),
      duration: 60,
      disposition: 'VOICEMAIL',
      campaign_id: campaignB,
    },
    {
      group_id: h.location,
      started_at: at(10, 20),
      duration: 300,
      campaign_id: campaignB,
      is_repeat: true,
      call_value: 25,
    },
    { group_id: h.location, started_at: at(10, 21), duration: 5, disposition: 'BLOCKED' },
    { group_id: h.location, started_at: at(11, 16), duration: 30, disposition: 'BUSY' },
    // April: outside the range
    { group_id: h.company, started_at: '2026-04-02T16:00:00Z', duration: 10 },
  ]);
  // answered calls talk from 20 s after they start
  await ctx.db.query(
    `update call set answered_at = started_at + interval '20 seconds' where disposition = 'ANSWERED' and call_id = any($1)`,
    [ids],
  );
  await ctx.db.query(
    `insert into call_attribution (call_id, confidence, landing_page, referrer, utm_source, attributed_at)
     values ($1, 'exact', 'https://shop.example/offer?utm_source=google', 'https://www.google.com/search?q=x', 'google', now()),
            ($2, 'exact', 'https://shop.example/offer', null, 'newsletter', now())`,
    [ids[0], ids[3]],
  );
  await ctx.request('POST', '/v2/call/tag', {
    token: h.companyAdmin.token,
    body: { call_id: ids[3], tag_name: ['Lead'] },
  });
});

afterAll(async () => {
  await receiver?.close();
  await ctx?.close();
});

const get = (user: TestUser, path: string, query: Record<string, string | number>) =>
  ctx.request(
    'GET',
    `${path}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`,
    {
      token: user.token,
    },
  );

describe('GET /v2/call/summary', () => {
  it('totals the subtree’s calls of the range, and agrees with groupActivity on calls, answered and duration', async () => {
    const { status, body } = await get(h.companyAdmin, '/v2/call/summary', { filter: MARCH, timezone: LA });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      calls: 6,
      answered: 2,
      missed: 2,
      voicemails: 1,
      blocked: 1,
      first_time: 5,
      repeat_calls: 1,
      talk_seconds: 100 + 280,
      // both answered calls were answered 20 s after they started
      answer_seconds: 20 + 20,
      call_value: 25,
      unique_callers: 2,
      total_duration: 120 + 40 + 60 + 300 + 5 + 30,
      // 2 + 1 + 1 + 5 + 1 + 1 minutes, each call rounded up
      billable_minutes: 2 + 1 + 1 + 5 + 1 + 1,
      in_progress: 0,
    });
    const metrics = await get(h.companyAdmin, '/v2/call/groupActivity', { filter: MARCH, timezone: LA });
    const sum = (field: string) =>
      metrics.body.data.reduce((total: number, row: Record<string, number>) => total + (row[field] ?? 0), 0);
    expect([sum('calls'), sum('answered'), sum('total_duration')]).toEqual([
      body.data.calls,
      body.data.answered,
      body.data.total_duration,
    ]);
  });

  it('reads one group’s subtree with group_id, and refuses a group outside the scope', async () => {
    const location = await get(h.companyAdmin, '/v2/call/summary', { filter: MARCH, group_id: h.location });
    expect(location.body.data.calls).toBe(4);
    const outside = await get(h.locationAdmin, '/v2/call/summary', { group_id: h.company });
    expect(outside.status).toBe(400);
    expect(outside.body).toEqual({
      result: 'error',
      err: `group_id ${h.company} is not a group you can access`,
      data: null,
    });
    const sibling = await ctx.factory.user(await ctx.factory.group(h.agency));
    expect((await get(sibling, '/v2/call/summary', {})).body.data.calls).toBe(0);
  });

  it('answers a bad filter with V2’s filter error', async () => {
    const { status, body } = await get(h.companyAdmin, '/v2/call/summary', { filter: 'outcome>=x' });
    expect(status).toBe(400);
    expect(body.err).toBe(
      'Invalid comparator type "string" used for value being used in rule 1 : outcome>=x',
    );
  });
});

describe('GET /v2/call/timeseries', () => {
  it('counts per day in the time zone, leaving out days without calls', async () => {
    const { body } = await get(h.companyAdmin, '/v2/call/timeseries', { filter: MARCH, timezone: LA });
    expect(body.data.map((row: { bucket: string; calls: number }) => [row.bucket, row.calls])).toEqual([
      ['2026-03-01T00:00', 1],
      ['2026-03-03T00:00', 2],
      ['2026-03-10T00:00', 2],
      ['2026-03-11T00:00', 1],
    ]);
    const weeks = await get(h.companyAdmin, '/v2/call/timeseries', {
      filter: MARCH,
      timezone: LA,
      interval: 'week',
    });
    expect(weeks.body.data.map((row: { bucket: string }) => row.bucket)).toEqual([
      '2026-02-23T00:00',
      '2026-03-02T00:00',
      '2026-03-09T00:00',
    ]);
  });
});

describe('GET /v2/call/breakdown and the filters it drills down to', () => {
  it('breaks calls down by campaign with names, most calls first', async () => {
    const { body } = await get(h.companyAdmin, '/v2/call/breakdown', { filter: MARCH, by: 'campaign' });
    expect(
      body.data.map((row: { key: string | null; calls: number; label: string | null }) => [
        row.key,
        row.calls,
      ]),
    ).toEqual([
      [String(campaignA), 2],
      [String(campaignB), 2],
      [null, 2],
    ]);
    expect(body.data[0].label).toMatch(/^Campaign /);
    expect(body.data[2].label).toBeNull();
  });

  it('breaks calls down by the website visit, and each key filters List Calls to those calls', async () => {
    for (const [by, key, expected] of [
      ['utm_source', 'google', [ids[0]]],
      ['landing_page', 'https://shop.example/offer', [ids[3], ids[0]]],
      ['referrer', 'www.google.com', [ids[0]]],
    ] as const) {
      const { body } = await get(h.companyAdmin, '/v2/call/breakdown', { filter: MARCH, by });
      expect(body.data.map((row: { key: string | null }) => row.key)).toContain(key);
      const list = await get(h.companyAdmin, '/v2/call/list', { filter: `${MARCH},${by}=${key}` });
      expect(list.body.data.map((call: { call_id: number }) => call.call_id)).toEqual(expected);
    }
  });

  it('filters by outcome, tag (any case) and key path', async () => {
    const list = async (filter: string) =>
      (await get(h.companyAdmin, '/v2/call/list', { filter: `${MARCH},${filter}` })).body.data.map(
        (call: { call_id: number }) => call.call_id,
      );
    expect(await list('outcome=missed')).toEqual([ids[5], ids[1]]);
    expect(await list('outcome=answered')).toEqual([ids[3], ids[0]]);
    expect(await list('tag_name=lead')).toEqual([ids[3]]);
    expect((await list('tag_name!=lead')).length).toBe(5);
    // null is no tag at all (it was a 500: the filter named a column the query does not have)
    const tagged = await list('tag_name!=null');
    const untagged = await list('tag_name=null');
    expect(tagged).toContain(ids[3]);
    expect(untagged).not.toContain(ids[3]);
    expect(tagged.length + untagged.length).toBe(6);
    expect(await list('key_path=2>1')).toEqual([]);
  });
});

describe('GET /v2/call/export', () => {
  it('streams the calls of the filter as CSV, newest first, announcing how many', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/v2/call/export?filter=${encodeURIComponent(MARCH)}&timezone=${LA}&group_id=${h.company}`,
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['x-total-count']).toBe('6');
    const lines = response.body.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Call ID,Started,Caller,/);
    expect(lines.slice(1).map((line) => Number(line.split(',')[0]))).toEqual([
      ids[5],
      ids[4],
      ids[3],
      ids[2],
      ids[1],
      ids[0],
    ]);
    expect(lines.at(-1)).toContain('2026-03-01 23:30:00');
    expect(lines.find((line) => line.startsWith(`${ids[3]},`))).toContain(',yes,');
  });

  it('pages through any number of calls with a keyset, each call once', async () => {
    const group = await ctx.factory.group(h.location);
    await ctx.db.query(
      `insert into call (carrier_call_sid, group_id, tracking_number, caller_number, started_at, ended_at, disposition)
       select 'bulk-' || n, $1, '8015550000', '4805550000', timestamptz '2026-03-15 12:00Z' - (n % 7) * interval '1 second',
              timestamptz '2026-03-15 12:05Z', 'ANSWERED'
         from generate_series(1, 4500) n`,
      [group],
    );
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/v2/call/export?group_id=${group}`,
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
    });
    const rows = response.body.trimEnd().split('\n').slice(1);
    expect(response.headers['x-total-count']).toBe('4500');
    expect(rows).toHaveLength(4500);
    expect(new Set(rows.map((row) => row.split(',')[0])).size).toBe(4500);
  });
});

describe('GET /v2/call/live', () => {
  it('sends the calls in progress, then each call of the subtree as it rings and ends, and nothing of another company', async () => {
    const number = '3125557001';
    const otherNumber = '3125557002';
    await ctx.factory.inventory([number, otherNumber], 'CHICAGO', 'IL');
    await createIvrFlow(ctx, h.companyAdmin, campaignA, number, h.location);
    const other = await ctx.factory.hierarchy();
    await createIvrFlow(ctx, other.companyAdmin, await ctx.factory.campaign(other.companyAdmin), otherNumber);

    const controller = new AbortController();
    const response = await fetch(`${base}/v2/call/live?group_id=${h.company}`, {
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const events: { event: string; data: unknown }[] = [];
    const nextEvent = async () => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) return { event, data: JSON.parse(data) };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    expect(await nextEvent()).toEqual({ event: 'snapshot', data: [] });

    const carrier = createCarrier(ctx.app, base);
    await carrier.call({ to: otherNumber, from: '2125550999', press: ['1'], answer: 'first' });
    const started = performance.now();
    await carrier.call({ to: number, from: '2125550777', press: ['1'], answer: 'first' });
    const seen = new Map<string, unknown>();
    while (!seen.has('ended')) {
      const { event, data } = await nextEvent();
      events.push({ event, data });
      for (const call of data as { state: string; caller_id: string }[]) {
        expect(call.caller_id).toBe('2125550777');
        seen.set(call.state, call);
      }
    }
    expect(performance.now() - started).toBeLessThan(1000);
    expect(seen.get('ended')).toMatchObject({
      tracking_number: number,
      group_id: h.location,
      disposition: 'ANSWERED',
      key_path: '1',
      call_flow_name: `Flow ${number}`,
    });
    controller.abort();
  });

  it('refuses a stream without credentials', async () => {
    const response = await fetch(`${base}/v2/call/live`);
    expect(response.status).toBe(401);
  });
});

describe('editing a call from the console', () => {
  it('takes a tag off a call and keeps the tag itself', async () => {
    await ctx.request('POST', '/v2/call/tag', {
      token: h.companyAdmin.token,
      body: { call_id: ids[0], tag_name: ['vip', 'lead'] },
    });
    const tags = (await ctx.request('GET', `/v2/call?id=${ids[0]}`, { token: h.companyAdmin.token })).body
      .data.tags;
    const vip = tags.find((t: { tag_name: string }) => t.tag_name === 'vip');
    const { status, body } = await ctx.request('DELETE', '/v2/call/tag', {
      token: h.companyAdmin.token,
      body: { call_id: ids[0], tag_id: [vip.tag_id] },
    });
    expect(status).toBe(200);
    expect(body.data.map((t: { tag_name: string }) => t.tag_name)).toEqual(['lead']);
    const stillThere = await ctx.db.query('select 1 from tag where tag_id = $1', [vip.tag_id]);
    expect(stillThere.rowCount).toBe(1);
    const outside = await ctx.request('DELETE', '/v2/call/tag', {
      token: h.locationAdmin.token,
      body: { call_id: ids[0], tag_id: [vip.tag_id] },
    });
    expect(outside.body).toEqual({ result: 'error', err: 'Call_id does not exist.', data: null });
  });

  it('sets and clears a call’s value, and refuses a negative one', async () => {
    const set = await ctx.request('PUT', '/v2/call/value', {
      token: h.companyAdmin.token,
      body: { call_id: ids[1], call_value: 125.5 },
    });
    expect(set.body.data.call_value).toBe(125.5);
    const cleared = await ctx.request('PUT', '/v2/call/value', {
      token: h.companyAdmin.token,
      body: { call_id: ids[1], call_value: null },
    });
    expect(cleared.body.data.call_value).toBeNull();
    const bad = await ctx.request('PUT', '/v2/call/value', {
      token: h.companyAdmin.token,
      body: { call_id: ids[1], call_value: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Validation errors');
  });
});

describe('POST /v2/webhook/test', () => {
  it('sends a signed webhook.test event once and logs it as a delivery without a call', async () => {
    const created = await ctx.request('POST', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: {
        org_unit_id: h.company,
        webhook_Name: 'Test target',
        webhook_Endpoint: `${receiver.url}/hook`,
        events: ['call.completed'],
      },
    });
    const { insertId: webhookId, signing_secret: secret } = created.body.data;
    const { status, body } = await ctx.request('POST', '/v2/webhook/test', {
      token: h.companyAdmin.token,
      body: { webhook_id: webhookId },
    });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ status: 'pending', event_id: expect.any(String) });
    await ctx.app.services.jobs.drain();
    const request = receiver.requests.find((r) => r.headers['x-switchboard-event-id'] === body.data.event_id);
    expect(request?.headers['x-switchboard-event']).toBe('webhook.test');
    expect(
      verifySignature(secret, request?.headers['x-switchboard-signature'] as string, request?.body ?? ''),
    ).toBe(true);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      event: 'webhook.test',
      data: { disposition: 'ANSWERED' },
    });
    const log = await ctx.request('GET', `/v2/webhook/delivery?webhook_id=${webhookId}`, {
      token: h.companyAdmin.token,
    });
    // the calls of the live test above, completed by the same drain, went to it too
    expect(log.body.data.filter((d: { event_type: string }) => d.event_type === 'webhook.test')).toEqual([
      expect.objectContaining({
        event_type: 'webhook.test',
        call_id: null,
        status: 'succeeded',
        webhook_name: 'Test target',
        attempts: 1,
      }),
    ]);
    const listed = await ctx.request('GET', `/v2/webhook?ouId=${h.agency}&include_below=true`, {
      token: h.agencyAdmin.token,
    });
    expect(listed.body.data.map((w: { webhook_id: number }) => w.webhook_id)).toContain(webhookId);
    const own = await ctx.request('GET', `/v2/webhook?ouId=${h.agency}`, { token: h.agencyAdmin.token });
    expect(own.body.data.map((w: { webhook_id: number }) => w.webhook_id)).not.toContain(webhookId);
  });

  it('refuses a webhook outside the scope and a ReadOnly user', async () => {
    const reader = await ctx.factory.user(h.company, 3);
    const created = await ctx.request('POST', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: { org_unit_id: h.company, webhook_Name: 'Scoped', webhook_Endpoint: `${receiver.url}/s` },
    });
    const webhookId = created.body.data.insertId;
    expect(
      (
        await ctx.request('POST', '/v2/webhook/test', {
          token: h.locationAdmin.token,
          body: { webhook_id: webhookId },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await ctx.request('POST', '/v2/webhook/test', {
          token: reader.token,
          body: { webhook_id: webhookId },
        })
      ).status,
    ).toBe(403);
  });
});

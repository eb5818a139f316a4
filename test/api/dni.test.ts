import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import {
  createNumberFlow,
  createPoolFlow,
  dniCodeOf,
  type PageView,
  releaseNumber,
  requestNumber,
} from '../helpers/dni.js';

/**
 * Dynamic number insertion: the snippet, dni.js, the public number endpoint (matching, leasing,
 * CORS, rate limit), pool usage, and the attribution of calls to the visits holding the number.
 * Keep-alive 30 minutes (the settings' TTL), cooldown and grace 10 minutes (the defaults).
 */
const MINUTE = 60_000;
const KEEP = 30 * MINUTE;
const COOL = 10 * MINUTE;
const GRACE = 10 * MINUTE;
const BASE = 'https://switchboard.example.test';

let ctx: TestContext;
let admin: TestUser;
let visitorSeq = 0;

beforeAll(async () => {
  // Tokens outlive the weeks the tests move the clock through.
  ctx = await createTestContext({ PUBLIC_BASE_URL: BASE, ACCESS_TOKEN_TTL_SECONDS: String(365 * 24 * 3600) });
  admin = await ctx.factory.user(await ctx.factory.group());
});
afterAll(() => ctx.close());

/** A group of its own (a DNI code nobody else's flows answer to) with an admin. */
async function site(): Promise<{ admin: TestUser; code: string }> {
  const group = await ctx.factory.group();
  return { admin: await ctx.factory.user(group), code: await dniCodeOf(ctx, group) };
}

const newVisitor = () => `visitor-${String(++visitorSeq).padStart(6, '0')}`;

const view = (code: string, visitor: string, overrides: Partial<PageView> = {}): PageView => ({
  code,
  visitor,
  page: 'https://www.example.com/',
  referrer: '',
  ...overrides,
});

const numberFor = async (page: PageView) => {
  const { status, body } = await requestNumber(ctx.app, page);
  expect(status).toBe(200);
  return body;
};

describe('GET /v2/group/dnisnippet', () => {
  const snippet = (query: string, token = admin.token) =>
    ctx.request('GET', `/v2/group/dnisnippet${query}`, { token });

  it('answers a missing id with the swagger REQUIRED error', async () => {
    const { status, body } = await snippet('');
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      code: 'INVALID_REQUEST_PARAMETER',
      in: 'query',
      name: 'id',
      path: ['paths', '/group/dnisnippet', 'get', 'parameters', '0'],
    });
    expect(body.errors[0].errors[0].code).toBe('REQUIRED');
  });

  it('answers a blank id with "Id cannot be blank"', async () => {
    const { status, body } = await snippet('?id=');
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: 'Id cannot be blank', data: null });
  });

  it.each(['abc', '1.5', '12abc'])('answers id=%s as not a valid group id', async (id) => {
    const { status, body } = await snippet(`?id=${id}`);
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: `Not a valid group id: ${id}`, data: null });
  });

  it.each(['0', '-8', '99999999', '99999999999'])('answers id=%s as not authorized', async (id) => {
    const { status, body } = await snippet(`?id=${id}`);
    expect(status).toBe(404);
    expect(body).toEqual({
      result: 'error',
      err: `You are not authorized to view the requested dni snippet for group id: ${id}`,
      data: null,
    });
  });

  it('refuses a group outside the caller scope with the same message', async () => {
    const foreign = await ctx.factory.group();
    const { body } = await snippet(`?id=${foreign}`);
    expect(body.err).toBe(
      `You are not authorized to view the requested dni snippet for group id: ${foreign}`,
    );
  });

  it("returns the script tag loading dni.js from PUBLIC_BASE_URL with the group's DNI code, keyed by the id", async () => {
    const child = await ctx.factory.group(admin.group_id);
    const code = await dniCodeOf(ctx, child);
    const { status, body } = await snippet(`?id=${child}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: [
        {
          [String(child)]:
            `<!-- Convirza Script Begins --><script defer src='${BASE}/dni.js?app_id=CT' ></script>` +
            `<script type='text/javascript'>function dniLoadingTimer() { if (typeof(getDNIRecord) == 'function'){ getDNIRecord('${code}', 'switchboard.example.test'); }else{ setTimeout(dniLoadingTimer, 100); }}setTimeout(dniLoadingTimer, 100);</script><!-- Convirza Script Ends -->`,
        },
      ],
    });
  });

  it('requires a token', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/v2/group/dnisnippet?id=${admin.group_id}`,
    });
    expect(response.statusCode).toBe(401);
  });
});

describe('GET /dni.js', () => {
  it('serves the script as cacheable JavaScript and answers a matching ETag with 304', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/dni.js?app_id=CT' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    expect(response.body).toContain('window.getDNIRecord = function');
    expect(response.body.length).toBeLessThan(16_000);
    const again = await ctx.app.inject({
      method: 'GET',
      url: '/dni.js',
      headers: { 'if-none-match': String(response.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });
});

describe('POST /dni/v1/number: CORS and input', () => {
  it('answers the preflight for any origin', async () => {
    const response = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/dni/v1/number',
      headers: {
        origin: 'https://shop.example.org',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-methods']).toContain('POST');
    expect(response.headers['access-control-allow-headers']).toBe('content-type');
    expect(response.headers['access-control-max-age']).toBe('86400');
  });

  it('allows any origin on answers, errors included, and is never cached', async () => {
    const { code } = await site();
    const ok = await requestNumber(ctx.app, view(code, newVisitor()));
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    expect(ok.headers['cache-control']).toBe('no-store');
    const unknown = await requestNumber(ctx.app, view('no-such-code', newVisitor()));
    expect(unknown.status).toBe(404);
    expect(unknown.headers['access-control-allow-origin']).toBe('*');
  });

  it('takes application/json as well as text/plain', async () => {
    const { admin: owner, code } = await site();
    const flow = await createNumberFlow(ctx, owner, 'source');
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/dni/v1/number',
      headers: { 'content-type': 'application/json' },
      payload: view(code, newVisitor()),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().number).toBe(flow.number);
  });

  it.each([
    ['a malformed body', 'not json'],
    ['a bad visitor id', JSON.stringify({ code: 'x', visitor: 'bad id!', page: 'https://a.example/' })],
    ['a page that is not a URL', JSON.stringify({ code: 'x', visitor: 'abcdefgh1', page: 'nowhere' })],
    [
      'an unknown field',
      JSON.stringify({ code: 'x', visitor: 'abcdefgh1', page: 'https://a.example/', x: 1 }),
    ],
  ])('answers %s with 400 and changes nothing', async (_case, payload) => {
    const before = await ctx.db.query('select count(*)::int as n from dni_visit');
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/dni/v1/number',
      headers: { 'content-type': 'text/plain' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect((await ctx.db.query('select count(*)::int as n from dni_visit')).rows).toEqual(before.rows);
  });

  it('answers an unknown DNI code with 404', async () => {
    const { status } = await requestNumber(ctx.app, view('0123456789abcdef', newVisitor()));
    expect(status).toBe(404);
  });
});

describe('matching the DNI settings', () => {
  it('answers number null when no setting matches the page (the page keeps its number)', async () => {
    const { admin: owner, code } = await site();
    await createNumberFlow(ctx, owner, 'source', { destination_url: 'www.other.com' });
    expect(await numberFor(view(code, newVisitor()))).toEqual({ number: null });
  });

  it("serves a source-level setting with the flow's fixed number and its class", async () => {
    const { admin: owner, code } = await site();
    const flow = await createNumberFlow(ctx, owner, 'source', { dni_element: 'call_us' });
    const body = await numberFor(view(code, newVisitor()));
    expect(body).toEqual({
      number: flow.number,
      formatted: `(${flow.number.slice(0, 3)}) ${flow.number.slice(3, 6)}-${flow.number.slice(6)}`,
      e164: `+1${flow.number}`,
      dni_element: 'call_us',
      dni_type: 'source',
      call_flow_id: flow.callFlowId,
    });
  });

  it("serves a url-level setting with the flow's fixed number", async () => {
    const { admin: owner, code } = await site();
    const flow = await createNumberFlow(ctx, owner, 'url', { destination_url: 'www.example.com' });
    expect(await numberFor(view(code, newVisitor()))).toMatchObject({
      number: flow.number,
      dni_type: 'url',
      dni_element: 'lmc_track',
    });
  });

  it('prefers a specific referrer rule, then a specific host, then paid/organic over both', async () => {
    const { admin: owner, code } = await site();
    const anyAny = await createNumberFlow(ctx, owner, 'source');
    const hostOnly = await createNumberFlow(ctx, owner, 'source', { destination_url: 'www.example.com' });
    const google = await createNumberFlow(ctx, owner, 'source', { referrer: '*.google.*' });
    const googlePaid = await createNumberFlow(ctx, owner, 'source', {
      referrer: '*.google.*',
      referrer_type: 'paid',
    });
    const fromGoogle = 'https://www.google.com/search?q=plumber+irvine';
    expect((await numberFor(view(code, newVisitor(), { referrer: fromGoogle }))).number).toBe(google.number);
    const paid = view(code, newVisitor(), {
      referrer: fromGoogle,
      page: 'https://www.example.com/?gclid=abc',
    });
    expect((await numberFor(paid)).number).toBe(googlePaid.number);
    const bing = view(code, newVisitor(), { referrer: 'https://www.bing.com/' });
    expect((await numberFor(bing)).number).toBe(hostOnly.number);
    const elsewhere = view(code, newVisitor(), { page: 'https://shop.example.org/' });
    expect((await numberFor(elsewhere)).number).toBe(anyAny.number);
  });

  it('matches direct traffic (no referrer) only to an any-referrer rule', async () => {
    const { admin: owner, code } = await site();
    await createNumberFlow(ctx, owner, 'source', { referrer: '*.google.*' });
    expect(await numberFor(view(code, newVisitor()))).toEqual({ number: null });
    const any = await createNumberFlow(ctx, owner, 'source', { referrer: '*.*' });
    expect((await numberFor(view(code, newVisitor()))).number).toBe(any.number);
  });

  it("answers with the flows of the code's group and the groups below it, not the parent's", async () => {
    const parent = await site();
    const childGroup = await ctx.factory.group(parent.admin.group_id);
    const childAdmin = await ctx.factory.user(childGroup);
    const childFlow = await createNumberFlow(ctx, childAdmin, 'source');
    expect((await numberFor(view(parent.code, newVisitor()))).number).toBe(childFlow.number);
    const parentFlow = await createNumberFlow(ctx, parent.admin, 'source', {
      destination_url: 'only.example.net',
    });
    const childCode = await dniCodeOf(ctx, childGroup);
    const page = 'https://only.example.net/';
    expect((await numberFor(view(childCode, newVisitor(), { page }))).number).toBe(childFlow.number);
    expect((await numberFor(view(parent.code, newVisitor(), { page }))).number).toBe(parentFlow.number);
  });

  it('ignores the settings of inactive flows', async () => {
    const { admin: owner, code } = await site();
    const flow = await createNumberFlow(ctx, owner, 'source');
    await ctx.db.query(`update call_flow set call_flow_status = 'inactive' where call_flow_id = $1`, [
      flow.callFlowId,
    ]);
    expect(await numberFor(view(code, newVisitor()))).toEqual({ number: null });
  });
});

describe('leasing pool numbers', () => {
  it('keeps the same number for a visitor while it renews, and tells the script how often to', async () => {
    const { admin: owner, code } = await site();
    const pool = await createPoolFlow(ctx, owner, 3);
    const visitor = newVisitor();
    const first = await numberFor(view(code, visitor));
    expect(pool.numbers).toContain(first.number);
    expect(first).toMatchObject({ dni_type: 'session', shared: false, heartbeat_seconds: 60 });
    for (let i = 0; i < 3; i++) {
      ctx.clock.advance(KEEP - 1);
      const again = await numberFor(view(code, visitor, { page: 'https://www.example.com/contact' }));
      expect(again.number).toBe(first.number);
      expect(new Date(again.expires_at).getTime()).toBe(ctx.clock.now().getTime() + KEEP);
    }
    const visits = await ctx.db.query<{ n: number; last_page: string }>(
      `select count(*)::int as n, max(last_page) as last_page from dni_visit where visitor_id = $1`,
      [visitor],
    );
    expect(visits.rows[0]).toEqual({ n: 1, last_page: 'https://www.example.com/contact' });
  });

  it('gives new visitors different numbers, the least recently used free one first', async () => {
    const { admin: owner, code } = await site();
    const pool = await createPoolFlow(ctx, owner, 3);
    const [a, b, c] = [newVisitor(), newVisitor(), newVisitor()];
    const numbers = [
      (await numberFor(view(code, a))).number,
      (await numberFor(view(code, b))).number,
      (await numberFor(view(code, c))).number,
    ];
    expect(new Set(numbers).size).toBe(3);
    // a and c stay 10 more minutes; b leaves: b's number is the least recently used.
    ctx.clock.advance(10 * MINUTE);
    await numberFor(view(code, a));
    await numberFor(view(code, c));
    ctx.clock.advance(KEEP + COOL);
    expect(pool.numbers).toContain(numbers[1]);
    expect((await numberFor(view(code, newVisitor()))).number).toBe(numbers[1]);
    expect((await numberFor(view(code, newVisitor()))).number).toBe(numbers[0]);
  });

  it('lets a lease lapse keep_alive minutes after the last heartbeat; the visitor may resume it while nobody took it', async () => {
    const { admin: owner, code } = await site();
    await createPoolFlow(ctx, owner, 2);
    const visitor = newVisitor();
    const first = await numberFor(view(code, visitor));
    ctx.clock.advance(KEEP);
    const usage = await poolUsageOf(owner, first.call_flow_id);
    expect(usage).toMatchObject({ leased: 0, cooling: 1, live_visitors: 0 });
    ctx.clock.advance(5 * MINUTE);
    const back = await numberFor(view(code, visitor));
    expect(back.number).toBe(first.number);
    const visits = await ctx.db.query('select visit_id from dni_visit where visitor_id = $1', [visitor]);
    expect(visits.rows).toHaveLength(1);
  });

  it('starts a new visit when the visitor comes back after the number went to someone else', async () => {
    const { admin: owner, code } = await site();
    await createPoolFlow(ctx, owner, 1);
    const visitor = newVisitor();
    const first = await numberFor(view(code, visitor));
    ctx.clock.advance(KEEP + COOL);
    const other = await numberFor(view(code, newVisitor()));
    expect(other).toMatchObject({ number: first.number, shared: false });
    const back = await numberFor(view(code, visitor));
    expect(back).toMatchObject({ number: first.number, shared: true });
    const visits = await ctx.db.query('select visit_id from dni_visit where visitor_id = $1', [visitor]);
    expect(visits.rows).toHaveLength(2);
  });

  it('cools a released number down before another visitor gets it', async () => {
    const { admin: owner, code } = await site();
    const pool = await createPoolFlow(ctx, owner, 2);
    const [a, b] = [newVisitor(), newVisitor()];
    const numberA = (await numberFor(view(code, a))).number;
    ctx.clock.advance(MINUTE);
    const numberB = (await numberFor(view(code, b))).number;
    ctx.clock.advance(MINUTE);
    expect(await releaseNumber(ctx.app, { code, visitor: a, number: numberA })).toBe(204);
    expect(await poolUsageOf(owner, pool.callFlowId)).toMatchObject({ leased: 1, cooling: 1, free: 0 });
    // within the cooldown the pool has no free number: the cooled one is lent, flagged shared
    ctx.clock.advance(COOL - 1);
    const early = await numberFor(view(code, newVisitor()));
    expect(early).toMatchObject({ number: numberA, shared: true });
    expect(numberB).not.toBe(numberA);
  });

  it('hands a released number out again, unshared, once the cooldown has passed', async () => {
    const { admin: owner, code } = await site();
    await createPoolFlow(ctx, owner, 2);
    const [a, b] = [newVisitor(), newVisitor()];
    const numberA = (await numberFor(view(code, a))).number;
    await numberFor(view(code, b));
    ctx.clock.advance(MINUTE);
    await releaseNumber(ctx.app, { code, visitor: a, number: numberA });
    ctx.clock.advance(COOL);
    expect(await numberFor(view(code, newVisitor()))).toMatchObject({ number: numberA, shared: false });
  });

  it('gives a released number back to the same visitor at once (its next page)', async () => {
    const { admin: owner, code } = await site();
    await createPoolFlow(ctx, owner, 2);
    const visitor = newVisitor();
    const first = await numberFor(view(code, visitor));
    await releaseNumber(ctx.app, { code, visitor, number: first.number });
    const next = await numberFor(view(code, visitor, { page: 'https://www.example.com/next' }));
    expect(next).toMatchObject({ number: first.number, shared: false });
  });

  it('ignores the release of a page after another page of the visitor renewed the lease', async () => {
    const { admin: owner, code } = await site();
    const pool = await createPoolFlow(ctx, owner, 1);
    const visitor = newVisitor();
    const { number } = await numberFor(view(code, visitor, { view: 'page-view-one' }));
    await numberFor(view(code, visitor, { view: 'page-view-two', page: 'https://www.example.com/next' }));
    expect(await releaseNumber(ctx.app, { code, visitor, number, view: 'page-view-one' })).toBe(204);
    expect(await poolUsageOf(owner, pool.callFlowId)).toMatchObject({ leased: 1, live_visitors: 1 });
    expect(await releaseNumber(ctx.app, { code, visitor, number, view: 'page-view-two' })).toBe(204);
    expect(await poolUsageOf(owner, pool.callFlowId)).toMatchObject({
      leased: 0,
      cooling: 1,
      live_visitors: 0,
    });
  });

  it('reuses the least recently used lease when the pool is exhausted, flags both shared, and never fails', async () => {
    const { admin: owner, code } = await site();
    const pool = await createPoolFlow(ctx, owner, 2);
    const [a, b, c] = [newVisitor(), newVisitor(), newVisitor()];
    const numberA = (await numberFor(view(code, a))).number;
    ctx.clock.advance(MINUTE);
    const numberB = (await numberFor(view(code, b))).number;
    ctx.clock.advance(MINUTE);
    const numberC = await numberFor(view(code, c));
    expect(numberC).toMatchObject({ number: numberA, shared: true });
    // a keeps showing its number (no musical chairs); b was never shared
    expect(await numberFor(view(code, a))).toMatchObject({ number: numberA, shared: true });
    expect(await numberFor(view(code, b))).toMatchObject({ number: numberB, shared: false });
    for (let i = 0; i < 5; i++) {
      const { status, body } = await requestNumber(ctx.app, view(code, newVisitor()));
      expect(status).toBe(200);
      expect(pool.numbers).toContain(body.number);
    }
  });

  it('leases under a changed setting at once, though the process remembers pool matches', async () => {
    const { admin: owner, code } = await site();
    const pool = await createPoolFlow(ctx, owner, 2);
    expect(await numberFor(view(code, newVisitor()))).toMatchObject({ shared: false });
    // a new keep-alive applies to the very next visitor
    await ctx.db.query('update dni_setting set ttl_minutes = 45 where call_flow_id = $1', [pool.callFlowId]);
    const longer = await numberFor(view(code, newVisitor()));
    expect(new Date(longer.expires_at).getTime()).toBe(ctx.clock.now().getTime() + 45 * MINUTE);
    // a flow switched off stops answering, on the same code, host and referrer
    await ctx.db.query(`update call_flow set call_flow_status = 'inactive' where call_flow_id = $1`, [
      pool.callFlowId,
    ]);
    expect(await numberFor(view(code, newVisitor()))).toEqual({ number: null });
    const leases = await ctx.db.query<{ n: number }>(
      'select count(*)::int as n from dni_lease where pool_id = $1',
      [pool.poolId],
    );
    expect(leases.rows[0]?.n).toBe(2);
  });

  it('answers number null for a pool without numbers', async () => {
    const { admin: owner, code } = await site();
    const pool = await createPoolFlow(ctx, owner, 1);
    await ctx.db.query('update phone_number set pool_id = null where pool_id = $1', [pool.poolId]);
    expect(await numberFor(view(code, newVisitor()))).toEqual({ number: null });
  });
});

async function poolUsageOf(owner: TestUser, callFlowId: number) {
  const { rows } = await ctx.db.query<{ pool_id: number }>(
    'select pool_id from call_flow where call_flow_id = $1',
    [callFlowId],
  );
  const { status, body } = await ctx.request('GET', `/v2/numberpool/usage?id=${rows[0]?.pool_id}`, {
    token: owner.token,
  });
  expect(status).toBe(200);
  return body.data;
}

describe('GET /v2/numberpool/usage', () => {
  it('reports utilisation now, the peak demand of the week and a suggested size', async () => {
    const { admin: owner, code } = await site();
    const pool = await createPoolFlow(ctx, owner, 4);
    for (let i = 0; i < 3; i++) await numberFor(view(code, newVisitor()));
    const usage = await poolUsageOf(owner, pool.callFlowId);
    expect(usage).toEqual({
      pool_id: pool.poolId,
      pool_name: 'Website',
      group_id: owner.group_id,
      call_flow_id: pool.callFlowId,
      keep_alive_minutes: 30,
      size: 4,
      leased: 3,
      cooling: 0,
      free: 1,
      live_visitors: 3,
      utilisation: 0.75,
      window_days: 7,
      peak_demand: 3,
      shared_leases: 0,
      suggested_size: 4,
    });
    // two more visitors than numbers: demand 6 -> 8 numbers suggested
    for (let i = 0; i < 3; i++) await numberFor(view(code, newVisitor()));
    expect(await poolUsageOf(owner, pool.callFlowId)).toMatchObject({
      leased: 4,
      live_visitors: 6,
      utilisation: 1,
      peak_demand: 6,
      suggested_size: 8,
    });
    // after the week window the demand is forgotten
    ctx.clock.advance(8 * 24 * 60 * MINUTE);
    expect(await poolUsageOf(owner, pool.callFlowId)).toMatchObject({
      leased: 0,
      peak_demand: 0,
      suggested_size: 1,
    });
  });

  it('answers a pool outside the caller scope with 404', async () => {
    const { admin: owner } = await site();
    const pool = await createPoolFlow(ctx, owner, 1);
    const { status, body } = await ctx.request('GET', `/v2/numberpool/usage?id=${pool.poolId}`, {
      token: admin.token,
    });
    expect(status).toBe(404);
    expect(body).toEqual({ result: 'error', err: `No number pool found for id: ${pool.poolId}`, data: null });
  });
});

describe('attributing calls to visits', () => {
  const carrier = () => createCarrier(ctx.app, BASE);
  const attributionOf = async (to: string) => {
    const { rows } = await ctx.db.query<Record<string, unknown>>(
      `select a.* from call_attribution a join call c on c.call_id = a.call_id
        where c.tracking_number = $1 order by c.call_id desc limit 1`,
      [to],
    );
    return rows[0];
  };
  let caller = 0;
  const call = async (to: string) => {
    await carrier().call({ to, from: `714555${String(1000 + ++caller)}`, answer: 'none' });
    return attributionOf(to);
  };

  it('joins a call to the visit holding the number, with its landing page, referrer, search words, UTMs, gclid and custom params', async () => {
    const { admin: owner, code } = await site();
    await createPoolFlow(ctx, owner, 2, { custom_cookie: 'promo, region' });
    const visitor = newVisitor();
    const landing =
      'https://www.example.com/offer?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=plumber&utm_content=ad1&gclid=G123&promo=SAVE10';
    const page = await numberFor(
      view(code, visitor, {
        page: 'https://www.example.com/contact',
        landing,
        referrer: 'https://www.google.com/search?q=emergency+plumber',
        params: { region: 'west' },
      }),
    );
    ctx.clock.advance(5 * MINUTE);
    expect(await call(page.number)).toMatchObject({
      confidence: 'exact',
      visitor_id: visitor,
      landing_page: landing,
      referrer: 'https://www.google.com/search?q=emergency+plumber',
      search_words: 'emergency plumber',
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'spring',
      utm_term: 'plumber',
      utm_content: 'ad1',
      gclid: 'G123',
      custom_params: { promo: 'SAVE10', region: 'west' },
    });
  });

  it('is exact until the lease ends, grace from its end for the grace window, then no session', async () => {
    const { admin: owner, code } = await site();
    const visitor = newVisitor();
    await createPoolFlow(ctx, owner, 1);
    const { number } = await numberFor(view(code, visitor));
    const leasedAt = ctx.clock.now().getTime();
    const at = async (ms: number) => {
      ctx.clock.set(new Date(leasedAt + ms));
      return (await call(number))?.confidence;
    };
    expect(await at(0)).toBe('exact');
    expect(await at(KEEP - 1)).toBe('exact');
    expect(await at(KEEP)).toBe('grace');
    expect(await at(KEEP + GRACE - 1)).toBe('grace');
    expect(await at(KEEP + GRACE)).toBe('no session');
  });

  it('is no session for a call before any visitor held the number', async () => {
    const { admin: owner } = await site();
    const pool = await createPoolFlow(ctx, owner, 1);
    expect(await call(pool.numbers[0] as string)).toMatchObject({
      confidence: 'no session',
      visitor_id: null,
      visit_id: null,
      custom_params: {},
    });
  });

  it('is shared when the pool lent the number to two visitors, and names the newest', async () => {
    const { admin: owner, code } = await site();
    await createPoolFlow(ctx, owner, 1);
    const [a, b] = [newVisitor(), newVisitor()];
    const { number } = await numberFor(view(code, a));
    ctx.clock.advance(MINUTE);
    await numberFor(view(code, b));
    expect(await call(number)).toMatchObject({ confidence: 'shared', visitor_id: b });
  });

  it('is grace after a release (page left) within the grace window', async () => {
    const { admin: owner, code } = await site();
    await createPoolFlow(ctx, owner, 1);
    const visitor = newVisitor();
    const { number } = await numberFor(view(code, visitor));
    ctx.clock.advance(MINUTE);
    await releaseNumber(ctx.app, { code, visitor, number });
    ctx.clock.advance(GRACE - 1);
    expect(await call(number)).toMatchObject({ confidence: 'grace', visitor_id: visitor });
  });

  it('writes nothing for a call to a tracking number that is not a pool number', async () => {
    const { admin: owner, code } = await site();
    const flow = await createNumberFlow(ctx, owner, 'source');
    await numberFor(view(code, newVisitor()));
    expect(await call(flow.number)).toBeUndefined();
    const { rows } = await ctx.db.query('select count(*)::int as n from call where tracking_number = $1', [
      flow.number,
    ]);
    expect(rows[0]).toEqual({ n: 1 });
  });
});

describe('rate limit', () => {
  let limited: TestContext;
  beforeAll(async () => {
    limited = await createTestContext({ DNI_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => limited.close());

  it('limits number requests per client IP, with the CORS header on the 429', async () => {
    const body = view('unknown-code', 'visitor-rl-1');
    for (let i = 0; i < 3; i++)
      expect((await requestNumber(limited.app, body, '198.51.100.1')).status).toBe(404);
    const refused = await requestNumber(limited.app, body, '198.51.100.1');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    expect((await requestNumber(limited.app, body, '198.51.100.2')).status).toBe(404);
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext } from '../helpers/app.js';
import { insertCalls, uploadCall } from '../helpers/calls.js';
import { freshNumbers } from '../helpers/dni.js';
import { startTwilioMessagesApi, type TwilioMessagesApi } from '../helpers/twilio-messages.js';

/**
 * Plan limits on more actions: Upload Call past the plan's minutes for the month is refused (and
 * stores nothing), and Get Subscription lists the meters at or past their limit.
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let dataDir: string;
let twilioApi: TwilioMessagesApi;
const ACCOUNT_SID = `AC${'3'.repeat(32)}`;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-limits-'));
  twilioApi = await startTwilioMessagesApi({ accountSid: ACCOUNT_SID, authToken: TEST_CARRIER_TOKEN });
  ctx = await createTestContext({
    DATA_DIR: dataDir,
    JOBS_POLL_INTERVAL_MS: '0',
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  });
  h = await ctx.factory.hierarchy();
  // 2 inbound minutes of the company in March
  await insertCalls(ctx, [{ group_id: h.company, started_at: '2026-03-02T15:00:00Z', duration: 61 }]);
  const plan = await ctx.request('PUT', '/v2/misc/subscription', {
    token: h.agencyAdmin.token,
    body: {
      group_id: h.company,
      plan_name: 'Starter',
      max_inbound_minutes: 3,
      max_outbound_minutes: 1,
      max_texts: 2,
    },
  });
  expect(plan.status).toBe(200);
});

afterAll(async () => {
  await ctx?.close();
  await twilioApi?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const subscription = async (token: string, query = '') =>
  (await ctx.request('GET', `/v2/misc/subscription${query}`, { token })).body.data;

const upload = (token: string, fields: Record<string, string>) =>
  uploadCall(ctx, token, {
    tracking_number: '8015550100',
    caller_id: '4805550199',
    call_date: '2026-03-06 09:30:00',
    timezone: 'UTC',
    ...fields,
  });

const recordings = async () => {
  try {
    return (await readdir(path.join(dataDir, 'recordings'), { recursive: true })).filter((f) =>
      f.endsWith('.mp3'),
    );
  } catch {
    return [];
  }
};

const callCount = async (groupId: number) =>
  Number(
    (
      await ctx.db.query<{ n: number }>('select count(*)::integer as n from call where group_id = $1', [
        groupId,
      ])
    ).rows[0]?.n,
  );

describe('the minutes limit on Upload Call', () => {
  it('takes a call up to the limit and lists the meter as over its limit', async () => {
    expect((await subscription(h.companyAdmin.token)).over_limit).toEqual([]);
    const { status } = await upload(h.locationAdmin.token, { duration: '30' });
    expect(status).toBe(200);
    const plan = await subscription(h.companyAdmin.token);
    expect(plan.usage.inbound_minutes).toBe(3);
    expect(plan.over_limit).toEqual(['inbound_minutes']);
    // the agency above the plan has no limits
    expect((await subscription(h.agencyAdmin.token)).over_limit).toEqual([]);
  });

  it('refuses a call past the limit with a V2 error and stores nothing', async () => {
    const files = await recordings();
    const calls = await callCount(h.location);
    const { status, body } = await upload(h.locationAdmin.token, { duration: '1' });
    expect(status).toBe(403);
    expect(body).toEqual({
      result: 'error',
      err: 'Plan limit reached: the plan Starter allows 3 inbound minutes',
      data: null,
    });
    expect(await callCount(h.location)).toBe(calls);
    expect(await recordings()).toEqual(files);
    expect((await subscription(h.companyAdmin.token)).usage.inbound_minutes).toBe(3);
  });

  it('counts the month the call started in, and outbound minutes against their own limit', async () => {
    const april = await upload(h.locationAdmin.token, { duration: '120', call_date: '2026-04-02 10:00:00' });
    expect(april.status).toBe(200);
    const outbound = await upload(h.locationAdmin.token, { duration: '61', is_outbound: 'true' });
    expect(outbound.status).toBe(403);
    expect(outbound.body.err).toBe('Plan limit reached: the plan Starter allows 1 outbound minutes');
    const short = await upload(h.locationAdmin.token, { duration: '59', is_outbound: 'true' });
    expect(short.status).toBe(200);
    expect((await subscription(h.companyAdmin.token)).over_limit).toEqual([
      'inbound_minutes',
      'outbound_minutes',
    ]);
    expect((await subscription(h.companyAdmin.token, '?period=2026-04')).over_limit).toEqual([]);
  });

  it('never limits a group the plan does not cover', async () => {
    const { status } = await upload(h.agencyAdmin.token, { duration: '600', group_id: String(h.agency) });
    expect(status).toBe(200);
  });
});

describe('the texts limit on Send SMS', () => {
  it('refuses a text past the limit, counting texts not yet handed to the carrier', async () => {
    const [tracking] = (await freshNumbers(ctx, 1)).numbers as [string];
    const flow = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: h.companyAdmin.token,
      body: [
        {
          call_flow_name: 'Texts',
          group_id: h.location,
          campaign_id: await ctx.factory.campaign(h.companyAdmin, h.location),
          channel_id: 1,
          number: { phone_number: tracking },
          sms_enabled: true,
          ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
        },
      ],
    });
    expect(flow.body[0]?.result).toBe('success');
    const send = (to: string) =>
      ctx.request('POST', '/v2/sms/send', {
        token: h.locationAdmin.token,
        body: { tracking_number: tracking, to_number: to, message: 'Hello' },
      });
    // two accepted, not yet sent: both count
    expect((await send('2125550101')).status).toBe(200);
    expect((await send('2125550102')).status).toBe(200);
    const messages = async () =>
      Number(
        (await ctx.db.query<{ n: number }>('select count(*)::integer as n from sms_message')).rows[0]?.n,
      );
    const before = await messages();
    const refused = await send('2125550103');
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      result: 'error',
      err: 'Plan limit reached: the plan Starter allows 2 texts',
      data: null,
    });
    expect(await messages()).toBe(before);
    // once sent they are the meter's, and still the limit's
    await ctx.app.services.jobs.drain();
    const plan = await subscription(h.companyAdmin.token);
    expect(plan.usage.texts).toBe(2);
    expect(plan.over_limit).toContain('texts');
    expect((await send('2125550104')).status).toBe(403);
  });
});

describe('the texts limit on broadcasts', () => {
  it('sends to recipients up to the limit and skips the rest with the reason', async () => {
    const other = await ctx.factory.hierarchy();
    const plan = await ctx.request('PUT', '/v2/misc/subscription', {
      token: other.agencyAdmin.token,
      body: { group_id: other.company, plan_name: 'Tiny', max_texts: 1 },
    });
    expect(plan.status).toBe(200);
    const admin = other.companyAdmin;
    const [sender] = (await freshNumbers(ctx, 1)).numbers as [string];
    const flow = await ctx.request('POST', '/v2/callflow/multilevelivr', {
      token: admin.token,
      body: [
        {
          call_flow_name: 'Broadcast',
          group_id: admin.group_id,
          campaign_id: await ctx.factory.campaign(admin),
          channel_id: 1,
          number: { phone_number: sender },
          ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
        },
      ],
    });
    expect(flow.body[0]?.result).toBe('success');
    const list = await ctx.request('POST', '/v2/smsbroadcast/contactlist', {
      token: admin.token,
      body: { group_id: admin.group_id, list_name: 'List' },
    });
    const listId = list.body.data.list_id as number;
    const imported = await ctx.request('POST', '/v2/smsbroadcast/contactlist/import', {
      token: admin.token,
      body: { list_id: listId, csv: 'phone_number\n2125550301\n2125550302' },
    });
    expect(imported.body.data.errors).toEqual([]);
    ctx.clock.set(new Date('2026-03-07T15:00:00Z'));
    const broadcast = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Sale',
        template: 'Sale today',
        list_ids: [listId],
        sender_numbers: [sender],
      },
    });
    expect(broadcast.status).toBe(200);
    await ctx.app.services.jobs.drain();
    const sent = twilioApi.messages.filter((m) => m.from === `+1${sender}`).map((m) => m.to);
    expect(sent).toEqual(['+12125550301']);
    const { rows } = await ctx.db.query<{ phone_number: string; status: string; skip_reason: string | null }>(
      `select phone_number, status, skip_reason from sms_broadcast_recipient
        where broadcast_id = $1 order by phone_number`,
      [broadcast.body.data.broadcast_id],
    );
    expect(rows).toEqual([
      { phone_number: '+12125550301', status: 'queued', skip_reason: null },
      {
        phone_number: '+12125550302',
        status: 'skipped',
        skip_reason: 'Plan limit reached: the plan Tiny allows 1 texts',
      },
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherAppOn, createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';
import { type Receiver, startReceiver, verifySignature } from '../helpers/receiver.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

/**
 * Usage alerts: a plan's meter at 80 % and at 100 % of its limit is e-mailed once per month and
 * threshold to the Admins of the client and of the agency above it, received by a real local SMTP
 * server, however often the hourly check runs and in however many processes; and sent, once each,
 * as the `usage.alert` webhook event to the webhooks of the client and the agency that ask for it.
 */
let ctx: TestContext;
let smtp: TestSmtpServer;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let receiver: Receiver;
/** the agency's webhook that asks for usage.alert, and its signing secret */
let agencyHook: { id: number; secret: string };

beforeAll(async () => {
  smtp = await startSmtpServer();
  receiver = await startReceiver();
  ctx = await createTestContext({
    SMTP_URL: smtp.url,
    JOBS_POLL_INTERVAL_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: String(90 * 24 * 3600),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  });
  ctx.clock.set(new Date('2026-03-10T12:00:00Z'));
  h = await ctx.factory.hierarchy();
  const set = await ctx.request('PUT', '/v2/misc/subscription', {
    token: h.agencyAdmin.token,
    body: { group_id: h.company, plan_name: 'Starter', max_inbound_minutes: 10 },
  });
  expect(set.status).toBe(200);
  const webhook = async (token: string, group: number, path: string, events?: string[]) => {
    const { status, body } = await ctx.request('POST', '/v2/webhook', {
      token,
      body: {
        org_unit_id: group,
        webhook_Name: path,
        webhook_Endpoint: `${receiver.url}/${path}`,
        ...(events ? { events } : {}),
      },
    });
    expect([path, status]).toEqual([path, 200]);
    return { id: body.data.insertId as number, secret: body.data.signing_secret as string };
  };
  // the agency asks for usage alerts; the client only for calls; the location (below the plan) asks too
  agencyHook = await webhook(h.agencyAdmin.token, h.agency, 'agency', ['call.completed', 'usage.alert']);
  await webhook(h.companyAdmin.token, h.company, 'company');
  await webhook(h.locationAdmin.token, h.location, 'location', ['usage.alert']);
}, 300_000);

afterAll(async () => {
  await ctx?.close();
  await smtp?.close();
  await receiver?.close();
});

const drain = () => ctx.app.services.jobs.drain();
const alertMails = () => smtp.received.filter((m) => (m.headers.subject ?? '').startsWith('Usage alert:'));
const bodyOf = (mail: { parts: { text: string }[] } | undefined) =>
  (mail?.parts ?? []).map((part) => part.text).join('\n');
const alertEvents = () =>
  receiver.requests
    .filter((request) => request.headers['x-switchboard-event'] === 'usage.alert')
    .map((request) => ({ path: request.url, event: JSON.parse(request.body), request }));
const nextHour = () => ctx.clock.set(new Date(ctx.clock.now().getTime() + 3_600_000));

describe('usage alerts', { timeout: 120_000 }, () => {
  it('sends nothing under 80 %, then one e-mail at 80 %, however often the check runs', async () => {
    await insertCalls(ctx, [
      { group_id: h.company, started_at: '2026-03-02T15:00:00Z', duration: 240 }, // 4 minutes
      { group_id: h.location, started_at: '2026-03-03T15:00:00Z', duration: 121 }, // 3, the subtree's
    ]);
    await ctx.app.services.usageAlerts.check();
    await drain();
    expect(alertMails()).toEqual([]);

    await insertCalls(ctx, [{ group_id: h.location, started_at: '2026-03-04T15:00:00Z', duration: 61 }]); // 9
    nextHour();
    await drain(); // the hourly check
    await ctx.app.services.usageAlerts.check();
    await drain();
    nextHour();
    await drain();
    const mails = alertMails();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.headers.subject).toMatch(
      /^Usage alert: Company .+ is at 80 % of its limit of inbound minutes$/,
    );
    // the client's Admins and the agency's, not the location's
    expect([...(mails[0]?.to ?? [])].sort()).toEqual([h.agencyAdmin.email, h.companyAdmin.email].sort());
    expect(bodyOf(mails[0])).toContain('Used: 9 of 10 inbound minutes');

    // and the webhook event, to the agency's webhook only (the client's asks for calls; the location is below the plan)
    const events = alertEvents();
    expect(events.map((e) => e.path)).toEqual(['/agency']);
    expect(events[0]?.event).toMatchObject({
      event: 'usage.alert',
      webhook_id: agencyHook.id,
      data: {
        group_id: h.company,
        plan_name: 'Starter',
        period: '2026-03',
        meter: 'inbound_minutes',
        threshold: 80,
        used: 9,
        limit: 10,
      },
    });
    expect(events[0]?.event.data.group_name).toMatch(/^Company /);
    const request = events[0]?.request;
    expect(
      verifySignature(
        agencyHook.secret,
        request?.headers['x-switchboard-signature'] as string,
        request?.body ?? '',
      ),
    ).toBe(true);
  });

  it('sends the 100 % alert exactly once when two processes check at the same time', async () => {
    await insertCalls(ctx, [{ group_id: h.company, started_at: '2026-03-05T15:00:00Z', duration: 60 }]); // 10
    const second = await anotherAppOn(ctx, {
      SMTP_URL: smtp.url,
      JOBS_POLL_INTERVAL_MS: '0',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    });
    try {
      await Promise.all([
        ctx.app.services.usageAlerts.check(),
        second.app.services.usageAlerts.check(),
        ctx.app.services.usageAlerts.check(),
      ]);
      await Promise.all([drain(), second.app.services.jobs.drain()]);
    } finally {
      await second.close();
    }
    const mails = alertMails();
    expect(mails).toHaveLength(2);
    expect(mails[1]?.headers.subject).toMatch(/reached its limit of inbound minutes$/);
    const { rows } = await ctx.db.query<{ threshold: number; sent: boolean }>(
      `select threshold, alert_sent is not null as sent from usage_alert where group_id = $1 order by threshold`,
      [h.company],
    );
    expect(rows).toEqual([
      { threshold: 80, sent: true },
      { threshold: 100, sent: true },
    ]);
    // one event per threshold, whichever process fanned it out; a job the second process had
    // claimed when it stopped runs here once its lease has passed
    nextHour();
    await drain();
    expect(alertEvents().map((e) => [e.path, e.event.data.threshold])).toEqual([
      ['/agency', 80],
      ['/agency', 100],
    ]);
  });

  it('alerts again in the next month, once', async () => {
    ctx.clock.set(new Date('2026-04-20T12:00:00Z'));
    await insertCalls(ctx, [{ group_id: h.company, started_at: '2026-04-02T15:00:00Z', duration: 480 }]); // 8
    await ctx.app.services.usageAlerts.check();
    await ctx.app.services.usageAlerts.check();
    await drain();
    const mails = alertMails();
    expect(mails).toHaveLength(3);
    expect(bodyOf(mails[2])).toContain('in 2026-04');
    expect(alertEvents().map((e) => [e.event.data.period, e.event.data.threshold])).toEqual([
      ['2026-03', 80],
      ['2026-03', 100],
      ['2026-04', 80],
    ]);
  });
});

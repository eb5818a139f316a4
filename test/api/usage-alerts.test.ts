import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherAppOn, createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

/**
 * Usage alerts: a plan's meter at 80 % and at 100 % of its limit is e-mailed once per month and
 * threshold to the Admins of the client and of the agency above it, received by a real local SMTP
 * server, however often the hourly check runs and in however many processes.
 */
let ctx: TestContext;
let smtp: TestSmtpServer;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({
    SMTP_URL: smtp.url,
    JOBS_POLL_INTERVAL_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: String(90 * 24 * 3600),
  });
  ctx.clock.set(new Date('2026-03-10T12:00:00Z'));
  h = await ctx.factory.hierarchy();
  const set = await ctx.request('PUT', '/v2/misc/subscription', {
    token: h.agencyAdmin.token,
    body: { group_id: h.company, plan_name: 'Starter', max_inbound_minutes: 10 },
  });
  expect(set.status).toBe(200);
}, 300_000);

afterAll(async () => {
  await ctx?.close();
  await smtp?.close();
});

const drain = () => ctx.app.services.jobs.drain();
const alertMails = () => smtp.received.filter((m) => (m.headers.subject ?? '').startsWith('Usage alert:'));
const bodyOf = (mail: { parts: { text: string }[] } | undefined) =>
  (mail?.parts ?? []).map((part) => part.text).join('\n');
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
  });

  it('sends the 100 % alert exactly once when two processes check at the same time', async () => {
    await insertCalls(ctx, [{ group_id: h.company, started_at: '2026-03-05T15:00:00Z', duration: 60 }]); // 10
    const second = await anotherAppOn(ctx, { SMTP_URL: smtp.url, JOBS_POLL_INTERVAL_MS: '0' });
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
  });
});

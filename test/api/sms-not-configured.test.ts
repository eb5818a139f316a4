import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { freshNumbers } from '../helpers/dni.js';
import { createTelnyx, telnyxKeyPair } from '../helpers/other-carriers.js';
import { telnyxEvent } from '../helpers/telnyx-messages.js';

/**
 * A server that takes Telnyx's messaging webhooks (TELNYX_PUBLIC_KEY) but has no key for its
 * Messaging API (TELNYX_API_KEY unset): texts still come in and opt-outs still count, but
 * nothing can go out. Send SMS says so at once, and STOP's confirmation, queued by the inbound
 * text, fails with the reason instead of being retried and left `sending`: no request ever left,
 * so failing it cannot lose a text the carrier has.
 */
const keys = telnyxKeyPair();

let ctx: TestContext;
let telnyx: ReturnType<typeof createTelnyx>;
let admin: TestUser;
let tracking: string;

const text = (from: string, body: string) =>
  telnyx.signedJson(
    `${telnyx.base}/sms`,
    JSON.stringify(telnyxEvent('message.received', { from, to: `+1${tracking}`, text: body })),
  );
const outboundTo = async (to: string) =>
  (
    await ctx.db.query<{ status: string; error_message: string | null; purpose: string }>(
      `select status, error_message, purpose from sms_message
        where direction = 'outbound' and to_number like '%' || $1 order by message_id`,
      [to],
    )
  ).rows;

beforeAll(async () => {
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    TELNYX_PUBLIC_KEY: keys.publicKey,
  });
  telnyx = createTelnyx(ctx.app, keys.privateKey, ctx.clock);
  admin = (await ctx.factory.hierarchy()).companyAdmin;
  [tracking] = (await freshNumbers(ctx, 1)).numbers as [string];
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: 'Telnyx texts, no API key',
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: tracking },
        sms_enabled: true,
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  // the number's first text comes through Telnyx: that is where its texts are
  expect((await text('+17185550100', 'Hello')).status).toBe(204);
}, 180_000);
afterAll(async () => {
  await ctx?.close();
});

describe('Telnyx texts without TELNYX_API_KEY', () => {
  it('refuses Send SMS from a Telnyx number with a V2 error naming the setting, and stores nothing', async () => {
    const before = await outboundTo('7185550100');
    const { status, body } = await ctx.request('POST', '/v2/sms/send', {
      token: admin.token,
      body: { tracking_number: tracking, to_number: '7185550100', message: 'Hi' },
    });
    expect(status).toBe(400);
    expect(body.err).toBe('SMS sending through telnyx is not configured on this server (TELNYX_API_KEY)');
    expect(await outboundTo('7185550100')).toEqual(before);
  });

  it('opts out on STOP and fails the confirmation with the reason, not retried or left sending', async () => {
    expect((await text('+17185550101', 'STOP')).status).toBe(204);
    await ctx.app.services.jobs.drain();
    expect(await outboundTo('7185550101')).toEqual([
      { status: 'failed', error_message: 'SMS is not configured (TELNYX_API_KEY)', purpose: 'keyword_reply' },
    ]);
    const { rows } = await ctx.db.query<{ n: number }>(
      `select count(*)::int as n from sms_opt_out where opted_out and contact_number like '%7185550101'`,
    );
    expect(rows[0]?.n).toBe(1);
    // nothing is waiting to try again
    ctx.clock.advance(24 * 3600_000);
    await ctx.app.services.jobs.drain();
    expect((await outboundTo('7185550101')).map((m) => m.status)).toEqual(['failed']);
  });
});

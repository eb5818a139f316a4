import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCELED_BEFORE_SEND, segmentsOf } from '../../src/modules/smsbroadcast/broadcasts.js';
import { createTestContext, TEST_CARRIER_TOKEN, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { freshNumbers } from '../helpers/dni.js';
import {
  startTwilioMessagesApi,
  type TwilioMessagesApi,
  testMessageSid,
} from '../helpers/twilio-messages.js';

/**
 * Broadcasts end to end against a local server speaking Twilio's Messages API: merge fields,
 * lists merged, opted-out people skipped, quiet hours in each recipient's zone, the per-number
 * rate, cancel.
 */
const ACCOUNT_SID = `AC${'3'.repeat(32)}`;
let ctx: TestContext;
let twilioApi: TwilioMessagesApi;
let admin: TestUser;
let numbers: string[];

const flowOn = async (number: string) => {
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `Broadcast ${number}`,
        group_id: admin.group_id,
        campaign_id: await ctx.factory.campaign(admin),
        channel_id: 1,
        number: { phone_number: number },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
};

const listWith = async (csv: string) => {
  const { body } = await ctx.request('POST', '/v2/smsbroadcast/contactlist', {
    token: admin.token,
    body: { group_id: admin.group_id, list_name: 'List' },
  });
  const id = body.data.list_id as number;
  const imported = await ctx.request('POST', '/v2/smsbroadcast/contactlist/import', {
    token: admin.token,
    body: { list_id: id, csv },
  });
  expect(imported.body.data.errors).toEqual([]);
  return id;
};

const bodiesTo = (to: string) => twilioApi.messages.filter((m) => m.to === to).map((m) => m.body);
const fromSender = (sender: string) => twilioApi.messages.filter((m) => m.from === `+1${sender}`);

beforeAll(async () => {
  twilioApi = await startTwilioMessagesApi({ accountSid: ACCOUNT_SID, authToken: TEST_CARRIER_TOKEN });
  ctx = await createTestContext({
    JOBS_POLL_INTERVAL_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: String(365 * 24 * 3600),
    TWILIO_API_BASE_URL: twilioApi.baseUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  });
  admin = (await ctx.factory.hierarchy()).companyAdmin;
  numbers = (await freshNumbers(ctx, 7)).numbers;
  for (const number of numbers) await flowOn(number);
});
afterAll(async () => {
  await ctx.close();
  await twilioApi.close();
});

describe('broadcasts', () => {
  it('sends each contact of the lists one text with its merge fields, skips opt-outs, and waits out quiet hours in their zone', async () => {
    const [first, second] = numbers as [string, string];
    // 15:00Z: 08:00 in Denver, 10:00 in New York, 07:00 in Los Angeles (quiet until 08:00)
    ctx.clock.set(new Date('2026-03-07T15:00:00Z'));
    await createCarrier(ctx.app).send('sms', {
      MessageSid: testMessageSid(),
      AccountSid: ACCOUNT_SID,
      From: '+12125550204',
      To: `+1${first}`,
      Body: 'STOP',
    });
    const customers = await listWith(
      'phone_number,first_name,time_zone,store\n8015550201,Ann,America/Denver,Main St\n2125550202,Bob,,Broadway\n2125550204,Opted,,x',
    );
    const vips = await listWith('phone_number,first_name\n3105550203,Cy\n+1 801 555 0201,Annie');
    const { status, body } = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Spring sale',
        template: 'Hi {first_name}, {store} is open!',
        list_ids: [customers, vips],
        sender_numbers: [first, second],
      },
    });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      status: 'scheduled',
      recipients: 4,
      pending: 4,
      segments: 1,
      encoding: 'GSM-7',
    });
    const id = body.data.broadcast_id;

    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+18015550201')).toEqual(['Hi Ann, Main St is open!']);
    expect(bodiesTo('+12125550202')).toEqual(['Hi Bob, Broadway is open!']);
    expect(bodiesTo('+12125550204')).toEqual([]);
    expect(bodiesTo('+13105550203')).toEqual([]);
    const progress = await ctx.request('GET', `/v2/smsbroadcast?id=${id}`, { token: admin.token });
    expect(progress.body.data).toMatchObject({
      pending: 1,
      queued: 2,
      skipped: 1,
      sent: 2,
      status: 'scheduled',
    });

    // 08:00 in Los Angeles
    ctx.clock.set(new Date('2026-03-07T16:00:00Z'));
    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+13105550203')).toEqual(['Hi Cy,  is open!']);
    const done = await ctx.request('GET', `/v2/smsbroadcast?id=${id}`, { token: admin.token });
    expect(done.body.data).toMatchObject({ status: 'done', pending: 0, queued: 3, skipped: 1 });
    // a later run (a restart) sends nobody a second text
    ctx.clock.advance(3600_000);
    await ctx.app.services.jobs.drain();
    expect(twilioApi.messages.filter((m) => m.to === '+18015550201')).toHaveLength(1);
  });

  it('never sends from one number faster than the group’s messages_per_second', async () => {
    const sender = numbers[2] as string;
    ctx.clock.set(new Date('2026-03-09T17:00:00Z'));
    await ctx.request('PUT', '/v2/sms/settings', {
      token: admin.token,
      body: { group_id: admin.group_id, messages_per_second: 2 },
    });
    const list = await listWith(
      `phone_number\n${Array.from({ length: 5 }, (_, i) => `80155503${String(i).padStart(2, '0')}`).join('\n')}`,
    );
    await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Rate',
        template: 'Hello',
        list_ids: [list],
        sender_numbers: [sender],
      },
    });
    const sentAt: number[] = [];
    for (let step = 0; step < 6; step += 1) {
      await ctx.app.services.jobs.drain();
      sentAt.push(fromSender(sender).length);
      ctx.clock.advance(500);
    }
    // 2 per second: one every 500 ms
    expect(sentAt).toEqual([1, 2, 3, 4, 5, 5]);
    const { rows } = await ctx.db.query<{ slot: Date }>(
      `select send_slot_at as slot from sms_message where from_number = $1 and purpose = 'broadcast' order by send_slot_at`,
      [sender],
    );
    const gaps = rows
      .slice(1)
      .map((row, i) => row.slot.getTime() - (rows[i] as { slot: Date }).slot.getTime());
    expect(gaps.every((gap) => gap >= 500)).toBe(true);
  });

  it('sends nothing of a canceled broadcast, and refuses lists and senders outside the group', async () => {
    const sender = numbers[3] as string;
    ctx.clock.set(new Date('2026-03-10T17:00:00Z'));
    const list = await listWith('phone_number\n8015550401');
    const { body } = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Later',
        template: 'Tomorrow',
        list_ids: [list],
        sender_numbers: [sender],
        send_at: '2026-03-11T17:00:00Z',
      },
    });
    const canceled = await ctx.request('PUT', '/v2/smsbroadcast/status', {
      token: admin.token,
      body: { broadcast_id: body.data.broadcast_id, action: 'cancel' },
    });
    expect(canceled.body.data).toMatchObject({ status: 'canceled', pending: 0, skipped: 1 });
    ctx.clock.set(new Date('2026-03-11T18:00:00Z'));
    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+18015550401')).toEqual([]);

    const badList = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'x',
        template: 'x',
        list_ids: [999999],
        sender_numbers: [sender],
      },
    });
    expect(badList.body).toEqual({
      result: 'error',
      err: 'list_ids 999999: no such contact list in the group',
      data: null,
    });
    const badSender = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'x',
        template: 'x',
        list_ids: [list],
        sender_numbers: ['2025550000'],
      },
    });
    expect(badSender.status).toBe(400);
  });
});

describe('sending a broadcast', () => {
  const broadcastFrom = async (senders: string[], csv: string, messagesPerSecond: number) => {
    await ctx.request('PUT', '/v2/sms/settings', {
      token: admin.token,
      body: { group_id: admin.group_id, messages_per_second: messagesPerSecond },
    });
    const { body } = await ctx.request('POST', '/v2/smsbroadcast', {
      token: admin.token,
      body: {
        group_id: admin.group_id,
        broadcast_name: 'Batches',
        template: 'Hello',
        list_ids: [await listWith(csv)],
        sender_numbers: senders,
      },
    });
    return body.data.broadcast_id as number;
  };
  const textsTo = async (contacts: string[]) =>
    (
      await ctx.db.query<{ to_number: string; status: string; error_message: string | null }>(
        `select to_number, status, error_message from sms_message
          where purpose = 'broadcast' and to_number = any($1::text[]) order by to_number`,
        [contacts],
      )
    ).rows;
  const sendJobsOf = async (contacts: string[]) =>
    (
      await ctx.db.query<{ attempts: number; done: boolean }>(
        `select j.attempts, j.done_at is not null as done
           from sms_message m join job j on j.dedupe_key = 'sms.send:' || m.message_id
          where m.purpose = 'broadcast' and m.to_number = any($1::text[]) order by m.to_number`,
        [contacts],
      )
    ).rows;
  const setStatus = (broadcastId: number, action: 'pause' | 'resume' | 'cancel') =>
    ctx.request('PUT', '/v2/smsbroadcast/status', {
      token: admin.token,
      body: { broadcast_id: broadcastId, action },
    });

  it('hands the texts over a batch at a time, one per sender number whose slot has come, with no send job run per text', async () => {
    const senders = [numbers[4], numbers[5]] as string[];
    ctx.clock.set(new Date('2026-03-12T17:00:00Z'));
    const contacts = ['8015550501', '8015550502', '8015550503', '8015550504'];
    await broadcastFrom(senders, `phone_number\n${contacts.join('\n')}`, 10);
    await ctx.app.services.jobs.drain();
    // one text from each number now; each number's next slot is 100 ms later
    expect(senders.map((sender) => fromSender(sender).length)).toEqual([1, 1]);
    ctx.clock.advance(100);
    await ctx.app.services.jobs.drain();
    expect(senders.map((sender) => fromSender(sender).length)).toEqual([2, 2]);
    expect((await textsTo(contacts)).map((text) => text.status)).toEqual([
      'queued',
      'queued',
      'queued',
      'queued',
    ]);
    // no send job per text: each batch's one take-over job (the net under a crash) was marked
    // done by the batch's record, never run
    expect(await sendJobsOf(contacts)).toEqual([]);
    const { rows: takeOvers } = await ctx.db.query<{ texts: number; attempts: number; done: boolean }>(
      `select jsonb_array_length(j.payload->'messageIds') as texts, j.attempts, j.done_at is not null as done
         from job j where j.kind = 'sms.broadcast.takeover'
          and exists (select 1 from sms_message m where m.to_number = any($1::text[])
                       and j.payload->'messageIds' @> to_jsonb(m.message_id))
        order by j.job_id`,
      [contacts],
    );
    expect(takeOvers).toEqual(Array(2).fill({ texts: 2, attempts: 0, done: true }));
  });

  it('leaves a text the carrier could not take (503) to its own send job, which sends it once', async () => {
    const sender = numbers[6] as string;
    ctx.clock.set(new Date('2026-03-13T17:00:00Z'));
    twilioApi.faults.unavailable = 1;
    await broadcastFrom([sender], 'phone_number\n8015550601', 10);
    await ctx.app.services.jobs.drain();
    expect(fromSender(sender)).toHaveLength(0);
    expect((await textsTo(['8015550601'])).map((text) => text.status)).toEqual(['sending']);
    ctx.clock.advance(2_000);
    await ctx.app.services.jobs.drain();
    expect(bodiesTo('+18015550601')).toEqual(['Hello']);
    expect((await textsTo(['8015550601'])).map((text) => text.status)).toEqual(['queued']);
  });

  it('sends nothing more while paused, the rest after resume, and fails the texts still waiting for their slot on cancel', async () => {
    const sender = numbers[6] as string;
    ctx.clock.set(new Date('2026-03-14T17:00:00Z'));
    const paused = await broadcastFrom([sender], 'phone_number\n8015550701\n8015550702', 1);
    await ctx.app.services.jobs.drain();
    expect(fromSender(sender).filter((m) => m.to.startsWith('+1801555070'))).toHaveLength(1);
    await setStatus(paused, 'pause');
    ctx.clock.advance(5_000);
    await ctx.app.services.jobs.drain();
    expect(fromSender(sender).filter((m) => m.to.startsWith('+1801555070'))).toHaveLength(1);
    await setStatus(paused, 'resume');
    await ctx.app.services.jobs.drain();
    expect(fromSender(sender).filter((m) => m.to.startsWith('+1801555070'))).toHaveLength(2);

    const canceled = await broadcastFrom([sender], 'phone_number\n8015550801\n8015550802\n8015550803', 1);
    ctx.clock.advance(1_000);
    await ctx.app.services.jobs.drain();
    expect(fromSender(sender).filter((m) => m.to.startsWith('+1801555080'))).toHaveLength(1);
    expect((await setStatus(canceled, 'cancel')).body.data.status).toBe('canceled');
    ctx.clock.advance(10_000);
    await ctx.app.services.jobs.drain();
    expect(fromSender(sender).filter((m) => m.to.startsWith('+1801555080'))).toHaveLength(1);
    const texts = await textsTo(['8015550801', '8015550802', '8015550803']);
    expect(texts.filter((text) => text.status === 'failed')).toEqual([
      expect.objectContaining({ error_message: CANCELED_BEFORE_SEND }),
      expect.objectContaining({ error_message: CANCELED_BEFORE_SEND }),
    ]);
  });
});

describe('segmentsOf', () => {
  it('counts GSM-7 texts in 160/153 septets and UCS-2 texts in 70/67 units', () => {
    expect(segmentsOf('a'.repeat(160))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(segmentsOf('a'.repeat(161))).toEqual({ segments: 2, encoding: 'GSM-7' });
    expect(segmentsOf('€'.repeat(80))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(segmentsOf('€'.repeat(81))).toEqual({ segments: 2, encoding: 'GSM-7' });
    expect(segmentsOf('ü'.repeat(160))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(segmentsOf(`${'a'.repeat(69)}😀`)).toEqual({ segments: 2, encoding: 'UCS-2' });
    expect(segmentsOf('ç'.repeat(70))).toEqual({ segments: 1, encoding: 'UCS-2' });
    expect(segmentsOf('ç'.repeat(71))).toEqual({ segments: 2, encoding: 'UCS-2' });
  });
});

import { call } from './lib/api.js';
import { cpuPerItem } from './lib/load.js';
import { fixtureNumber } from './lib/seed-flow.js';
import { cpuMeter, trackPeakRss } from './lib/server.js';
import {
  ADMIN_USER,
  type Baselines,
  type BenchContext,
  COMPANY_GROUP,
  createFlows,
  fixtureNumbers,
  idsOf,
  type Row,
  ratioOf,
} from './scenarios.js';

/**
 * 1c. An SMS broadcast from 50 sender numbers to one contact list, through the real V2 API, to
 * the local server speaking Twilio's Messages API (test/helpers/twilio-messages.ts) that the
 * server was started against. Timed from the create request to the last recipient's first
 * message at the fake carrier.
 */
const SENDERS = 50;
/**
 * The group's messages_per_second (PUT /v2/sms/settings). At 10/s, 50 numbers could hand over
 * 500/s only with no time lost at all; 20/s leaves the ceiling at 1,000/s, so the row measures
 * the pipeline while the throttle still binds each number.
 */
const PER_NUMBER_RATE = 20;
/** the area code of the sender numbers: a block no other scenario uses */
const SENDER_NPA = '646';
/**
 * The i-th recipient: distinct for i below 640,000, in eight area codes (their own time zones),
 * on exchanges 230-237 (no N11 exchange, which a phone-number check would refuse).
 */
const recipientNumber = (i: number) => {
  const npa = ['212', '312', '415', '617', '713', '801', '949', '303'][i % 8];
  const rest = Math.floor(i / 8);
  return `+1${npa}${230 + Math.floor(rest / 10_000)}${String(rest % 10_000).padStart(4, '0')}`;
};
const GOAL_PER_S = 500;
const TEMPLATE = 'Hi {first_name}, our spring sale starts today at {store}. Reply STOP to opt out.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The most arrivals of one number within any window of `windowMs` (times sorted ascending). */
function busiestWindow(times: readonly number[], windowMs = 1000): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The shortest time between two consecutive arrivals of one number (times sorted ascending). */
const shortestGap = (times: readonly number[]) =>
  times.slice(1).reduce((gap, t, i) => Math.min(gap, t - (times[i] as number)), Number.POSITIVE_INFINITY);

export async function broadcastScenario(
  ctx: BenchContext,
  token: string,
  baselines: Baselines,
): Promise<Row[]> {
  const { base, engine, carrier } = ctx;
  if (!carrier) throw new Error('the broadcast scenario needs the fake carrier (run.ts starts it)');
  const total = ctx.settings.broadcastContacts;
  ctx.log(`1c. SMS broadcast: ${total.toLocaleString('en-US')} contacts from ${SENDERS} numbers (seeding)`);

  const [groupId] = idsOf(
    await call(base, 'POST', '/v2/group', {
      token,
      body: [{ group_name: 'Bench broadcast', group_parent_id: COMPANY_GROUP }],
    }),
  ) as [number];
  const [campaignId] = idsOf(
    await call(base, 'POST', '/v2/campaign', {
      token,
      body: [
        {
          campaign_name: 'Spring sale',
          campaign_start_date: '2026-01-01T00:00:00Z',
          campaign_owner_user_id: ADMIN_USER,
          group_id: groupId,
        },
      ],
    }),
  ) as [number];
  await fixtureNumbers(base, SENDER_NPA, 0, SENDERS);
  const senders = Array.from({ length: SENDERS }, (_, i) => fixtureNumber(SENDER_NPA, i));
  await createFlows(
    base,
    token,
    senders.map((number) => ({
      call_flow_name: `Broadcast sender ${number}`,
      group_id: groupId,
      campaign_id: campaignId,
      channel_id: 7,
      number: { phone_number: Number(number) },
      ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
    })),
  );
  // the per-number rate, and quiet hours off (a window that starts where it ends is empty), so
  // the hour the bench runs at does not hold any recipient back
  await call(base, 'PUT', '/v2/sms/settings', {
    token,
    body: {
      group_id: groupId,
      messages_per_second: PER_NUMBER_RATE,
      quiet_start: '00:00',
      quiet_end: '00:00',
    },
  });
  const list = await call<{ data: { list_id: number } }>(base, 'POST', '/v2/smsbroadcast/contactlist', {
    token,
    body: { group_id: groupId, list_name: 'Bench customers' },
  });
  const listId = list.data.list_id;
  const recipients = Array.from({ length: total }, (_, i) => recipientNumber(i));
  const csv = [
    'phone_number,first_name,store',
    ...recipients.map((number, i) => `${number},Customer${i},Store ${i % 40}`),
  ].join('\n');
  const imported = await call<{ data: { added: number; errors: unknown[] } }>(
    base,
    'POST',
    '/v2/smsbroadcast/contactlist/import',
    { token, body: { list_id: listId, csv } },
  );
  if (imported.data.added !== total || imported.data.errors.length > 0)
    throw new Error(`contacts not imported: ${JSON.stringify(imported.data).slice(0, 500)}`);

  // The floor in the same conditions: a route that writes one row per request, 64 at once.
  const insert = await baselines.insert();

  const senderSet = new Set(senders.map((number) => `+1${number}`));
  const recipientSet = new Set(recipients);
  /** arrival times (ms) per sender number, and hand-overs per recipient */
  const arrivals = new Map<string, number[]>();
  const perRecipient = new Map<string, number>();
  let seen = carrier.creates.length;
  let lastFirst = 0;
  let lastArrival = 0;
  const collect = () => {
    for (; seen < carrier.creates.length; seen++) {
      const { form, at } = carrier.creates[seen] as { form: URLSearchParams; at: Date };
      const from = form.get('From') ?? '';
      const to = form.get('To') ?? '';
      if (!senderSet.has(from) || !recipientSet.has(to)) continue;
      const ms = at.getTime();
      lastArrival = ms;
      const times = arrivals.get(from) ?? [];
      times.push(ms);
      arrivals.set(from, times);
      const before = perRecipient.get(to) ?? 0;
      perRecipient.set(to, before + 1);
      if (before === 0) lastFirst = ms;
    }
  };

  const ideal = total / (PER_NUMBER_RATE * SENDERS);
  const waitLimitMs = Math.max(300_000, ideal * 10_000);
  ctx.log(`1c. SMS broadcast: created and sent (timed; ideal ${ideal.toFixed(1)} s at the per-number rate)`);
  const rss = trackPeakRss(ctx.pid);
  const cpu = cpuMeter(ctx.pid);
  const ownCpu = process.cpuUsage();
  const started = Date.now();
  const created = await call<{ data: { broadcast_id: number; recipients: number } }>(
    base,
    'POST',
    '/v2/smsbroadcast',
    {
      token,
      body: {
        group_id: groupId,
        broadcast_name: 'Bench broadcast',
        template: TEMPLATE,
        list_ids: [listId],
        sender_numbers: senders,
      },
    },
  );
  const createdMs = Date.now() - started;
  if (created.data.recipients !== total)
    throw new Error(`the broadcast has ${created.data.recipients} recipients, not ${total}`);
  // until every recipient has a message, or nothing arrived for 60 s, or the wait is up
  for (;;) {
    collect();
    const now = Date.now();
    if (perRecipient.size >= total) break;
    if (now - started > waitLimitMs) break;
    if (now - Math.max(lastArrival, started + createdMs) > 60_000) break;
    await sleep(20);
  }
  await sleep(1000); // late duplicates, if any
  collect();
  const peakRssMiB = rss.stop();
  const cpuUse = cpu.stop();
  const own = process.cpuUsage(ownCpu);
  const progress = await call<{ data: { status: string; sent: number; failed: number; pending: number } }>(
    base,
    'GET',
    `/v2/smsbroadcast?id=${created.data.broadcast_id}`,
    { token },
  );

  const handedOver = perRecipient.size;
  const lost = total - handedOver;
  const duplicates = [...perRecipient.values()].reduce((sum, n) => sum + n - 1, 0);
  const seconds = ((lastFirst || Date.now()) - started) / 1000;
  const rate = handedOver / seconds;
  let busiest = 0;
  let busiestNumber = '';
  let gap = Number.POSITIVE_INFINITY;
  for (const [number, times] of arrivals) {
    times.sort((a, b) => a - b);
    const most = busiestWindow(times);
    if (most > busiest) {
      busiest = most;
      busiestNumber = number;
    }
    gap = Math.min(gap, shortestGap(times));
  }
  const exceeded = busiest > PER_NUMBER_RATE;
  if (exceeded) {
    ctx.log(
      `1c. SMS broadcast: FAILED: ${busiestNumber} handed ${busiest} messages to the carrier within one second; the group allows ${PER_NUMBER_RATE}/s`,
    );
    process.exitCode = 1;
  }
  const met = rate >= GOAL_PER_S && !exceeded && lost === 0 && duplicates === 0;
  return [
    {
      scenario: `1c. SMS broadcast, ${SENDERS} sender numbers (${total.toLocaleString('en-US')} contacts)`,
      engine,
      unit: 'msgs',
      result: {
        requestsPerS: rate,
        itemsPerS: rate,
        p50Ms: Number.NaN,
        p99Ms: Number.NaN,
        requests: handedOver + duplicates,
        errors: lost + duplicates + (exceeded ? 1 : 0),
        durationS: seconds,
        peakRssMiB,
        connections: SENDERS,
        cpuMsPerItem: cpuPerItem(cpuUse, handedOver),
      },
      baseline: { name: 'one INSERT', result: insert },
      ratio: ratioOf(rate, insert.itemsPerS),
      goal: `>= ${GOAL_PER_S} msgs/s, <= ${PER_NUMBER_RATE}/s per number, each once`,
      met,
      note: [
        `${handedOver}/${total} recipients handed to the carrier, ${lost} not by the end of the wait, ${duplicates} duplicates`,
        `per-number rate ${PER_NUMBER_RATE}/s (group setting messages_per_second via PUT /v2/sms/settings; quiet hours off)`,
        `busiest number: ${busiest} messages in one second${exceeded ? ' (RATE EXCEEDED)' : ''}, shortest gap between two of a number's messages ${Number.isFinite(gap) ? `${gap} ms` : '-'}`,
        `the create request took ${(createdMs / 1000).toFixed(2)} s; broadcast ${progress.data.status}, ${progress.data.sent} sent, ${progress.data.failed} failed, ${progress.data.pending} pending`,
        `the bench process (fake carrier) used ${((own.user + own.system) / 1000 / Math.max(1, handedOver)).toFixed(2)} ms of CPU per message on the same cores`,
      ].join('; '),
    },
  ];
}

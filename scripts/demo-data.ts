import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { createPgliteDb } from '../src/db/pglite.js';
import { createManualClock } from '../src/lib/clock.js';
import { seedDemo } from '../src/seed.js';
import { simulateCall } from '../src/telephony/simulator.js';
import { conversationWav } from '../test/helpers/audio.js';

/**
 * A demo account with a month of calls, for the console's screenshots: the real app in this
 * process on an embedded database, its clock moved through the month while the carrier simulator
 * places calls through the signed webhooks (menus, rings, answers, voicemails, recordings copied
 * from a local "carrier"), webhooks delivered to local receivers, tags, comments and website
 * visits added through the API.
 */

export const DEMO_PASSWORD = 'demo-password';
export const CLIENT = { client_id: 'switchboard', client_secret: 'demo-client-secret' };
export const CARRIER_TOKEN = 'demo-carrier-token';

export interface DemoServer {
  app: App;
  db: Db;
  clock: ReturnType<typeof createManualClock>;
  baseUrl: string;
  adminEmail: string;
  groups: { agency: number; company: number; location: number };
  close(): Promise<void>;
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/**
 * What the demo's calls say: a local server answering Deepgram's pre-recorded API (channel 0 the
 * caller, 1 the agent) with these conversations in turn, so transcripts, indicator scores and
 * transcript search have something real to show.
 */
const CONVERSATIONS: readonly (readonly [channel: 0 | 1, start: number, text: string])[][] = [
  [
    [1, 0.4, 'Thanks for calling Acme Plumbing and Roofing, this is Dana. How can I help you today?'],
    [0, 3.6, "Hi Dana, I'm looking for a quote on a new roof. How much would a full replacement cost?"],
    [1, 7.9, 'Happy to help. We do free estimates. Can someone come out and take a look this week?'],
    [0, 11.2, 'Sure, Tuesday morning works for me.'],
    [1, 13.4, "Great, you're all set for Tuesday at 9 am. You'll get a text to confirm the appointment."],
    [0, 17.1, 'Perfect, thank you so much.'],
  ],
  [
    [1, 0.5, 'Acme Plumbing, this is Luis speaking.'],
    [0, 2.4, 'Do you offer drain cleaning? And how much is it for a kitchen sink?'],
    [1, 6.8, "We're fully booked this week, sorry. Call back later next week."],
    [0, 10.1, 'Okay, I will try somewhere else then.'],
  ],
  [
    [1, 0.4, 'Acme Plumbing, how can I help?'],
    [0, 2.2, "I'd like to go ahead with the tankless water heater from the estimate."],
    [1, 5.9, 'Wonderful. I can take the payment now if you like.'],
    [0, 8.3, 'Sure, my credit card number is 4111 1111 1111 1111.'],
    [1, 12.7, 'Thank you, your order number is 5521 and the receipt is on its way.'],
  ],
  [
    [1, 0.4, 'Thanks for calling Acme, this is Dana.'],
    [0, 2.1, 'I want to speak to a manager. The repair last week was terrible and I want a refund.'],
    [1, 7.4, "I'm sorry to hear that. Let me get my supervisor for you right away."],
  ],
  [
    [
      0,
      0.6,
      'Hello, this is a courtesy call about your Google business listing. Press one to speak with a specialist.',
    ],
  ],
  [
    [1, 0.5, 'Acme Plumbing and Roofing, this is Dana.'],
    [0, 2.8, 'Hi, my water heater is leaking. Are you available to come out today?'],
    [1, 6.6, "We can. I've scheduled a technician for this afternoon between 2 and 4."],
    [0, 10.4, "That's great, thanks. See you this afternoon."],
  ],
];

async function startDemoTranscriber() {
  let turn = 0;
  return listen((request, response) => {
    request.resume();
    request.on('end', () => {
      const conversation = CONVERSATIONS[turn++ % CONVERSATIONS.length] ?? [];
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          results: {
            channels: [{ detected_language: 'en' }, { detected_language: 'en' }],
            utterances: conversation.map(([channel, start, transcript]) => ({
              channel,
              start,
              end: start + transcript.split(' ').length * 0.3,
              transcript,
            })),
          },
        }),
      );
    });
  });
}

export async function startDemoServer(
  port: number,
  now = new Date(),
  env: Record<string, string> = {},
): Promise<DemoServer> {
  const transcriber = await startDemoTranscriber();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-demo-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const db = await createPgliteDb();
  await migrate(db);
  const seed = await seedDemo(db, {
    adminEmail: 'admin@example.com',
    adminPassword: DEMO_PASSWORD,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
  });
  const groups = seed.groups as DemoServer['groups'];
  await db.query(
    `update org_group set city = 'Irvine', state = 'CA', zip = '92618' where group_id = any($1)`,
    [[groups.agency, groups.company, groups.location]],
  );
  const clock = createManualClock(now);
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_BASE_URL: baseUrl,
    DATA_DIR: dataDir,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    JOBS_POLL_INTERVAL_MS: '0',
    OAUTH_RATE_LIMIT_PER_MINUTE: '1000',
    LOG_LEVEL: 'silent',
    TRANSCRIPTION_PROVIDER: 'deepgram',
    TRANSCRIPTION_URL: transcriber.url,
    TRANSCRIPTION_API_KEY: 'demo',
    ...env,
  });
  const app = await buildApp({ config, db, clock, twilioAuthToken: CARRIER_TOKEN });
  await app.listen({ host: '127.0.0.1', port });
  return {
    app,
    db,
    clock,
    baseUrl,
    adminEmail: seed.adminEmail,
    groups,
    async close() {
      await app.close();
      await db.close();
      await new Promise((resolve) => transcriber.server.close(resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A tiny deterministic random source, so every run draws the same month. */
function randomSource(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

const FLOWS = [
  {
    name: 'Main line · Google Ads',
    number: '9495550100',
    campaign: 'Google Ads · Spring promo',
    channel: 4,
    weight: 5,
    ivr: true,
  },
  {
    name: 'Facebook lead ads',
    number: '9495550101',
    campaign: 'Facebook lead ads',
    channel: 9,
    weight: 3,
    ivr: false,
  },
  {
    name: 'Yelp profile',
    number: '9495550102',
    campaign: 'Yelp profile',
    channel: 25,
    weight: 2,
    ivr: false,
  },
  {
    name: 'Direct mail · Valpak',
    number: '9495550103',
    campaign: 'Direct mail · Valpak',
    channel: 29,
    weight: 1,
    ivr: false,
  },
] as const;

const VISITS = [
  {
    utm_source: 'google',
    utm_medium: 'cpc',
    utm_campaign: 'spring-promo',
    landing: '/spring-tune-up',
    referrer: 'https://www.google.com/',
    words: 'ac tune up irvine',
  },
  {
    utm_source: 'google',
    utm_medium: 'cpc',
    utm_campaign: 'emergency',
    landing: '/emergency-plumber',
    referrer: 'https://www.google.com/',
    words: 'emergency plumber near me',
  },
  {
    utm_source: 'bing',
    utm_medium: 'cpc',
    utm_campaign: 'spring-promo',
    landing: '/spring-tune-up',
    referrer: 'https://www.bing.com/',
    words: 'water heater repair',
  },
  {
    utm_source: 'newsletter',
    utm_medium: 'email',
    utm_campaign: 'april',
    landing: '/offers',
    referrer: null,
    words: null,
  },
  {
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    landing: '/',
    referrer: 'https://www.yelp.com/',
    words: null,
  },
] as const;

const TAGS = ['lead', 'appointment booked', 'existing customer', 'quote sent', 'wrong number'];
const COMMENTS = [
  'Wants a quote for a tankless water heater. Call back after 4 pm.',
  'Booked for Thursday morning, technician: Luis.',
  'Asked about financing options.',
];

export interface DemoCalls {
  /** an answered, recorded call with tags, comments and a website visit: the call page's screenshot */
  featuredCallId: number;
  webhookId: number;
  calls: number;
}

/**
 * A month of calls ending at `now`: weekdays busier than weekends, business hours in the group's
 * zone (Pacific), callers who call again, most calls answered, some voicemails and missed calls.
 */
export async function populateDemo(demo: DemoServer, now = new Date(), days = 30): Promise<DemoCalls> {
  const random = randomSource(20_260_307);
  const { access_token: token } = await demo.app.services.auth.passwordGrant({
    username: demo.adminEmail,
    password: DEMO_PASSWORD,
    ...CLIENT,
  });
  const request = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) => {
    const response = await demo.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    const parsed = response.json();
    if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.body}`);
    return parsed;
  };
  const recordings = await listen((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'audio/wav' })
      .end(conversationWav(18 + Math.round(random.next() * 10)));
  });
  const crm = await listen((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
  });
  const warehouse = await listen((_request, response) => {
    response.writeHead(503, { 'content-type': 'text/plain' }).end('warehouse is down for maintenance');
  });

  const { company } = demo.groups;
  const webhook = await request('POST', '/v2/webhook', {
    org_unit_id: company,
    webhook_Name: 'CRM push (HubSpot)',
    webhook_Endpoint: `${crm.url}/hooks/switchboard`,
    events: ['call.completed'],
  });
  await request('POST', '/v2/webhook', {
    org_unit_id: company,
    webhook_Name: 'Data warehouse',
    webhook_Endpoint: `${warehouse.url}/ingest`,
    events: ['call.completed'],
    webhook_status: 'inactive',
  });

  const start = new Date(now.getTime() - days * 86_400_000);
  demo.clock.set(start);
  const flows: { number: string; weight: number; ivr: boolean }[] = [];
  for (const flow of FLOWS) {
    const [campaign] = await request('POST', '/v2/campaign', [
      {
        campaign_name: flow.campaign,
        campaign_start_date: start.toISOString(),
        campaign_owner_user_id: 1,
        group_id: company,
      },
    ]);
    const common = {
      call_flow_name: flow.name,
      group_id: company,
      campaign_id: Number(campaign.data),
      channel_id: flow.channel,
      repeat_interval: 72,
      call_value: flow.ivr ? 60 : 40,
      number: { phone_number: Number(flow.number) },
    };
    if (flow.ivr)
      await request('POST', '/v2/callflow/multilevelivr', [
        {
          ...common,
          message:
            'Thanks for calling Acme Plumbing. For new service press 1. Existing customers press 2. Billing press 3.',
          ivrs: [
            {
              key: 1,
              action: 'simple',
              destination: 'Sales',
              target_did: 8015550110,
              record_enabled: true,
              voicemail_enabled: true,
            },
            {
              key: 2,
              action: 'interactiveVoice',
              destination: 'Service',
              message: 'For repairs press 1. For maintenance press 2.',
              ivrData: [
                {
                  key: 1,
                  action: 'simple',
                  destination: 'Repairs',
                  target_did: 8015550120,
                  record_enabled: true,
                  voicemail_enabled: true,
                  go_back_key: 9,
                },
                {
                  key: 2,
                  action: 'simple',
                  destination: 'Maintenance',
                  target_did: 8015550121,
                  record_enabled: true,
                },
              ],
            },
            {
              key: 3,
              action: 'voicemail',
              destination: 'Billing',
              message: 'Please leave a message for billing.',
            },
          ],
        },
      ]);
    else
      await request('POST', '/v2/callflow', [
        {
          ...common,
          routable_type: 'simple',
          default_ringto: '8015550130',
          voicemail_enabled: true,
          voicemail_rings: 4,
        },
      ]);
    flows.push({ number: flow.number, weight: flow.weight, ivr: flow.ivr });
  }

  const weighted = flows.flatMap((flow) => Array.from({ length: flow.weight }, () => flow));
  const callers = Array.from(
    { length: 90 },
    (_, i) => `${random.pick(['949', '714', '562', '657', '310'])}555${String(1000 + i * 37).slice(-4)}`,
  );
  const transport = async (url: string, params: Record<string, string>, signature: string) =>
    (await carrierWebhook(demo, url, params, signature)).body;
  let placed = 0;
  for (let day = days - 1; day >= 0; day -= 1) {
    const date = new Date(now.getTime() - day * 86_400_000);
    const weekday = new Date(date.getTime() - 8 * 3_600_000).getUTCDay();
    const count =
      weekday === 0 || weekday === 6 ? 3 + Math.floor(random.next() * 4) : 9 + Math.floor(random.next() * 9);
    // 7 am to 7 pm Pacific (UTC-8), in order
    const minutes = Array.from({ length: count }, () => 15 * 60 + Math.floor(random.next() * 720)).sort(
      (a, b) => a - b,
    );
    for (const minute of minutes) {
      const at = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 0, minute));
      if (at > now) continue;
      demo.clock.set(at);
      const flow = random.pick(weighted);
      const press = flow.ivr ? random.pick([['1'], ['1'], ['2', '1'], ['2', '2'], ['3'], ['']]) : [];
      const answer = random.chance(0.72) ? 'first' : 'none';
      await simulateCall(
        { to: flow.number, from: random.pick(callers), press, answer, recordingBaseUrl: recordings.url },
        {
          voiceUrl: `${demo.baseUrl}/telephony/twilio/voice`,
          statusUrl: `${demo.baseUrl}/telephony/twilio/status`,
          authToken: CARRIER_TOKEN,
          transport,
        },
      );
      placed += 1;
    }
    await demo.app.services.jobs.drain();
  }
  demo.clock.set(now);
  await giveCallsLengths(demo.db, random.next);

  // website visits for the pool-less demo: the attribution a DNI lease would have written
  const { rows: webCalls } = await demo.db.query<{ call_id: number; started_at: Date }>(
    `select call_id::integer as call_id, started_at from call where tracking_number = any($1) order by call_id`,
    [[FLOWS[0].number, FLOWS[1].number]],
  );
  for (const call of webCalls.filter(() => random.chance(0.7))) {
    const visit = random.pick(VISITS);
    await demo.db.query(
      `insert into call_attribution (call_id, confidence, visitor_id, landing_page, referrer, search_words, utm_source,
                                     utm_medium, utm_campaign, gclid, attributed_at)
       values ($1, 'exact', $10, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        call.call_id,
        `https://www.acmeplumbing.example${visit.landing}${visit.utm_source ? `?utm_source=${visit.utm_source}` : ''}`,
        visit.referrer,
        visit.words,
        visit.utm_source,
        visit.utm_medium,
        visit.utm_campaign,
        visit.utm_source === 'google' ? `Cj0KCQ${call.call_id}` : null,
        call.started_at,
        `v${(call.call_id * 2_654_435_761).toString(16)}`,
      ],
    );
  }

  const { rows: answered } = await demo.db.query<{ call_id: number }>(
    `select c.call_id::integer as call_id from call c join call_attribution a on a.call_id = c.call_id
      where c.disposition = 'ANSWERED' and c.recording_path is not null order by c.started_at desc`,
  );
  for (const [index, { call_id }] of answered.slice(0, 60).entries()) {
    await request('POST', '/v2/call/tag', {
      call_id,
      tag_name: [TAGS[index % TAGS.length], ...(index % 3 === 0 ? ['lead'] : [])],
    });
    if (index % 4 === 0)
      await request('POST', '/v2/call/comment', [{ call_id, comment: [COMMENTS[index % COMMENTS.length]] }]);
  }
  await demo.app.services.jobs.drain();
  // the featured call is the newest answered one where a roof quote was booked
  const { rows: quoted } = await demo.db.query<{ call_id: number }>(
    `select t.call_id::integer as call_id from call_transcript t
      where t.call_id = any($1::bigint[]) and t.transcript like '%new roof%'`,
    [answered.map((row) => row.call_id)],
  );
  const featured =
    answered.find((row) => quoted.some((q) => q.call_id === row.call_id))?.call_id ??
    answered[0]?.call_id ??
    1;
  const scorecard = await request('POST', '/v2/scorecard', {
    scorecard_name: 'Inbound sales call',
    sections: [
      {
        section_name: 'Opening',
        criteria: [
          { key: 'greeting', label: 'Greeted with the company and their name', type: 'yes_no', weight: 1 },
          { key: 'tone', label: 'Friendly, confident tone', type: 'scale', weight: 1 },
        ],
      },
      {
        section_name: 'Discovery',
        criteria: [
          { key: 'need', label: 'Asked what the caller needs', type: 'yes_no', weight: 1 },
          { key: 'estimate', label: 'Offered a free estimate', type: 'yes_no', weight: 1 },
        ],
      },
      {
        section_name: 'Close',
        criteria: [
          { key: 'booked', label: 'Set an appointment', type: 'yes_no', weight: 2, indicator_id: 2 },
          { key: 'next_steps', label: 'Explained the next steps', type: 'points', weight: 1, max_points: 5 },
        ],
      },
    ],
  });
  await request('POST', '/v2/scorecard', {
    scorecard_name: 'Customer service',
    sections: [
      {
        section_name: 'Handling',
        criteria: [
          { key: 'empathy', label: 'Acknowledged the problem', type: 'yes_no', weight: 1 },
          { key: 'resolved', label: 'Resolved or escalated', type: 'yes_no', weight: 2 },
        ],
      },
    ],
  });
  await request('POST', '/v2/scorecard/call', {
    call_id: featured,
    scorecard_id: scorecard.data.scorecard_id,
    call_title: 'Roof replacement quote, booked Tuesday 9 am',
    answers: { greeting: true, tone: 4, need: true, estimate: true, next_steps: 4 },
  });
  await request('POST', '/v2/call/tag', { call_id: featured, tag_name: ['lead', 'appointment booked'] });
  await request('POST', '/v2/call/comment', [{ call_id: featured, comment: [COMMENTS[1]] }]);
  await request('POST', '/v2/webhook/test', { webhook_id: webhook.data.insertId });
  await demo.app.services.jobs.drain();

  await Promise.all(
    [recordings, crm, warehouse].map(({ server }) => new Promise((resolve) => server.close(resolve))),
  );
  return { featuredCallId: featured, webhookId: webhook.data.insertId, calls: placed };
}

/**
 * The simulator answers at once and hangs up at once; real calls ring a while and talk for
 * minutes. Each ended call is given a ring time and a length, as a month of real calls has.
 */
async function giveCallsLengths(db: Db, next: () => number): Promise<void> {
  const { rows } = await db.query<{ call_id: number; disposition: string }>(
    `select call_id::integer as call_id, disposition from call where ended_at is not null`,
  );
  for (const call of rows) {
    const ring = 4 + Math.round(next() * 20);
    const talk =
      call.disposition === 'ANSWERED'
        ? 45 + Math.round(next() ** 2 * 540)
        : call.disposition === 'VOICEMAIL'
          ? 20 + Math.round(next() * 50)
          : 0;
    await db.query(
      `update call set answered_at = case when answered_at is null then null else started_at + make_interval(secs => $2) end,
                       ended_at = started_at + make_interval(secs => $2 + $3),
                       duration_seconds = $2 + $3
        where call_id = $1`,
      [call.call_id, ring, talk],
    );
  }
}

/** A carrier webhook into the demo app, in process: the form body with its Twilio signature. */
export function carrierWebhook(
  demo: DemoServer,
  url: string,
  params: Record<string, string>,
  signature: string,
) {
  return demo.app.inject({
    method: 'POST',
    url: url.replace(demo.baseUrl, ''),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    payload: new URLSearchParams(params).toString(),
  });
}

/** The carrier stops answering after this many webhooks: the call stays where it got to. */
class CallLeftRinging extends Error {}

/**
 * Calls in progress right now, for the live panel: each is left where it is after its first
 * carrier webhooks (in the menu, or ringing a number), as a call still going would be.
 */
export async function startLiveCalls(
  demo: DemoServer,
  calls: { to: string; from: string; press?: string[]; webhooks: number }[],
) {
  for (const call of calls) {
    let sent = 0;
    await simulateCall(
      { to: call.to, from: call.from, press: call.press ?? [], answer: 'none' },
      {
        voiceUrl: `${demo.baseUrl}/telephony/twilio/voice`,
        statusUrl: `${demo.baseUrl}/telephony/twilio/status`,
        authToken: CARRIER_TOKEN,
        transport: async (url, params, signature) => {
          sent += 1;
          if (sent > call.webhooks) throw new CallLeftRinging();
          const response = await demo.app.inject({
            method: 'POST',
            url: url.replace(demo.baseUrl, ''),
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
            payload: new URLSearchParams(params).toString(),
          });
          return response.body;
        },
      },
    ).catch((error) => {
      if (!(error instanceof CallLeftRinging)) throw error;
    });
  }
}

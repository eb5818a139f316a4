import twilio from 'twilio';
import { startTwilioMessagesApi, testMessageSid } from '../test/helpers/twilio-messages.js';
import { CARRIER_TOKEN, CLIENT, carrierWebhook, DEMO_PASSWORD, type DemoServer } from './demo-data.js';

/**
 * Texts for the screenshots: conversations that came in through the signed messaging webhook,
 * replies sent through Send SMS to a local server speaking Twilio's Messages API (with its status
 * callbacks), a STOP, a contact list imported from CSV, a broadcast sent and one scheduled.
 */
export const DEMO_ACCOUNT_SID = `AC${'d'.repeat(32)}`;

/** The Messages API the demo server sends through; its env for startDemoServer. */
export async function startDemoMessagesApi() {
  const api = await startTwilioMessagesApi({ accountSid: DEMO_ACCOUNT_SID, authToken: CARRIER_TOKEN });
  return { api, env: { TWILIO_API_BASE_URL: api.baseUrl, TWILIO_ACCOUNT_SID: DEMO_ACCOUNT_SID } };
}

type MessagesApi = Awaited<ReturnType<typeof startTwilioMessagesApi>>;

const MINUTE = 60_000;

export async function populateTexts(
  demo: DemoServer,
  messagesApi: MessagesApi,
  now: Date,
): Promise<{ conversationId: number }> {
  const { access_token: token } = await demo.app.services.auth.passwordGrant({
    username: demo.adminEmail,
    password: DEMO_PASSWORD,
    ...CLIENT,
  });
  const request = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<T> => {
    const response = await demo.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.body}`);
    return (response.json() as { data: T }).data;
  };
  const post = async (url: string, form: Record<string, string>, signature: string) =>
    (await carrierWebhook(demo, url, form, signature)).statusCode;
  const at = (minutesAgo: number) => demo.clock.set(new Date(now.getTime() - minutesAgo * MINUTE));
  const text = async (minutesAgo: number, from: string, to: string, body: string, media?: string) => {
    at(minutesAgo);
    const url = `${demo.baseUrl}/telephony/twilio/sms`;
    const form: Record<string, string> = {
      MessageSid: testMessageSid(),
      AccountSid: DEMO_ACCOUNT_SID,
      From: `+1${from}`,
      To: `+1${to}`,
      Body: body,
      NumMedia: media ? '1' : '0',
      ...(media ? { MediaUrl0: media, MediaContentType0: 'image/jpeg' } : {}),
    };
    await post(url, form, twilio.getExpectedTwilioSignature(CARRIER_TOKEN, url, form));
  };
  const reply = async (minutesAgo: number, from: string, to: string, message: string, outcome: string[]) => {
    at(minutesAgo);
    await request('POST', '/v2/sms/send', { tracking_number: from, to_number: to, message });
    await demo.app.services.jobs.drain();
    const sent = messagesApi.messages.find((m) => m.to === `+1${to}` && m.body === message);
    for (const status of outcome)
      await messagesApi.deliver(
        sent?.sid as string,
        status,
        post,
        status === 'undelivered' ? 30003 : undefined,
      );
  };
  const conversationOf = async (contact: string) =>
    (
      await request<{ conversation_id: number }[]>(
        'GET',
        `/v2/sms/conversation/list?filter=contact_number=${contact}`,
      )
    )[0]?.conversation_id as number;

  const main = '9495550100';
  const facebook = '9495550101';
  await text(2 * 24 * 60, '2135550160', facebook, 'Is the spring tune-up offer still on?');
  await reply(2 * 24 * 60 - 6, facebook, '2135550160', 'It is! $89 through the end of the month.', [
    'sent',
    'undelivered',
  ]);
  await text(26 * 60, '9495550177', main, 'What are your hours on Saturday?');
  await reply(26 * 60 - 4, main, '9495550177', 'Saturdays 8am to 2pm. Want us to book you in?', [
    'sent',
    'delivered',
  ]);
  await text(25 * 60, '9495550177', main, 'Thanks!');
  await text(5 * 60, '3105550199', main, 'STOP');
  await text(3 * 60, '7145550187', main, 'Hi, do you service tankless water heaters?');
  await reply(
    3 * 60 - 5,
    main,
    '7145550187',
    'Yes, we service and install all major brands. What model do you have?',
    ['sent', 'delivered'],
  );
  await text(2 * 60, '7145550187', main, 'A Rinnai RU199. It shows code 11 since this morning.');
  await reply(
    2 * 60 - 3,
    main,
    '7145550187',
    'Thanks! Code 11 is usually ignition. We can come Thursday at 9.',
    ['sent', 'delivered'],
  );
  await text(25, '7145550187', main, 'Thursday at 9 works. See you then!');
  await text(
    60,
    '5625550143',
    facebook,
    'Here is a photo of the leak under the sink',
    'https://picsum.photos/id/1/600/400',
  );
  for (const contact of ['2135550160', '9495550177', '3105550199'])
    await request('PUT', '/v2/sms/conversation/read', { conversation_id: await conversationOf(contact) });

  // a contact list and a broadcast sent from the two numbers yesterday at 10:00 in Irvine
  const flows = await request<{ dnis: string | null; group_id: number }[]>(
    'GET',
    '/v2/callflow/list?limit=100',
  );
  const groupId = flows.find((flow) => flow.dnis === main)?.group_id as number;
  const list = await request<{ list_id: number }>('POST', '/v2/smsbroadcast/contactlist', {
    group_id: groupId,
    list_name: 'Spring customers',
  });
  await request('POST', '/v2/smsbroadcast/contactlist/import', {
    list_id: list.list_id,
    csv: [
      'phone_number,first_name,last_name,store',
      '9495550301,Maria,Garcia,Irvine',
      '9495550302,James,Chen,Irvine',
      '7145550303,Priya,Patel,Anaheim',
      '7145550304,Daniel,Kim,Anaheim',
      '5625550305,Sofia,Nguyen,Long Beach',
      '5625550306,Ethan,Brown,Long Beach',
      '9495550307,Olivia,Martinez,Irvine',
      '3105550199,Sam,Lee,Irvine',
    ].join('\n'),
  });
  const yesterdayTen = new Date(now.getTime() - 24 * 60 * MINUTE);
  yesterdayTen.setUTCHours(17, 0, 0, 0);
  demo.clock.set(yesterdayTen);
  await request('POST', '/v2/smsbroadcast', {
    group_id: groupId,
    broadcast_name: 'Spring tune-up',
    template: 'Hi {first_name}, spring tune-ups are $89 at our {store} shop this month. Reply to book!',
    list_ids: [list.list_id],
    sender_numbers: [main, facebook],
  });
  for (let second = 0; second < 6; second += 1) {
    await demo.app.services.jobs.drain();
    demo.clock.advance(1000);
  }
  for (const message of messagesApi.messages.filter((m) => m.body.includes('spring tune-ups'))) {
    const failed = message.to === '+15625550306';
    await messagesApi.deliver(message.sid, 'sent', post);
    await messagesApi.deliver(
      message.sid,
      failed ? 'undelivered' : 'delivered',
      post,
      failed ? 30003 : undefined,
    );
  }
  demo.clock.set(now);
  await request('POST', '/v2/smsbroadcast', {
    group_id: groupId,
    broadcast_name: 'Memorial Day weekend',
    template: 'Hi {first_name}! Our {store} shop is open Memorial Day weekend, 8am to 2pm. 🇺🇸',
    list_ids: [list.list_id],
    sender_numbers: [main],
    send_at: new Date(now.getTime() + 5 * 24 * 60 * MINUTE).toISOString(),
  });
  await demo.app.services.jobs.drain();
  return { conversationId: await conversationOf('7145550187') };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { freshNumbers } from '../helpers/dni.js';
import { testMessageSid } from '../helpers/twilio-messages.js';

/**
 * List SMS Conversations of one group's subtree (`group_id`), chosen in SQL: the console's inbox
 * for a group below the user's reads its conversations, not the first page of the whole scope.
 */
const ACCOUNT_SID = `AC${'7'.repeat(32)}`;
let ctx: TestContext;
let carrier: ReturnType<typeof createCarrier>;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let outsiderGroup: number;

const contacts = async (token: string, query: string) => {
  const { status, body } = await ctx.request('GET', `/v2/sms/conversation/list${query}`, { token });
  return {
    status,
    body,
    numbers: status === 200 ? body.data.map((c: { contact_number: string }) => c.contact_number) : [],
  };
};

async function flowWithText(groupId: number, tracking: string, from: string) {
  const admin = h.companyAdmin;
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `Texts ${tracking}`,
        group_id: groupId,
        campaign_id: await ctx.factory.campaign(admin, groupId),
        channel_id: 1,
        number: { phone_number: tracking },
        ivrs: [{ key: 1, action: 'hangup', message: 'Goodbye.' }],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  const reply = await carrier.send('sms', {
    MessageSid: testMessageSid(),
    AccountSid: ACCOUNT_SID,
    From: `+1${from}`,
    To: `+1${tracking}`,
    Body: 'Hello',
  });
  expect(reply.status).toBe(200);
}

beforeAll(async () => {
  ctx = await createTestContext();
  carrier = createCarrier(ctx.app);
  h = await ctx.factory.hierarchy();
  outsiderGroup = await ctx.factory.group();
  const [companyNumber, locationNumber] = (await freshNumbers(ctx, 2)).numbers as [string, string];
  await flowWithText(h.company, companyNumber, '3035550101');
  await flowWithText(h.location, locationNumber, '3035550102');
}, 180_000);
afterAll(() => ctx?.close());

describe('List SMS Conversations by group subtree', () => {
  it('lists the conversations of the group given and the groups below it only', async () => {
    const token = h.companyAdmin.token;
    expect((await contacts(token, '')).numbers.sort()).toEqual(['3035550101', '3035550102']);
    expect((await contacts(token, `?group_id=${h.company}`)).numbers.sort()).toEqual([
      '3035550101',
      '3035550102',
    ]);
    expect((await contacts(token, `?group_id=${h.location}`)).numbers).toEqual(['3035550102']);
    // with the other list parameters
    expect((await contacts(token, `?group_id=${h.location}&filter=unread_count>=1&limit=1`)).numbers).toEqual(
      ['3035550102'],
    );
  });

  it('refuses a group outside the caller’s scope with 400 and lists nothing of it', async () => {
    for (const group of [h.agency, outsiderGroup]) {
      const { status, body } = await contacts(h.companyAdmin.token, `?group_id=${group}`);
      expect(status).toBe(400);
      expect(body).toEqual({
        result: 'error',
        err: `group_id ${group} is not a group you can access`,
        data: null,
      });
    }
    const below = await contacts(h.locationAdmin.token, `?group_id=${h.company}`);
    expect(below.status).toBe(400);
  });
});

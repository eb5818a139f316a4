import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

/** POST /v2/email/calldata against a real SMTP server started here; what arrived is checked. */
let ctx: TestContext;
let smtp: TestSmtpServer;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let callId: number;

async function placeCall(): Promise<number> {
  const number = '3125554100';
  await ctx.factory.inventory([number], 'CHICAGO', 'IL');
  const campaignId = await ctx.factory.campaign(h.companyAdmin);
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: h.companyAdmin.token,
    body: [
      {
        call_flow_name: 'Mail me',
        group_id: h.company,
        campaign_id: campaignId,
        channel_id: 1,
        message: 'For sales press 1.',
        number: { phone_number: number },
        ivrs: [{ key: 1, action: 'simple', message: 'Connecting.', target_did: 8015550100 }],
      },
    ],
  });
  expect(body[0].result).toBe('success');
  const call = await createCarrier(ctx.app).call({
    to: number,
    from: '2125550142',
    press: ['1'],
    answer: 'first',
  });
  const { rows } = await ctx.db.query<{ call_id: number }>(
    'select call_id from call where carrier_call_sid = $1',
    [call.callSid],
  );
  return Number(rows[0]?.call_id);
}

const send = (body: unknown, token = h.companyAdmin.token) =>
  ctx.request('POST', '/v2/email/calldata', { token, body });

beforeAll(async () => {
  smtp = await startSmtpServer({ rejectRecipients: /^bounce@/ });
  ctx = await createTestContext({ SMTP_URL: smtp.url });
  h = await ctx.factory.hierarchy();
  callId = await placeCall();
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

describe('POST /v2/email/calldata', () => {
  it('sends the call record as JSON and answers with what the SMTP server said', async () => {
    const before = smtp.received.length;
    const { status, body } = await send({ email: 'someone@example.com', call_id: String(callId) });
    expect(status).toBe(200);
    expect(body).toEqual({
      result: 'success',
      err: null,
      data: {
        accepted: ['someone@example.com'],
        rejected: [],
        response: expect.stringMatching(/^250 /),
        envelope: { from: 'no-reply@messages.services', to: ['someone@example.com'] },
        messageId: expect.stringMatching(/^<.+>$/),
      },
    });

    expect(smtp.received).toHaveLength(before + 1);
    const mail = smtp.received.at(-1) as ReceivedMail;
    expect(mail.from).toBe('no-reply@messages.services');
    expect(mail.to).toEqual(['someone@example.com']);
    expect(mail.headers.subject).toBe(`Call data for call ${callId}`);
    expect(mail.headers['message-id']).toBe(body.data.messageId);
    const [text, attachment] = mail.parts;
    const record = JSON.parse(text?.text ?? '');
    expect(record).toMatchObject({
      call_id: callId,
      caller_id: '2125550142',
      tracking_number: '3125554100',
      disposition: 'ANSWERED',
      group_id: h.company,
      tags: [],
    });
    expect(attachment).toMatchObject({ contentType: 'application/json', filename: `call-${callId}.json` });
    expect(JSON.parse(attachment?.text ?? '')).toEqual(record);
  });

  it('sends XML when return_type is xml (any case), with an integer call_id', async () => {
    const { status, body } = await send({ email: 'xml@example.com', call_id: callId, return_type: 'XML' });
    expect(status).toBe(200);
    expect(body.data.accepted).toEqual(['xml@example.com']);
    const mail = smtp.received.at(-1) as ReceivedMail;
    expect(mail.to).toEqual(['xml@example.com']);
    const [text, attachment] = mail.parts;
    expect(text?.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const parsed = new XMLParser({ parseTagValue: false }).parse(text?.text ?? '');
    expect(parsed.call).toMatchObject({
      call_id: String(callId),
      caller_id: '2125550142',
      disposition: 'ANSWERED',
    });
    expect(attachment).toMatchObject({ contentType: 'application/xml', filename: `call-${callId}.xml` });
  });

  it('reports a refused recipient in `rejected` and delivers to the others', async () => {
    const { status, body } = await send({ email: 'ok@example.com, bounce@example.com', call_id: callId });
    expect(status).toBe(200);
    expect(body.data.accepted).toEqual(['ok@example.com']);
    expect(body.data.rejected).toEqual(['bounce@example.com']);
    expect(smtp.received.at(-1)?.to).toEqual(['ok@example.com']);
  });

  it('answers {} with V2 validation errors: email, then call_id', async () => {
    const before = smtp.received.length;
    const { status, body } = await send({});
    expect(status).toBe(400);
    expect(body).toEqual({
      message: 'Validation errors',
      errors: [
        {
          code: 'INVALID_REQUEST_PARAMETER',
          errors: [
            {
              code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
              message: 'Missing required property: email',
              path: [],
            },
            {
              code: 'OBJECT_MISSING_REQUIRED_PROPERTY',
              message: 'Missing required property: call_id',
              path: [],
            },
          ],
          in: 'body',
          message: 'Invalid parameter (calldata): Value failed JSON Schema validation',
          name: 'calldata',
          path: ['paths', '/email/calldata', 'post', 'parameters', '0'],
        },
      ],
    });
    expect(smtp.received).toHaveLength(before);
  });

  it.each([
    ['', 'No call ID provided to retrieve records for.'],
    ['   ', 'No call ID provided to retrieve records for.'],
    ['abc', 'Invalid call ID provided.'],
    ['-409976', 'Invalid call ID provided.'],
  ])('answers call_id %j with result error %j and sends nothing', async (id, err) => {
    const before = smtp.received.length;
    const { status, body } = await send({ email: 'someone@example.com', call_id: id });
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err, data: null });
    expect(smtp.received).toHaveLength(before);
  });

  it('refuses a bad address and an unknown return_type', async () => {
    const before = smtp.received.length;
    expect((await send({ email: 'not-an-address', call_id: callId })).body.err).toBe(
      'Please provide a valid email address.',
    );
    expect((await send({ email: 'a@example.com', call_id: callId, return_type: 'csv' })).body.err).toBe(
      "return_type must be 'json' or 'xml'.",
    );
    expect(smtp.received).toHaveLength(before);
  });

  it('answers No record found for a call outside the caller groups or one that does not exist', async () => {
    const before = smtp.received.length;
    const outside = await send({ email: 'a@example.com', call_id: callId }, h.locationAdmin.token);
    expect(outside.status).toBe(404);
    expect(outside.body).toEqual({ result: 'error', err: 'No record found', data: null });
    expect((await send({ email: 'a@example.com', call_id: 99999999 })).body.err).toBe('No record found');
    expect(smtp.received).toHaveLength(before);
    // the agency above the call's group may send it
    expect((await send({ email: 'a@example.com', call_id: callId }, h.agencyAdmin.token)).status).toBe(200);
  });

  it('needs a token', async () => {
    const { status } = await ctx.request('POST', '/v2/email/calldata', {
      body: { email: 'a@example.com', call_id: callId },
    });
    expect(status).toBe(401);
  });
});

describe('without SMTP_URL', () => {
  it('answers 503 with a clear reason and keeps serving', async () => {
    const off = await createTestContext();
    try {
      const admin = await off.factory.user(await off.factory.group());
      const { status, body } = await off.request('POST', '/v2/email/calldata', {
        token: admin.token,
        body: { email: 'a@example.com', call_id: 1 },
      });
      // the call does not exist there: scope is checked before the mailer
      expect(status).toBe(404);
      const [row] = (
        await off.db.query<{ call_id: number }>(
          `insert into call (carrier_call_sid, group_id, tracking_number, caller_number, started_at)
           values ('CA-off', $1, '3125550000', '2125550000', now()) returning call_id`,
          [admin.group_id],
        )
      ).rows;
      const unsent = await off.request('POST', '/v2/email/calldata', {
        token: admin.token,
        body: { email: 'a@example.com', call_id: row?.call_id },
      });
      expect(unsent.status).toBe(503);
      expect(unsent.body).toEqual({
        result: 'error',
        err: 'E-mail is not configured (SMTP_URL is unset)',
        data: null,
      });
      expect((await off.request('GET', '/health')).status).toBe(200);
      expect(body.result).toBe('error');
    } finally {
      await off.close();
    }
  });
});

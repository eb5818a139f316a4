import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/modules/webhooks/webhook-wire.js';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { createCarrier } from '../helpers/carrier.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

/**
 * Call actions end to end: created through the API, evaluated when a call placed through the
 * carrier path completes (the job queue's call.completed), with a real SMTP server, a real HTTP
 * receiver and a fake Twilio Messages API on it.
 */
let ctx: TestContext;
let smtp: TestSmtpServer;
let receiver: Receiver;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let campaignId: number;

const numbers = Array.from({ length: 30 }, (_, i) => `312555${String(6000 + i)}`);
let nextNumber = 0;

async function createFlow(
  admin: TestUser,
  groupId: number,
  campaign: number,
  overrides: Record<string, unknown> = {},
): Promise<{ id: number; number: string }> {
  const number = numbers[nextNumber++] as string;
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `Actions ${number}`,
        group_id: groupId,
        campaign_id: campaign,
        channel_id: 1,
        message: 'For sales press 1.',
        number: { phone_number: number },
        ivrs: [{ key: 1, action: 'simple', message: 'Connecting.', target_did: 8015550100 }],
        ...overrides,
      },
    ],
  });
  expect(body[0].result).toBe('success');
  return { id: Number(body[0].data), number };
}

/** Places a call through the signed carrier webhooks and runs the jobs its completion enqueued. */
async function placeCall(to: string, from = '2125550142'): Promise<number> {
  const call = await createCarrier(ctx.app).call({ to, from, press: ['1'], answer: 'first' });
  const { rows } = await ctx.db.query<{ call_id: number }>(
    'select call_id from call where carrier_call_sid = $1',
    [call.callSid],
  );
  await ctx.app.services.jobs.drain();
  return Number(rows[0]?.call_id);
}

const createActions = (body: unknown[], token = h.companyAdmin.token) =>
  ctx.request('POST', '/v2/callaction', { token, body });

async function createAction(body: Record<string, unknown>, token = h.companyAdmin.token): Promise<number> {
  const response = await createActions([body], token);
  expect(response.body).toEqual([{ result: 'success', data: expect.any(Number), entry_count: 1 }]);
  return response.body[0].data;
}

const tagsOf = async (callId: number) =>
  (
    await ctx.db.query<{ tag_name: string }>(
      'select t.tag_name from call_tag ct join tag t on t.tag_id = ct.tag_id where ct.call_id = $1 order by 1',
      [callId],
    )
  ).rows.map((row) => row.tag_name);

const logOf = async (callId: number, token = h.companyAdmin.token) =>
  ctx.request('GET', `/v2/callaction/log?id=${callId}`, { token });

beforeAll(async () => {
  smtp = await startSmtpServer({ rejectRecipients: /^bounce@/ });
  receiver = await startReceiver();
  const json = 'application/json';
  receiver.respondWith(({ url }) =>
    url.startsWith('/twilio/')
      ? { status: 201, body: JSON.stringify({ sid: 'SM0001', status: 'queued' }), contentType: json }
      : url.startsWith('/fail')
        ? { status: 500, body: '{"error":"down"}', contentType: json }
        : { status: 200, body: '{}', contentType: json },
  );
  ctx = await createTestContext({
    SMTP_URL: smtp.url,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    JOBS_POLL_INTERVAL_MS: '0',
    TWILIO_API_BASE_URL: `${receiver.url}/twilio`,
    TWILIO_ACCOUNT_SID: 'AC0123456789',
    SMS_FROM_NUMBER: '8015550000',
  });
  h = await ctx.factory.hierarchy();
  campaignId = await ctx.factory.campaign(h.companyAdmin);
  await ctx.factory.inventory(numbers, 'CHICAGO', 'IL');
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
  await receiver.close();
});

describe('creating, reading, changing and deleting call actions', () => {
  let flowId: number;
  beforeAll(async () => {
    flowId = (await createFlow(h.companyAdmin, h.company, campaignId)).id;
  });

  it('creates a flow action and a group default, one result per entry, and reads them back', async () => {
    const response = await createActions([
      {
        call_flow_id: flowId,
        action_order: 2,
        action: 'tag_call',
        action_target: 'Lead, Hot',
        rules: [
          { data_field: 'duration', operator: '>', comparator: 30, join_type: 'AND' },
          { data_field: 'disposition', operator: '=', comparator: 'ANSWERED' },
        ],
      },
      { action: 'email_alert', action_target: 'ops@example.com' },
    ]);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      { result: 'success', data: expect.any(Number), entry_count: 1 },
      { result: 'success', data: expect.any(Number), entry_count: 2 },
    ]);
    const [flowAction, groupDefault] = response.body.map((entry: { data: number }) => entry.data);

    const got = await ctx.request('GET', `/v2/callaction?id=${flowAction}`, { token: h.companyAdmin.token });
    expect(got.body).toEqual({
      result: 'success',
      err: null,
      data: {
        action_id: flowAction,
        call_flow_id: flowId,
        group_id: h.company,
        is_default: false,
        action_order: 2,
        action: 'tag_call',
        action_target: 'Lead,Hot',
        post_process: false,
        action_status: 'active',
        rules: [
          { data_field: 'duration', operator: '>', comparator: '30', join_type: 'AND' },
          { data_field: 'disposition', operator: '=', comparator: 'ANSWERED' },
        ],
        created_by: h.companyAdmin.ct_user_id,
        created_at: '2026-03-07T15:00:00.000Z',
        updated_at: null,
      },
    });
    const listed = await ctx.request(
      'GET',
      `/v2/callaction/list?filter=${encodeURIComponent('action=email_alert')}`,
      {
        token: h.companyAdmin.token,
      },
    );
    expect(listed.body.data.map((row: { action_id: number }) => row.action_id)).toContain(groupDefault);
    expect(listed.body.data.every((row: { action: string }) => row.action === 'email_alert')).toBe(true);
    expect(
      listed.body.data.find((row: { action_id: number }) => row.action_id === groupDefault),
    ).toMatchObject({
      call_flow_id: null,
      group_id: h.company,
      is_default: true,
    });
  });

  it('refuses bad entries one by one, with the reason, and keeps the good ones', async () => {
    const response = await createActions([
      { call_flow_id: flowId, action: 'tag_call', action_target: 'ok' },
      {
        call_flow_id: flowId,
        action: 'tag_call',
        action_target: 'x',
        rules: [{ data_field: 'duration', operator: 'contains', comparator: '3' }],
      },
      { call_flow_id: flowId, action: 'email_alert', action_target: 'not-an-address' },
      { call_flow_id: flowId, action: 'sms_alert', action_target: '123' },
      { call_flow_id: flowId, action: 'set_call_value', action_target: 'lots' },
      { call_flow_id: flowId, action: 'move_to_group', action_target: String(h.agency) },
      { call_flow_id: flowId, action: 'post_detail', action_target: 'ftp://example.com/x' },
      { call_flow_id: flowId, group_id: h.company, action: 'tag_call', action_target: 'x' },
      { group_id: h.agency, action: 'tag_call', action_target: 'x' },
      {
        call_flow_id: flowId,
        action: 'tag_call',
        action_target: 'x',
        rules: [
          { data_field: 'duration', operator: '>', comparator: '1', join_type: 'NONE' },
          { data_field: 'duration', operator: '<', comparator: '9' },
        ],
      },
    ]);
    expect(response.status).toBe(200);
    expect(
      response.body.map((entry: { result: string; data: unknown }) => [entry.result, entry.data]),
    ).toEqual([
      ['success', expect.any(Number)],
      ['error', "rules[0]: operator 'contains' does not apply to duration"],
      ['error', 'action_target must be e-mail addresses separated by commas'],
      ['error', 'action_target must be 10-digit phone numbers separated by commas'],
      ['error', 'action_target must be an amount such as 25 or 25.50'],
      ['error', `action_target ${h.agency} is not a group of your groups`],
      ['error', 'action_target ftp://example.com/x is not an http or https URL'],
      ['error', 'Give call_flow_id or group_id, not both: an action belongs to one of them'],
      ['error', `group_id ${h.agency} is not a group of your groups`],
      ['error', 'rules[0]: join_type NONE is only allowed on the last rule'],
    ]);
    const outside = await createActions(
      [{ call_flow_id: flowId, action: 'tag_call', action_target: 'x' }],
      h.locationAdmin.token,
    );
    expect(outside.body).toEqual([
      { result: 'error', data: `call_flow_id ${flowId} is not a call flow of your groups`, entry_count: 1 },
    ]);
  });

  it('answers a body that breaks the schema with V2 validation errors and stores nothing', async () => {
    const before = (await ctx.db.query('select 1 from call_action')).rowCount;
    const response = await createActions([
      { action_target: 'x', rules: [{ data_field: 'nope', operator: '~', comparator: 1 }] },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('Validation errors');
    const [outer] = response.body.errors;
    expect(outer).toMatchObject({
      in: 'body',
      name: 'callaction',
      message: 'Invalid parameter (callaction): Value failed JSON Schema validation',
    });
    expect(outer.errors.map((e: { message: string }) => e.message)).toEqual(
      expect.arrayContaining([
        'Missing required property: action',
        'No enum match for: nope',
        'No enum match for: ~',
      ]),
    );
    expect((await ctx.db.query('select 1 from call_action')).rowCount).toBe(before);
  });

  it('updates the fields given, replaces rules, and refuses actions outside the caller groups', async () => {
    const id = await createAction({ call_flow_id: flowId, action: 'tag_call', action_target: 'a' });
    const updated = await ctx.request('PUT', '/v2/callaction', {
      token: h.companyAdmin.token,
      body: {
        action_id: id,
        action_target: 'b',
        action_status: 'inactive',
        rules: [{ data_field: 'tags', operator: 'does not contain', comparator: 'spam' }],
      },
    });
    expect(updated.body.data).toMatchObject({
      action_id: id,
      action: 'tag_call',
      action_target: 'b',
      action_status: 'inactive',
      rules: [{ data_field: 'tags', operator: 'does not contain', comparator: 'spam' }],
      updated_at: '2026-03-07T15:00:00.000Z',
    });
    const bad = await ctx.request('PUT', '/v2/callaction', {
      token: h.companyAdmin.token,
      body: { action_id: id, action: 'set_call_value' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.err).toBe('action_target must be an amount such as 25 or 25.50');
    const outside = await ctx.request('PUT', '/v2/callaction', {
      token: h.locationAdmin.token,
      body: { action_id: id, action_target: 'c' },
    });
    expect(outside.status).toBe(404);
    expect(outside.body).toEqual({ result: 'error', err: 'No record found', data: null });
    expect(
      (await ctx.request('GET', `/v2/callaction?id=${id}`, { token: h.companyAdmin.token })).body.data
        .action_target,
    ).toBe('b');
  });

  it('deletes all or nothing; a deleted action is gone from reads', async () => {
    const id = await createAction({ call_flow_id: flowId, action: 'tag_call', action_target: 'gone' });
    const refused = await ctx.request('DELETE', '/v2/callaction', {
      token: h.companyAdmin.token,
      body: { action_id: [id, 99999999] },
    });
    expect(refused.body).toEqual({
      result: 'error',
      err: ['Call Action(s) not permissible for deletion : 99999999'],
      data: null,
    });
    expect(
      (await ctx.request('GET', `/v2/callaction?id=${id}`, { token: h.companyAdmin.token })).status,
    ).toBe(200);
    const deleted = await ctx.request('DELETE', '/v2/callaction', {
      token: h.companyAdmin.token,
      body: { action_id: [id] },
    });
    expect(deleted.body).toEqual({ result: 'success', err: null, data: [id] });
    expect(
      (await ctx.request('GET', `/v2/callaction?id=${id}`, { token: h.companyAdmin.token })).status,
    ).toBe(404);
  });

  it('lets ReadOnly users read but not write', async () => {
    const readOnly = await ctx.factory.user(h.company, 3);
    expect((await createActions([{ action: 'tag_call', action_target: 'x' }], readOnly.token)).status).toBe(
      403,
    );
    expect((await ctx.request('GET', '/v2/callaction/list', { token: readOnly.token })).status).toBe(200);
  });
});

describe('when a call completes', () => {
  let flow: { id: number; number: string };
  let callId: number;
  const ids: Record<string, number> = {};
  let webhookId: number;
  let webhookSecret: string;

  beforeAll(async () => {
    flow = await createFlow(h.companyAdmin, h.company, campaignId, { email_to_notify: 'owner@example.com' });
    const on = (body: Record<string, unknown>) => createAction({ call_flow_id: flow.id, ...body });
    ids.tag = await on({
      action_order: 1,
      action: 'tag_call',
      action_target: 'Long Call',
      rules: [{ data_field: 'duration', operator: '>=', comparator: 30 }],
    });
    // sees the tag the first action added
    ids.email = await on({
      action_order: 2,
      action: 'email_alert',
      action_target: 'alerts@example.com',
      rules: [{ data_field: 'tags', operator: 'contains', comparator: 'long' }],
    });
    ids.webhook = await on({
      action_order: 3,
      action: 'webhook',
      action_target: `${receiver.url}/hook`,
      rules: [
        { data_field: 'disposition', operator: '=', comparator: 'ANSWERED', join_type: 'AND', grouping: 1 },
        { data_field: 'caller_id', operator: 'begins with', comparator: '212', join_type: 'OR', grouping: 1 },
        { data_field: 'repeat_caller', operator: '=', comparator: 'true', grouping: 2 },
      ],
    });
    ids.detail = await on({
      action_order: 4,
      action: 'post_detail',
      action_target: `${receiver.url}/detail`,
      rules: [{ data_field: 'disposition', operator: '=', comparator: 'VOICEMAIL' }],
    });
    ids.sms = await on({ action_order: 5, action: 'sms_alert', action_target: '8015550199' });
    ids.value = await on({ action_order: 6, action: 'set_call_value', action_target: '125.50' });
    ids.move = await on({ action_order: 7, action: 'move_to_group', action_target: String(h.location) });
    ids.fail = await on({ action_order: 8, action: 'post_detail', action_target: `${receiver.url}/fail` });
    const webhook = await ctx.request('POST', '/v2/webhook', {
      token: h.companyAdmin.token,
      body: {
        org_unit_id: h.company,
        webhook_Name: 'CRM',
        webhook_Endpoint: `${receiver.url}/signed`,
        method: 'PUT',
        format: 'xml',
        events: ['call.started'],
      },
    });
    expect(webhook.body.result).toBe('success');
    webhookId = webhook.body.data.insertId;
    webhookSecret = webhook.body.data.signing_secret;
    ids.configured = await on({ action_order: 10, action: 'webhook', action_target: String(webhookId) });
    ids.bounce = await on({ action_order: 11, action: 'email_alert', action_target: 'bounce@example.com' });
    ids.inactive = await on({
      action_order: 9,
      action: 'tag_call',
      action_target: 'never',
      action_status: 'inactive',
    });
    callId = await placeCall(flow.number);
  });

  it('runs each matching action once and logs every outcome on the call', async () => {
    const { body } = await logOf(callId);
    expect(body.data.call_id).toBe(callId);
    const byId = Object.fromEntries(
      body.data.actions.map((entry: { action_id: number }) => [entry.action_id, entry]),
    );
    expect(byId[String(ids.tag)]).toMatchObject({
      status: 'succeeded',
      outcome: 'tagged Long Call',
      attempts: 1,
    });
    expect(byId[String(ids.email)]).toMatchObject({
      status: 'succeeded',
      outcome: expect.stringMatching(/^sent to alerts@example.com: 250 /),
    });
    expect(byId[String(ids.webhook)]).toMatchObject({
      status: 'succeeded',
      outcome: `posted to ${receiver.url}/hook: 200`,
    });
    expect(byId[String(ids.detail)]).toMatchObject({
      status: 'not matched',
      outcome: 'the rules did not hold',
    });
    expect(byId[String(ids.sms)]).toMatchObject({
      status: 'succeeded',
      outcome: 'sent to 8015550199 (SM0001)',
    });
    expect(byId[String(ids.value)]).toMatchObject({
      status: 'succeeded',
      outcome: 'call value set to 125.50',
    });
    expect(byId[String(ids.move)]).toMatchObject({
      status: 'succeeded',
      outcome: `moved to group ${h.location}`,
    });
    expect(byId[String(ids.fail)]).toMatchObject({
      status: 'failed',
      outcome: `${receiver.url}/fail answered 500`,
    });
    expect(byId[String(ids.inactive)]).toBeUndefined();
    expect(byId[String(ids.bounce)]).toMatchObject({
      status: 'failed',
      outcome: expect.stringMatching(/^E-mail could not be sent: .*550/),
    });
    expect(byId[String(ids.configured)]).toMatchObject({
      status: 'succeeded',
      outcome: `posted to webhook ${webhookId}: 200`,
    });
    expect(body.data.notifications).toEqual([
      expect.objectContaining({
        kind: 'email_to_notify',
        status: 'succeeded',
        recipients: 'owner@example.com',
        outcome: expect.stringMatching(/^sent to owner@example.com: 250 /),
      }),
    ]);
  });

  it('changed the call: tag, value and group', async () => {
    expect(await tagsOf(callId)).toEqual(['Long Call']);
    const { rows } = await ctx.db.query<{
      call_value: number;
      group_id: number;
      moved_from_group_id: number;
    }>('select call_value, group_id, moved_from_group_id from call where call_id = $1', [callId]);
    expect(rows[0]).toEqual({ call_value: 125.5, group_id: h.location, moved_from_group_id: h.company });
  });

  it('posted the call record to the webhook, the form to no one, and texted through the Messages API', async () => {
    const hooks = receiver.requests.filter((r) => r.url === '/hook');
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(hooks[0]?.body ?? '');
    expect(payload).toMatchObject({
      event: 'call.action',
      action_id: ids.webhook,
      call: {
        call_id: callId,
        caller_id: '2125550142',
        tracking_number: flow.number,
        disposition: 'ANSWERED',
      },
    });
    expect(payload.call.tags.map((tag: { tag_name: string }) => tag.tag_name)).toEqual(['Long Call']);
    expect(receiver.requests.filter((r) => r.url === '/detail')).toHaveLength(0);

    const texts = receiver.requests.filter(
      (r) => r.url === '/twilio/2010-04-01/Accounts/AC0123456789/Messages.json',
    );
    expect(texts).toHaveLength(1);
    expect(texts[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('AC0123456789:test-carrier-auth-token').toString('base64')}`,
    );
    const form = new URLSearchParams(texts[0]?.body);
    expect(form.get('To')).toBe('+18015550199');
    expect(form.get('From')).toBe('+18015550000');
    expect(form.get('Body')).toBe(
      `Call ${callId} from 2125550142 to ${flow.number} (Actions ${flow.number}): ANSWERED, 42s`,
    );
  });

  it('sent a configured webhook its format and method, signed with its secret', async () => {
    const sent = receiver.requests.filter((r) => r.headers['x-switchboard-event'] === 'call.action');
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request).toMatchObject({ method: 'PUT', url: '/signed' });
    expect(request?.headers['content-type']).toBe('application/xml');
    expect(request?.body).toContain(`<call_id>${callId}</call_id>`);
    expect(request?.body).toContain('<event>call.action</event>');
    const signature = String(request?.headers['x-switchboard-signature']);
    const timestamp = Number(/^t=(\d+),/.exec(signature)?.[1]);
    expect(signature).toBe(signatureHeader(webhookSecret, timestamp, request?.body ?? ''));
    expect(signature).not.toBe(signatureHeader('another secret', timestamp, request?.body ?? ''));
    expect(request?.headers['x-switchboard-event-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('sent the alert and the call summary, as received by the SMTP server', async () => {
    const alert = smtp.received.filter((mail) => mail.to.includes('alerts@example.com'));
    expect(alert).toHaveLength(1);
    expect(alert[0]?.from).toBe('no-reply@messages.services');
    expect(alert[0]?.headers.subject).toBe(`Call alert: call ${callId}`);
    expect(alert[0]?.parts[0]?.text).toContain('caller_id: 2125550142');
    expect(alert[0]?.parts[0]?.text).toContain('Long Call');

    const summary = smtp.received.filter((mail) => mail.to.includes('owner@example.com'));
    expect(summary).toHaveLength(1);
    expect(summary[0]?.headers.subject).toBe(`Call summary: call ${callId}`);
    const text = summary[0]?.parts[0]?.text;
    expect(text).toContain(`call_id: ${callId}`);
    expect(text).toContain('disposition: ANSWERED');
    expect(text).toContain(`tracking_number: ${flow.number}`);
  });

  it('does nothing again when the completion runs again', async () => {
    const requests = receiver.requests.length;
    const mails = smtp.received.length;
    expect(await ctx.app.services.callActionRunner.runCallActions(callId)).toEqual([]);
    expect(await ctx.app.services.callSummaries.sendCallSummary(callId)).toBeUndefined();
    await ctx.app.services.jobs.enqueue(ctx.db, { kind: 'call.completed', payload: { callId } });
    await ctx.app.services.jobs.drain();
    expect(receiver.requests.length).toBe(requests);
    expect(smtp.received.length).toBe(mails);
    expect(await tagsOf(callId)).toEqual(['Long Call']);
    const { body } = await logOf(callId);
    expect(body.data.actions.every((entry: { attempts: number }) => entry.attempts === 1)).toBe(true);
  });

  it('retries an action a crash left running, once', async () => {
    const second = await placeCall(flow.number, '2125550143');
    await ctx.db.query(
      "update call_action_log set status = 'running' where call_id = $1 and action_id = $2",
      [second, ids.webhook],
    );
    const hooks = receiver.requests.filter((r) => r.url === '/hook').length;
    const outcomes = await ctx.app.services.callActionRunner.runCallActions(second);
    expect(outcomes).toEqual([
      {
        action_id: ids.webhook,
        action: 'webhook',
        status: 'succeeded',
        outcome: `posted to ${receiver.url}/hook: 200`,
      },
    ]);
    expect(receiver.requests.filter((r) => r.url === '/hook').length).toBe(hooks + 1);
    const entry = (await logOf(second)).body.data.actions.find(
      (e: { action_id: number }) => e.action_id === ids.webhook,
    );
    expect(entry.attempts).toBe(2);
  });

  it('sends no summary for a blocked call, but still runs its actions', async () => {
    await ctx.request('POST', '/v2/blacklistednumber', {
      token: h.companyAdmin.token,
      body: { number: 2125550177 },
    });
    const summaries = smtp.received.filter((mail) => mail.to.includes('owner@example.com')).length;
    const blocked = await placeCall(flow.number, '2125550177');
    const { body } = await logOf(blocked);
    expect(body.data.notifications).toEqual([]);
    expect(smtp.received.filter((mail) => mail.to.includes('owner@example.com')).length).toBe(summaries);
    const tag = body.data.actions.find((entry: { action_id: number }) => entry.action_id === ids.tag);
    expect(tag).toMatchObject({ status: 'not matched' });
  });

  it('shows the log only inside the caller groups', async () => {
    const other = await ctx.factory.user(await ctx.factory.group());
    expect((await logOf(callId, other.token)).status).toBe(404);
    expect((await logOf(callId, h.locationAdmin.token)).status).toBe(200);
  });
});

describe('group default actions', () => {
  it('apply to flows without actions of their own, from the nearest group that has any', async () => {
    const agencyCampaign = await ctx.factory.campaign(h.agencyAdmin, h.agency);
    const company2 = await ctx.factory.group(h.agency);
    await createAction(
      { group_id: h.agency, action: 'tag_call', action_target: 'agency-default' },
      h.agencyAdmin.token,
    );
    await createAction({ group_id: h.company, action: 'tag_call', action_target: 'company-default' });
    await createAction(
      { group_id: h.company, action: 'tag_call', action_target: 'analytics-only', post_process: true },
      h.companyAdmin.token,
    );

    const companyFlow = await createFlow(h.companyAdmin, h.company, campaignId);
    const locationCampaign = await ctx.factory.campaign(h.agencyAdmin, h.location);
    const locationFlow = await createFlow(h.agencyAdmin, h.location, locationCampaign);
    const company2Flow = await createFlow(h.agencyAdmin, company2, agencyCampaign);
    const ownFlow = await createFlow(h.companyAdmin, h.company, campaignId);
    await createAction({ call_flow_id: ownFlow.id, action: 'tag_call', action_target: 'own' });

    expect(await tagsOf(await placeCall(companyFlow.number))).toEqual(['company-default']);
    expect(await tagsOf(await placeCall(locationFlow.number))).toEqual(['company-default']);
    expect(await tagsOf(await placeCall(company2Flow.number))).toEqual(['agency-default']);
    const ownCall = await placeCall(ownFlow.number);
    expect(await tagsOf(ownCall)).toEqual(['own']);

    // post_process actions wait for conversation analytics
    const companyCall = await placeCall(companyFlow.number, '2125550199');
    expect(await tagsOf(companyCall)).toEqual(['company-default']);
    await ctx.app.services.callActionRunner.runCallActions(companyCall, 'analytics');
    expect(await tagsOf(companyCall)).toEqual(['analytics-only', 'company-default']);
  });
});

describe('without SMTP, SMS or private targets', () => {
  it('logs honest outcomes and refuses private targets', async () => {
    const off = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
    try {
      const hierarchy = await off.factory.hierarchy();
      const admin = hierarchy.companyAdmin;
      const campaign = await off.factory.campaign(admin);
      await off.factory.inventory(['3125557000'], 'CHICAGO', 'IL');
      const created = await off.request('POST', '/v2/callflow/multilevelivr', {
        token: admin.token,
        body: [
          {
            call_flow_name: 'Off',
            group_id: hierarchy.company,
            campaign_id: campaign,
            channel_id: 1,
            message: 'Press 1.',
            email_to_notify: 'owner@example.com',
            number: { phone_number: '3125557000' },
            ivrs: [{ key: 1, action: 'simple', message: 'Connecting.', target_did: 8015550100 }],
          },
        ],
      });
      expect(created.body).toEqual([{ result: 'success', data: expect.any(String), entry_count: 1 }]);
      const flowId = Number(created.body[0].data);
      const refused = await off.request('POST', '/v2/callaction', {
        token: admin.token,
        body: [{ call_flow_id: flowId, action: 'webhook', action_target: 'http://127.0.0.1:9/hook' }],
      });
      expect(refused.body[0]).toEqual({
        result: 'error',
        data: 'action_target 127.0.0.1:9 is a private or loopback address',
        entry_count: 1,
      });
      const actions = await off.request('POST', '/v2/callaction', {
        token: admin.token,
        body: [
          { call_flow_id: flowId, action: 'sms_alert', action_target: '8015550199' },
          { call_flow_id: flowId, action: 'email_alert', action_target: 'a@example.com' },
        ],
      });
      const [smsId, emailId] = actions.body.map((entry: { data: number }) => entry.data);

      const call = await createCarrier(off.app).call({
        to: '3125557000',
        from: '2125550142',
        press: ['1'],
        answer: 'first',
      });
      await off.app.services.jobs.drain();
      const { rows } = await off.db.query<{ call_id: number }>(
        'select call_id from call where carrier_call_sid = $1',
        [call.callSid],
      );
      const log = await off.request('GET', `/v2/callaction/log?id=${rows[0]?.call_id}`, {
        token: admin.token,
      });
      expect(log.body.data.actions).toEqual([
        expect.objectContaining({
          action_id: smsId,
          status: 'skipped',
          outcome: 'not sent: SMS is not configured',
        }),
        expect.objectContaining({
          action_id: emailId,
          status: 'skipped',
          outcome: 'not sent: E-mail is not configured (SMTP_URL is unset)',
        }),
      ]);
      expect(log.body.data.notifications).toEqual([
        expect.objectContaining({
          kind: 'email_to_notify',
          status: 'skipped',
          outcome: 'not sent: E-mail is not configured (SMTP_URL is unset)',
        }),
      ]);
      // with e-mail off the row is written finished, in its first and only write
      const notification = await off.db.query<{ finished: boolean; attempts: number }>(
        `select finished_at is not null as finished, attempts from call_notification where call_id = $1`,
        [rows[0]?.call_id],
      );
      expect(notification.rows).toEqual([{ finished: true, attempts: 1 }]);
      // the job itself finished: nothing is retried forever
      const jobs = await off.db.query<{ done: boolean }>(
        "select done_at is not null as done from job where kind = 'call.completed'",
      );
      expect(jobs.rows).toEqual([{ done: true }]);
    } finally {
      await off.close();
    }
  });
});

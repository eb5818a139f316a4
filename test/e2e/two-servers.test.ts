import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carrierForm, testCallSid } from '../helpers/carrier.js';
import { createEmptyDatabase, testEngine } from '../helpers/db.js';
import { freePort, type ServerProcess, startServer } from '../helpers/process.js';

/**
 * Several servers, one database (docs/scaling.md): two real `switchboard serve` processes on one
 * PostgreSQL. PGlite belongs to one process, so this file runs only on the postgres project.
 */
const CARRIER_TOKEN = 'two-servers-carrier-token';
const PASSWORD = 'two-servers-password';
const SECRET = 'two-servers-client-secret';
/** from the demo inventory every server seeds (312-555-01XX, Chicago) */
const TRACKING = '3125550100';

interface Node {
  base: string;
  dataDir: string;
  server?: ServerProcess;
}

let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let nodes: [Node, Node];
let token: string;
let campaignId: number;
let callFlowId: number;

describe.skipIf(testEngine() !== 'postgres')('two servers on one PostgreSQL', () => {
  beforeAll(async () => {
    database = await createEmptyDatabase();
    const make = async (): Promise<Node> => ({
      base: `http://127.0.0.1:${await freePort()}`,
      dataDir: await mkdtemp(path.join(tmpdir(), 'switchboard-two-')),
    });
    nodes = [await make(), await make()];
    // Both start at once: migrations and the demo seed must happen once, whoever gets there first.
    await Promise.all(
      nodes.map(async (node) => {
        node.server = await startServer({
          DATA_DIR: node.dataDir,
          PORT: new URL(node.base).port,
          DATABASE_URL: database.url as string,
          SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
          SWITCHBOARD_OAUTH_CLIENT_SECRET: SECRET,
          TWILIO_AUTH_TOKEN: CARRIER_TOKEN,
        });
      }),
    );
    token = await tokenFrom(nodes[0]);
    const campaign = await api(nodes[0], 'POST', '/v2/campaign', [
      {
        campaign_name: 'Two servers',
        campaign_start_date: '2026-01-01T00:00:00Z',
        campaign_owner_user_id: 1,
        group_id: 2,
      },
    ]);
    campaignId = Number(campaign[0].data);
  }, 120_000);

  afterAll(async () => {
    for (const node of nodes ?? []) {
      await node.server?.stop();
      await rm(node.dataDir, { recursive: true, force: true });
    }
    await database?.drop();
  });

  async function tokenFrom(node: Node): Promise<string> {
    const response = await fetch(`${node.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: 'admin@example.com',
        password: PASSWORD,
        client_id: 'switchboard',
        client_secret: SECRET,
      }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  // biome-ignore lint/suspicious/noExplicitAny: V2 bodies are read field by field
  async function api(node: Node, method: string, url: string, body?: unknown): Promise<any> {
    const response = await fetch(`${node.base}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  /** One signed carrier webhook, as Twilio would send it to this node's public URL. */
  async function carrier(node: Node, pathAndQuery: string, params: Record<string, string>): Promise<string> {
    const url = `${node.base}${pathAndQuery}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(CARRIER_TOKEN, url, params),
      },
      body: new URLSearchParams(params),
    });
    expect(response.status).toBe(200);
    return response.text();
  }

  const flowBody = (version: string) => ({
    call_flow_id: callFlowId ?? 0,
    call_flow_name: 'Main line',
    group_id: 2,
    campaign_id: campaignId,
    channel_id: 7,
    message: `Menu ${version}. For sales press 1.`,
    number: { phone_number: Number(TRACKING) },
    ivrs: [{ key: 1, action: 'simple', message: `Sales ${version}.`, target_did: 8015550110 }],
  });

  let sequence = 0;
  const inbound = (node: Node, sid = testCallSid(`${Date.now()}-${++sequence}`)) =>
    carrier(
      node,
      '/telephony/twilio/voice',
      carrierForm({ CallSid: sid, From: '+12125550142', To: `+1${TRACKING}` }),
    );

  it('routes a flow created through one server on the other', async () => {
    const created = await api(nodes[0], 'POST', '/v2/callflow/multilevelivr', [flowBody('one')]);
    expect(created[0].result).toBe('success');
    callFlowId = Number(created[0].data);
    expect(await inbound(nodes[1])).toContain('Menu one.');
  });

  it('routes the new version on the other server from its very next call, while a call in progress keeps its version', async () => {
    const inProgress = testCallSid(`${Date.now()}-inprogress`);
    expect(await inbound(nodes[1], inProgress)).toContain('Menu one.');

    const saved = await api(nodes[0], 'POST', '/v2/callflow/multilevelivr', [flowBody('two')]);
    expect(saved[0]).toMatchObject({ result: 'success', data: String(callFlowId) });

    // Server 2 has version one cached and its NOTIFY may not be there yet: its very next call
    // must hear version two all the same (the call's statement checks the flow's row version).
    expect(await inbound(nodes[1])).toContain('Menu two.');

    // The call that started on version one continues on server 1, still on version one.
    const next = await carrier(
      nodes[0],
      '/telephony/twilio/gather?s=1',
      carrierForm({
        CallSid: inProgress,
        Digits: '1',
        From: '+12125550142',
        To: `+1${TRACKING}`,
        CallStatus: 'in-progress',
      }),
    );
    expect(next).toContain('Sales one.');
    expect(next).not.toContain('Sales two.');
  });
});

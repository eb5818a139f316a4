import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

/*
 * Nullable schema atoms are type lists, which Ajv validates differently from an anyOf with null
 * (see test/unit/nullable-schemas.test.ts). These pin the request side as it is: four request
 * fields accept null, each to clear what it holds (a campaign without an end date; the console's
 * remembered group, tested in session.test.ts; a call's value, tested in console-reports.test.ts;
 * a number's backup, tested in number-provisioning.test.ts),
 * and what the V2 one answers for each kind of value.
 */

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

type Node = Record<string, unknown>;

/** The property paths under `node` whose schema allows null, in any form OpenAPI 3.0 can show. */
function nullablePaths(node: unknown, path: string): string[] {
  if (!node || typeof node !== 'object') return [];
  const schema = node as Node;
  const allowsNull =
    schema.nullable === true ||
    schema.type === 'null' ||
    (Array.isArray(schema.type) && schema.type.includes('null'));
  return [
    ...(allowsNull ? [path] : []),
    ...Object.entries(schema).flatMap(([key, child]) =>
      key === 'properties'
        ? Object.entries(child as Node).flatMap(([name, s]) => nullablePaths(s, `${path}.${name}`))
        : nullablePaths(child, path),
    ),
  ];
}

describe('request schemas', () => {
  it('accept null only where it clears a value', async () => {
    const document = (await ctx.app.inject('/openapi.json')).json();
    const found: string[] = [];
    for (const [path, operations] of Object.entries(document.paths as Record<string, Node>)) {
      for (const [method, operation] of Object.entries(operations as Record<string, Node>)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const parameter of (operation.parameters ?? []) as Node[]) {
          found.push(...nullablePaths(parameter.schema, `${where} ${parameter.in} ${parameter.name}`));
        }
        const content = (operation.requestBody as Node | undefined)?.content as Node | undefined;
        for (const [type, media] of Object.entries(content ?? {})) {
          found.push(...nullablePaths((media as Node).schema, `${where} body(${type})`));
        }
      }
    }
    expect(found.sort()).toEqual([
      // Telnyx's own wire format: a message with media only has `text: null`
      'POST /telephony/telnyx/sms body(application/json).data.payload.text',
      'POST /telephony/telnyx/sms/status body(application/json).data.payload.text',
      'POST /v2/campaign body(application/json).campaign_end_date',
      'PUT /v2/call/value body(application/json).call_value',
      'PUT /v2/me/preferences body(application/json).console_group_id',
      'PUT /v2/number/backup body(application/json).backup_number',
    ]);
  });
});

describe('campaign_end_date in POST /v2/campaign', () => {
  const errorFor = (inner: unknown) => ({
    message: 'Validation errors',
    errors: [
      {
        code: 'INVALID_REQUEST_PARAMETER',
        errors: [inner],
        in: 'body',
        message: 'Invalid parameter (campaign): Value failed JSON Schema validation',
        name: 'campaign',
        path: ['paths', '/campaign', 'post', 'parameters', '0'],
      },
    ],
  });
  const description = 'When the campaign ends; null for open-ended';

  it('answers each kind of value as before', async () => {
    const h = await ctx.factory.hierarchy();
    const send = (value: unknown) =>
      ctx.request('POST', '/v2/campaign', {
        token: h.companyAdmin.token,
        body: [
          {
            campaign_name: 'Nullable end',
            campaign_start_date: '2026-04-01T00:00:00.000Z',
            campaign_owner_user_id: h.companyAdmin.ct_user_id,
            group_id: h.company,
            campaign_end_date: value,
          },
        ],
      });
    const path = ['0', 'campaign_end_date'];

    const cleared = await send(null);
    expect(cleared.status).toBe(200);
    const read = await ctx.request('GET', `/v2/campaign?id=${cleared.body[0].data}`, {
      token: h.companyAdmin.token,
    });
    expect(read.body.data.campaign_end_date).toBeNull();

    for (const value of ['5', '', 'x', 'null']) {
      const { status, body } = await send(value);
      expect(status, value).toBe(400);
      expect(body, value).toEqual(
        errorFor({
          code: 'INVALID_FORMAT',
          message: `Object didn't pass validation for format date-time: ${value}`,
          path,
          description,
        }),
      );
    }
    for (const [value, found] of [
      [5, 'integer'],
      [true, 'boolean'],
      [[], 'array'],
    ] as const) {
      const { status, body } = await send(value);
      expect(status, found).toBe(400);
      expect(body, found).toEqual(
        errorFor({
          code: 'INVALID_TYPE',
          message: `Expected type string,null but found type ${found}`,
          path,
          description,
        }),
      );
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { createPoolFlow } from '../helpers/dni.js';

/** GET /v2/callflow/dnisetting: a flow's DNI setting as POST /v2/callflow/dni takes it, within the caller's scope. */
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('GET /v2/callflow/dnisetting', () => {
  it("answers the flow's setting in the shape it is saved in, and saved again unchanged", async () => {
    const admin = await ctx.factory.user(await ctx.factory.group());
    const pool = await createPoolFlow(ctx, admin, 1, { custom_cookie: 'promo, region', TTL: 45 });
    const { status, body } = await ctx.request('GET', `/v2/callflow/dnisetting?id=${pool.callFlowId}`, {
      token: admin.token,
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      group_id: admin.group_id,
      call_flow_id: pool.callFlowId,
      dni_type: 'session',
      dni_element: 'dni_element',
      destination_url: '*.*',
      referrer: '*.*',
      custom_cookie: 'promo, region',
      TTL: 45,
    });
    const saved = await ctx.request('POST', '/v2/callflow/dni', { token: admin.token, body: [body.data] });
    expect(saved.body.data).toEqual([{ result: 'success', entry_count: 1 }]);
  });

  it('answers no setting, an unknown flow and a flow outside the scope with 404, as the DNI classes do', async () => {
    const admin = await ctx.factory.user(await ctx.factory.group());
    const stranger = await ctx.factory.user(await ctx.factory.group());
    const pool = await createPoolFlow(ctx, admin, 1);
    const get = (id: number, token = admin.token) =>
      ctx.request('GET', `/v2/callflow/dnisetting?id=${id}`, { token });
    const outside = await get(pool.callFlowId, stranger.token);
    expect(outside.status).toBe(404);
    expect(outside.body.err).toBe(`No access for call flow id: ${pool.callFlowId}`);
    const unknown = await get(1_999_999_999);
    expect(unknown.status).toBe(404);
    expect(unknown.body.err).toBe('No dni setting available for call flow id: 1999999999');
    await ctx.db.query('delete from dni_setting where call_flow_id = $1', [pool.callFlowId]);
    expect((await get(pool.callFlowId)).body.err).toBe(
      `No dni setting available for call flow id: ${pool.callFlowId}`,
    );
  });
});

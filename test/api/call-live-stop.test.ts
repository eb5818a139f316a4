import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { deferred } from '../helpers/deferred.js';
import { freePort } from '../helpers/process.js';

/**
 * A live stream that was still being opened (reading its snapshot) when the server began to stop
 * must end too: before, it registered itself after the stop had ended the open streams, so the
 * server waited on it until its grace ran out and the process exited 1.
 */
let ctx: TestContext;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await createTestContext({ PUBLIC_BASE_URL: base });
  await ctx.app.listen({ port, host: '127.0.0.1' });
});

afterAll(async () => {
  await ctx.db.close();
});

it('ends a stream whose snapshot was being read when the server began to stop', async () => {
  const h = await ctx.factory.hierarchy();
  // hold the snapshot's query until the stop has begun
  const reached = deferred();
  const released = deferred();
  const query = ctx.db.query.bind(ctx.db);
  ctx.db.query = (async (text: string, params?: unknown[]) => {
    if (text.includes('c.ended_at is null')) {
      reached.resolve();
      await released.promise;
    }
    return query(text, params);
  }) as typeof ctx.db.query;

  const response = fetch(`${base}/v2/call/live?group_id=${h.company}`, {
    headers: { authorization: `Bearer ${h.companyAdmin.token}` },
  });
  await reached.promise;
  let closed = false;
  const closing = ctx.app.close().then(() => {
    closed = true;
  });
  // the stop is under way (its preClose hooks have run) before the snapshot arrives
  await new Promise((resolve) => setTimeout(resolve, 100));
  released.resolve();

  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 3 s'), 3000));
  // the stream sends its snapshot and ends, and the server finishes stopping
  const body = await Promise.race([response.then((r) => r.text()), timeout]);
  expect(body).toMatch(/^event: snapshot\ndata: \[\]\n\n/);
  await Promise.race([closing, timeout]);
  expect(closed).toBe(true);
});

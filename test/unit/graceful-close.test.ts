import { Agent, get } from 'node:http';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { closeGracefully } from '../../src/http/graceful-close.js';

/**
 * A response that was still being written when the server began to close (a stream) leaves its
 * keep-alive connection idle once it ends: the close must not wait for that connection's client
 * or its keep-alive timeout (72 s), as Node's server.close() alone does.
 */
it('closes a keep-alive connection whose streamed response ended after the close began', async () => {
  const app = Fastify({ forceCloseConnections: 'idle' });
  app.get('/slow', (_request, reply) => {
    const body = new Readable({ read() {} });
    body.push('first part\n');
    setTimeout(() => body.push(null), 400);
    return reply.type('text/plain').send(body);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const agent = new Agent({ keepAlive: true });
  try {
    const response = await new Promise<{ status?: number; body: Promise<string> }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/slow', agent }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        resolve({ status: res.statusCode, body: new Promise((done) => res.on('end', () => done(text))) });
      }).on('error', reject);
    });
    expect(response.status).toBe(200);
    // the response has begun and its connection is kept alive: now the server closes
    const closing = closeGracefully(app).then(() => 'closed');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still open after 5 s'), 5000).unref());
    expect(await response.body).toBe('first part\n');
    expect(await Promise.race([closing, timeout])).toBe('closed');
  } finally {
    agent.destroy();
    await app.close();
  }
});

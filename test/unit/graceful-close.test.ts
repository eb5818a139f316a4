import { once } from 'node:events';
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { prepareGracefulClose } from '../../src/http/graceful-close.js';
import { deferred } from '../helpers/deferred.js';

/**
 * A closing server must not wait for connections that carry no request, which Node's
 * server.close() alone does until their clients leave or the keep-alive timeout (72 s) passes.
 */
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
});

/** Whether the close ends within 5 s (it hangs for a minute or more without the fix). */
const closesInTime = (close: Promise<void>) =>
  Promise.race([
    close.then(() => 'closed'),
    new Promise((resolve) => setTimeout(() => resolve('still open after 5 s'), 5000).unref()),
  ]);

/** An app made as src/app.ts makes it, listening on a free port, with its graceful close prepared. */
async function serving(routes: (server: FastifyInstance) => void) {
  app = Fastify({ forceCloseConnections: 'idle' });
  routes(app);
  const closeGracefully = prepareGracefulClose(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { closeGracefully, port: (app.server.address() as { port: number }).port };
}

/** A raw connection to the port, open and silent. */
async function rawConnection(port: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

it('closes a keep-alive connection whose streamed response ended after the close began', async () => {
  const { closeGracefully, port } = await serving((server) =>
    server.get('/slow', (_request, reply) => {
      const body = new Readable({ read() {} });
      body.push('first part\n');
      setTimeout(() => body.push(null), 400);
      return reply.type('text/plain').send(body);
    }),
  );
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
    const closing = closesInTime(closeGracefully());
    expect(await response.body).toBe('first part\n');
    expect(await closing).toBe('closed');
  } finally {
    agent.destroy();
  }
});

it('closes a connection that never sent a request (a browser opens spare ones ahead of need)', async () => {
  const { closeGracefully, port } = await serving((server) => server.get('/', async () => 'ok'));
  const spare = await rawConnection(port);
  try {
    expect(await closesInTime(closeGracefully())).toBe('closed');
  } finally {
    spare.destroy();
  }
});

it('lets a response that has ended but is still being written reach a slow client in full', async () => {
  // big enough that most of it waits in the server's socket while the client does not read
  const body = Buffer.alloc(16 * 1024 * 1024, 'x');
  const handed = deferred();
  const { closeGracefully, port } = await serving((server) =>
    server.get('/export', (_request, reply) => {
      setImmediate(handed.resolve);
      return reply.type('application/octet-stream').send(body);
    }),
  );
  const client = await rawConnection(port);
  client.pause();
  client.write(`GET /export HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  try {
    await handed.promise;
    // the whole body has been handed to the socket (the response has ended), not yet read
    const closing = closeGracefully();
    await new Promise((resolve) => setTimeout(resolve, 500));
    let received = 0;
    client.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    client.resume();
    await Promise.race([once(client, 'close'), new Promise((resolve) => setTimeout(resolve, 5000))]);
    expect(received).toBeGreaterThan(body.length);
    await closing;
  } finally {
    client.destroy();
  }
});

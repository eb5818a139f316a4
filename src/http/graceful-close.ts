import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How often a closing server looks again for connections it may close. */
const SWEEP_MS = 100;

/**
 * Prepares the app's graceful close: the answer closes it (preClose hooks, then the server, then
 * the onClose hooks) without waiting on connections that carry no request. Node's
 * `server.close()` closes the keep-alive connections idle at that moment only, and never a
 * connection that has not sent a request yet (a browser opens such spare connections ahead of
 * need): a response still being written when the close began leaves its connection open once it
 * ends, and a spare connection stays open, each holding the close until its client leaves (a
 * browser keeps them for a while; Fastify's keep-alive timeout is 72 s). So while it closes, the
 * connections that have become idle, and those that never carried a request, are closed every
 * 100 ms. Call it before the server listens, so that it sees every connection.
 */
export function prepareGracefulClose(app: FastifyInstance): () => Promise<void> {
  const open = new Set<Socket>();
  const used = new WeakSet<Socket>();
  app.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  app.server.on('request', (request: { socket: Socket }) => used.add(request.socket));
  const sweep = () => {
    app.server.closeIdleConnections();
    for (const socket of open) if (!used.has(socket)) socket.destroy();
  };
  return async () => {
    const timer = setInterval(sweep, SWEEP_MS);
    try {
      await app.close();
    } finally {
      clearInterval(timer);
    }
  };
}

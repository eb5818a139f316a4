import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How often a closing server looks again for connections it may close. */
const SWEEP_MS = 100;

/**
 * Prepares the app's graceful close: the answer closes it (preClose hooks, then the server, then
 * the onClose hooks) without waiting on connections that carry no request, and without cutting
 * off a response. Node's `server.close()` closes the keep-alive connections idle at that moment
 * only, and never a connection that has not sent a request yet (a browser opens such spare
 * connections ahead of need): a response still being written when the close began leaves its
 * connection open once it ends, and a spare connection stays open, each holding the close until
 * its client leaves (a browser keeps them for a while; Fastify's keep-alive timeout is 72 s). So
 * while it closes, the connections that carry no response are closed every 100 ms.
 *
 * A connection carries a response until the response has been handed to the system in full
 * ('finish'), not only until it has ended: Node's own `closeIdleConnections()`, which
 * `server.close()` calls, destroys a connection whose response has ended while most of a large
 * body still waits in the socket for a slow client, which then gets it cut off. This server's
 * `closeIdleConnections` is replaced by one that waits for it. Call it before the server listens,
 * so that it sees every connection.
 */
export function prepareGracefulClose(app: FastifyInstance): () => Promise<void> {
  const open = new Set<Socket>();
  /** the connections with a response not yet handed to the system, and how many */
  const responding = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      responding.delete(socket);
    });
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const { socket } = request;
    responding.set(socket, (responding.get(socket) ?? 0) + 1);
    let sent = false;
    const done = () => {
      if (sent) return;
      sent = true;
      const left = (responding.get(socket) ?? 1) - 1;
      if (left > 0) responding.set(socket, left);
      else responding.delete(socket);
    };
    response.once('finish', done);
    response.once('close', done);
  });
  const closeIdle = () => {
    for (const socket of open) if (!responding.has(socket)) socket.destroy();
  };
  app.server.closeIdleConnections = closeIdle;
  return async () => {
    const timer = setInterval(closeIdle, SWEEP_MS);
    try {
      await app.close();
    } finally {
      clearInterval(timer);
    }
  };
}

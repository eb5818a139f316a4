import type { FastifyInstance } from 'fastify';

/** How often a closing server looks again for keep-alive connections that became idle. */
const IDLE_SWEEP_MS = 100;

/**
 * Closes the app (preClose hooks, then the server, then the onClose hooks) without waiting on
 * idle keep-alive connections. Node's `server.close()` closes the connections idle at that
 * moment only: one whose response was still being written (a stream, a download, a file of the
 * console) stays open after that response ends, and holds the close until its client leaves or
 * the keep-alive timeout (72 s in Fastify) passes. So while it closes, the connections that have
 * become idle are closed again every 100 ms.
 */
export async function closeGracefully(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}

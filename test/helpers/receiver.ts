import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** the status this receiver answered with */
  status: number;
}

/** The status of an answer, or the status and the body (else "ok" or "receiver failed", as text). */
type Answer = number | { status: number; body: string; contentType?: string };

/**
 * A real HTTP server on 127.0.0.1 that records every request. `respond` picks the status (and
 * body) of each answer; `hold` keeps requests open (never answered) until `release()`.
 */
export async function startReceiver() {
  const requests: ReceivedRequest[] = [];
  let respond: (request: Omit<ReceivedRequest, 'status'>) => Answer | Promise<Answer> = () => 200;
  let holding = false;
  const held: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const base = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (holding) {
        requests.push({ ...base, status: 0 });
        held.push(() => res.destroy());
        return;
      }
      // an answer may take its time (a target that is slow on purpose)
      const answer = await respond(base);
      const {
        status,
        body,
        contentType = 'text/plain',
      } = typeof answer === 'number'
        ? { status: answer, body: answer < 300 ? 'ok' : 'receiver failed' }
        : answer;
      requests.push({ ...base, status });
      res.writeHead(status, { 'content-type': contentType }).end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respondWith(fn: typeof respond) {
      respond = fn;
    },
    hold(on: boolean) {
      holding = on;
      if (!on) for (const drop of held.splice(0)) drop();
    },
    async close() {
      for (const drop of held.splice(0)) drop();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** How a receiver checks X-Switchboard-Signature (the README's recipe). */
export function verifySignature(secret: string, header: string | undefined, body: string): boolean {
  const parts = Object.fromEntries(
    (header ?? '').split(',').map((part) => part.split('=') as [string, string]),
  );
  if (!parts.t || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return expected === parts.v1;
}

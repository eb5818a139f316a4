import { once } from 'node:events';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { CarrierTransport } from '../../src/telephony/simulator.js';

/**
 * Helpers for tests that run several `switchboard serve` processes: a carrier transport that
 * plays a load balancer, and a webhook receiver that knows which process sent each request.
 */

/**
 * Posts carrier webhooks signed for `publicBaseUrl` (the URL every process is configured with)
 * over real HTTP to the process `pick` chooses for the n-th request of the call.
 */
export function balancedTransport(
  publicBaseUrl: string,
  bases: readonly string[],
  pick: (requestIndex: number) => number,
): CarrierTransport {
  let index = 0;
  return async (url, params, signature) => {
    const base = bases[pick(index++) % bases.length] as string;
    const response = await fetch(url.replace(publicBaseUrl, base), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params),
    });
    const body = await response.text();
    if (response.status !== 200)
      throw new Error(`carrier webhook ${url} answered ${response.status}: ${body}`);
    return body;
  };
}

/**
 * Which of `pids` owns the TCP socket bound to 127.0.0.1:`localPort` and connected to
 * `remotePort` (Linux: /proc/net/tcp names the socket's inode, /proc/<pid>/fd links to it).
 */
export async function socketOwner(
  localPort: number,
  remotePort: number,
  pids: readonly number[],
): Promise<number | undefined> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  const line = table
    .split('\n')
    .slice(1)
    .map((row) => row.trim().split(/\s+/))
    .find(
      (cols) => cols[1]?.endsWith(`:${hexPort(localPort)}`) && cols[2]?.endsWith(`:${hexPort(remotePort)}`),
    );
  const inode = line?.[9];
  if (!inode || inode === '0') return undefined;
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (target === `socket:[${inode}]`) return pid;
    }
  }
  return undefined;
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  /** the process that sent it, when it is one of the watched pids */
  pid: number | undefined;
}

/**
 * A real webhook target on 127.0.0.1: answers 200 after `delayMs` (so deliveries overlap) and
 * records every request with the process that sent it.
 */
export async function startDeliveryReceiver(pids: () => readonly number[], delayMs = 20) {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const remotePort = req.socket.remotePort ?? 0;
    // Look the sender up while its connection is certainly open.
    const owner = socketOwner(remotePort, port, pids());
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      deliveries.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        pid: await owner,
      });
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), delayMs);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Balancer {
  base: string;
  stop: () => Promise<void>;
}

/** Whether HAProxy is installed (Debian: `apt-get install haproxy`). */
export function haproxyInstalled(): boolean {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

/**
 * HAProxy in front of `backends` (round robin, keep-alive on both sides, no sticky sessions), in
 * the foreground as a child of the bench, listening on 127.0.0.1:`port`. Resolves when a request
 * through it reaches a server's /ready.
 */
export async function startHaproxy(port: number, backends: readonly string[]): Promise<Balancer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  await writeFile(
    config,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  option http-keep-alive',
      '  option forwardfor',
      '  timeout connect 5s',
      '  timeout client 120s',
      '  timeout server 120s',
      'frontend switchboard',
      `  bind 127.0.0.1:${port}`,
      '  default_backend servers',
      'backend servers',
      '  balance roundrobin',
      ...backends.map((backend, i) => `  server s${i + 1} ${new URL(backend).host}`),
      '',
    ].join('\n'),
  );
  // -db: stay in the foreground, so the bench owns the process and stops it
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + String(chunk)).slice(-5_000);
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`haproxy exited with ${child.exitCode}: ${errors}`);
    }
    try {
      if ((await fetch(`${base}/ready`)).status === 200) return { base, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 15_000) {
      await stop();
      throw new Error(`haproxy did not answer: ${errors}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

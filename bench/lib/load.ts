import autocannon, { type Request } from 'autocannon';
import { type CpuUse, cpuMeter, type Pids, trackPeakRss } from './server.js';

export interface Measurement {
  /** 2xx responses per second of wall time */
  requestsPerS: number;
  /** work items per second (flows for create-flows, else the same as requestsPerS) */
  itemsPerS: number;
  p50Ms: number;
  /** set by the scenarios whose goal names it (transcript search, reports); undefined where a scenario times itself (webhooks) */
  p95Ms?: number | undefined;
  p99Ms: number;
  requests: number;
  /** non-2xx answers, socket errors and timeouts, and failed items a 2xx body reported */
  errors: number;
  durationS: number;
  peakRssMiB: number | undefined;
  connections: number;
  /** CPU milliseconds per item: the server process's, and the database backends' (PostgreSQL) */
  cpuMsPerItem: CpuUse;
}

/** CPU time per item, in milliseconds. */
export const cpuPerItem = (use: CpuUse, items: number): CpuUse => ({
  server: items > 0 ? (use.server * 1000) / items : Number.NaN,
  database: items > 0 ? (use.database * 1000) / items : Number.NaN,
});

export interface LoadOptions {
  base: string;
  pid: Pids;
  connections: number;
  /** seconds; ignored when `amount` is set */
  duration: number;
  /** a fixed number of requests instead of a duration */
  amount?: number;
  request: Request;
  /** items a request carries (flows per create request); default 1 */
  itemsPerRequest?: number;
  /** failed items in a 2xx body (per-entry results); default none */
  failedItems?: (body: string) => number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/**
 * One autocannon run against the server process: latency is recorded per 2xx response at full
 * precision (autocannon's own histogram rounds to whole milliseconds), RSS is sampled throughout.
 */
export async function measure(options: LoadOptions): Promise<Measurement> {
  const latencies: number[] = [];
  let failedItems = 0;
  const request: Request = options.failedItems
    ? {
        ...options.request,
        onResponse: (status, body) => {
          if (status >= 200 && status < 300) failedItems += options.failedItems?.(body) ?? 0;
        },
      }
    : options.request;
  const rss = trackPeakRss(options.pid);
  const cpu = cpuMeter(options.pid);
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: options.base,
    // autocannon refuses more connections than requests
    connections: options.amount ? Math.min(options.connections, options.amount) : options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration }),
    timeout: 30,
    requests: [request],
  });
  let lastAnswer = started;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    lastAnswer = process.hrtime.bigint();
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  // Up to the last answer: autocannon itself stops only at its next one-second sample, so with a
  // fixed number of requests its run (and the wall time around it) lasts whole seconds.
  const durationS = Number(lastAnswer - started) / 1e9;
  const peakRssMiB = rss.stop();
  const cpuUse = cpu.stop();
  const sorted = Float64Array.from(latencies).sort();
  const ok = latencies.length;
  const items = ok * (options.itemsPerRequest ?? 1) - failedItems;
  return {
    requestsPerS: ok / durationS,
    itemsPerS: items / durationS,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    requests: ok,
    errors: result.non2xx + result.errors + failedItems,
    durationS,
    peakRssMiB,
    connections: options.connections,
    cpuMsPerItem: cpuPerItem(cpuUse, items),
  };
}

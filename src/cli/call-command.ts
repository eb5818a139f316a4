import { buildApp } from '../app.js';
import type { Config } from '../config.js';
import { openDb } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { UsageError } from '../errors.js';
import { createManualClock, systemClock } from '../lib/clock.js';
import { carrierAuthToken } from '../telephony/auth-token.js';
import { numberWebhookUrls } from '../telephony/callback-urls.js';
import { type CarrierTransport, type SimulationResult, simulateCall } from '../telephony/simulator.js';

export interface CallCommandOptions {
  to: string;
  from: string;
  press: string[];
  at?: string | undefined;
  answer: string;
  json: boolean;
  /** a running server; without it the command runs the server in this process */
  url?: string | undefined;
}

const LABELS: Record<string, string> = {
  hear: 'hears   ',
  press: 'presses ',
  silence: 'silence ',
  ring: 'rings   ',
  answered: 'answered',
  'no-answer': 'no answer',
  whisper: 'whisper ',
  voicemail: 'voicemail',
  hangup: 'hangup  ',
  rejected: 'rejected',
};

function print(result: SimulationResult, callId: number | undefined, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...result, call_id: callId ?? null }, null, 2)}\n`);
    return;
  }
  for (const step of result.steps)
    process.stdout.write(`  ${LABELS[step.kind] ?? step.kind}  ${step.detail}\n`);
  process.stdout.write(
    `\noutcome: ${result.outcome}  duration: ${result.durationSeconds} s  call: ${callId ?? result.callSid}\n`,
  );
}

/** `switchboard call`: one simulated inbound call through the real signed webhooks. */
export async function runCallCommand(config: Config, options: CallCommandOptions): Promise<void> {
  const call = { to: options.to, from: options.from, press: options.press, answer: options.answer };

  if (options.url) {
    if (!config.TWILIO_AUTH_TOKEN)
      throw new UsageError(
        "call --url needs TWILIO_AUTH_TOKEN: set it to the running server's carrier token (its banner says where it comes from)",
      );
    if (options.at)
      process.stderr.write('--at is ignored against a running server: it routes by its own clock\n');
    const base = options.url.replace(/\/+$/, '');
    const transport: CarrierTransport = async (url, params, signature) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params),
      });
      if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
      return response.text();
    };
    const result = await simulateCall(call, {
      ...numberWebhookUrls(base),
      authToken: config.TWILIO_AUTH_TOKEN,
      transport,
    });
    print(result, undefined, options.json);
    return;
  }

  const at = options.at ? new Date(options.at) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at ${options.at} is not an ISO date-time`);
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(db);
    const { token } = await carrierAuthToken(db, config.TWILIO_AUTH_TOKEN);
    const app = await buildApp({
      config,
      db,
      clock: at ? createManualClock(at) : systemClock,
      twilioAuthToken: token,
    });
    try {
      const transport: CarrierTransport = async (url, params, signature) => {
        const response = await app.inject({
          method: 'POST',
          url: url.slice(config.PUBLIC_BASE_URL.length),
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          payload: new URLSearchParams(params).toString(),
        });
        if (response.statusCode !== 200)
          throw new Error(`${url} answered ${response.statusCode}: ${response.body}`);
        return response.body;
      };
      const result = await simulateCall(call, {
        ...numberWebhookUrls(config.PUBLIC_BASE_URL),
        authToken: token,
        transport,
      });
      const { rows } = await db.query<{ call_id: number }>(
        'select call_id from call where carrier_call_sid = $1',
        [result.callSid],
      );
      print(result, rows[0]?.call_id, options.json);
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
  }
}

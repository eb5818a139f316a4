import pino from 'pino';
import { type App, buildApp, REDACTED_PATHS } from './app.js';
import type { Config } from './config.js';
import { type Db, describeDb, openDb } from './db/index.js';
import { migrate } from './db/migrate.js';
import { prepareGracefulClose } from './http/graceful-close.js';
import { type Clock, systemClock } from './lib/clock.js';
import { type SeedResult, seedDemo } from './seed.js';
import { carrierAuthToken } from './telephony/auth-token.js';
import { numberWebhookUrls } from './telephony/callback-urls.js';

const TOKEN_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * How long a stopping server goes on reading what already reached it (requests in its sockets'
 * buffers, connections in its listen backlog) before it closes idle keep-alive connections and
 * stops accepting: a request that was on its way when the signal came is answered, not reset.
 */
const SHUTDOWN_SETTLE_MS = 250;

export interface ServeOptions {
  /** registers more routes on the app before it listens (the bench's own routes: bench/lib/serve.ts) */
  extend?: (app: App, deps: { db: Db; clock: Clock }) => Promise<void>;
}

/**
 * The process: config -> db -> migrate -> seed -> app -> listen, and a graceful stop on SIGINT
 * or SIGTERM: every request received is answered (with `Connection: close`, so clients move on),
 * idle keep-alive connections are closed, in-flight requests and running jobs finish within
 * SHUTDOWN_GRACE_MS, then the database closes.
 */
export async function serve(config: Config, options: ServeOptions = {}): Promise<void> {
  const logger = pino({ level: config.LOG_LEVEL, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
  const dbOptions = {
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
  };
  const db = await openDb({ ...dbOptions, logger });
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');
  const seed = await seedDemo(db, {
    adminEmail: config.SWITCHBOARD_ADMIN_EMAIL,
    adminPassword: config.SWITCHBOARD_ADMIN_PASSWORD,
    clientId: config.SWITCHBOARD_OAUTH_CLIENT_ID,
    clientSecret: config.SWITCHBOARD_OAUTH_CLIENT_SECRET,
  });

  const carrierToken = await carrierAuthToken(db, config.TWILIO_AUTH_TOKEN);
  const app = await buildApp({ config, db, clock: systemClock, logger, twilioAuthToken: carrierToken.token });
  await options.extend?.(app, { db, clock: systemClock });
  let stopping = false;
  // Once stopping, every answer closes its connection: a keep-alive client opens its next
  // request elsewhere instead of racing the close of an idle socket.
  app.addHook('onSend', async (_request, reply) => {
    if (stopping) reply.header('connection', 'close');
  });
  // The requests being answered (until their response closes, so a hijacked stream counts too):
  // a stop that runs out of grace names them in its log instead of leaving a bare exit code 1.
  const answering = new Map<string, string>();
  app.addHook('onRequest', async (request, reply) => {
    answering.set(request.id, `${request.method} ${request.url.split('?')[0]}`);
    reply.raw.once('close', () => answering.delete(request.id));
  });
  const closeGracefully = prepareGracefulClose(app);
  await app.listen({ host: config.HOST, port: config.PORT });
  const purge = setInterval(() => {
    app.services.auth.purgeExpiredTokens().catch((err) => logger.warn({ err }, 'token purge failed'));
    app.services.sessions.purgeEnded().catch((err) => logger.warn({ err }, 'session purge failed'));
  }, TOKEN_PURGE_INTERVAL_MS);
  purge.unref();

  printBanner(config, describeDb(dbOptions), seed, carrierToken.generated ? carrierToken.token : undefined);

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // what the stop was doing, for the log of a stop that runs out of grace
    let stage = 'reading what already arrived';
    const force = setTimeout(() => {
      app.server.getConnections((_error, connections) => {
        const holding = { stage, connections, answering: [...answering.values()].slice(0, 20) };
        logger.error(holding, 'graceful shutdown timed out');
        process.exit(1);
      });
    }, config.SHUTDOWN_GRACE_MS);
    force.unref();
    clearInterval(purge);
    await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_SETTLE_MS));
    // Stops accepting, closes idle connections, waits for the requests in flight, then runs the
    // onClose hooks (the job runner finishes its jobs, the LISTEN session ends).
    stage = 'closing connections';
    app.server.once('close', () => {
      stage = 'finishing jobs and listeners';
    });
    await closeGracefully();
    stage = 'closing the database';
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** The first thing a new user reads. Generated secrets appear here once and nowhere else. */
function printBanner(
  config: Config,
  database: string,
  seed: SeedResult,
  generatedCarrierToken?: string,
): void {
  const base = config.PUBLIC_BASE_URL;
  const password = seed.generatedPassword ?? '<your password>';
  const secret = seed.generatedClientSecret ?? '<your client secret>';
  const webhooks = numberWebhookUrls(base);
  const lines = [
    '',
    `Switchboard is listening on ${base}`,
    `  Console:    ${base}/  (sign in as ${seed.adminEmail} with the password below)`,
    `  API docs:   ${base}/docs  (OpenAPI: ${base}/openapi.json)`,
    `  Database:   ${database}`,
    '',
    seed.seeded ? 'Demo account created:' : 'Demo account (created on first start):',
    `  e-mail:        ${seed.adminEmail}`,
    `  password:      ${seed.generatedPassword ?? (seed.seeded ? '(from SWITCHBOARD_ADMIN_PASSWORD)' : '(shown on first start)')}`,
    `  client_id:     ${seed.clientId}`,
    `  client_secret: ${seed.generatedClientSecret ?? (seed.seeded ? '(from SWITCHBOARD_OAUTH_CLIENT_SECRET)' : '(shown on first start)')}`,
    ...(seed.generatedPassword || seed.generatedClientSecret
      ? ['  Generated secrets are stored only as hashes: copy them now, they are not shown again.']
      : []),
    '',
    'Carrier webhooks (Twilio; with TWILIO_ACCOUNT_SID set, reserving a number wires it): point each number at',
    `  voice URL:       ${webhooks.voiceUrl}`,
    `  status callback: ${webhooks.statusUrl}`,
    `  signed with:     ${generatedCarrierToken ? `${generatedCarrierToken}  (generated, for the simulator; for real calls set TWILIO_AUTH_TOKEN to your carrier account's auth token)` : 'TWILIO_AUTH_TOKEN (or the token generated on first start)'}`,
    `  SignalWire LaML: ${base}/telephony/signalwire/voice, Telnyx TeXML: ${base}/telephony/telnyx/voice (README: carriers)`,
    '',
    'Get a token:',
    `  curl -s -X POST ${base}/oauth/token -d grant_type=password -d username=${seed.adminEmail} \\`,
    `    -d 'password=${password}' -d client_id=${seed.clientId} -d 'client_secret=${secret}'`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

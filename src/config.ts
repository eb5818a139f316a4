import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * DNI: peak demand over this many days sizes a pool (`GET /v2/numberpool/usage`). Fixed, not an
 * environment variable; retention (DNI_RETENTION_DAYS) must keep at least this much.
 */
export const USAGE_WINDOW_DAYS = 7;

/**
 * Every environment variable Switchboard reads, with its default and unit. This is the only
 * module that touches process.env; README.md and .env.example list the same variables.
 */
export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'interface the HTTP server binds to' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'HTTP port' }),
  PUBLIC_BASE_URL: Type.Optional(
    Type.String({ description: 'external URL of this server (default http://HOST:PORT)' }),
  ),
  DATA_DIR: Type.String({ default: './data', description: 'embedded database and files live here' }),
  DATABASE_URL: Type.Optional(
    Type.String({ description: 'postgres://... to use a PostgreSQL server instead of embedded PGlite' }),
  ),
  DATABASE_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, description: 'PostgreSQL connections' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  SWITCHBOARD_ADMIN_EMAIL: Type.String({ default: 'admin@example.com', description: 'demo admin e-mail' }),
  SWITCHBOARD_ADMIN_PASSWORD: Type.Optional(
    Type.String({ minLength: 8, description: 'demo admin password (generated when unset)' }),
  ),
  SWITCHBOARD_OAUTH_CLIENT_ID: Type.String({ default: 'switchboard', minLength: 1 }),
  SWITCHBOARD_OAUTH_CLIENT_SECRET: Type.Optional(
    Type.String({ minLength: 8, description: 'demo OAuth client secret (generated when unset)' }),
  ),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ default: 3600, minimum: 60 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ default: 30 * 24 * 3600, minimum: 60 }),
  OAUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 10, minimum: 1 }),
  SESSION_IDLE_MINUTES: Type.Integer({
    default: 60,
    minimum: 1,
    maximum: 10_080,
    description: 'console: a session with no request for this long ends (the user signs in again)',
  }),
  SESSION_MAX_HOURS: Type.Integer({
    default: 168,
    minimum: 1,
    maximum: 8_760,
    description: 'console: a session ends this long after sign-in, however active',
  }),
  V2_BUSINESS_ERROR_STATUS: Type.Union([Type.Literal('4xx'), Type.Literal('200')], {
    default: '4xx',
    description: "'200' answers V2 business errors with HTTP 200, as Convirza's service did",
  }),
  TRUST_PROXY: Type.String({
    default: '',
    description:
      "which proxies may set X-Forwarded-For: '' (none), 'true' (any), or comma-separated addresses/CIDRs",
  }),
  TWILIO_AUTH_TOKEN: Type.Optional(
    Type.String({ minLength: 8, description: 'signs carrier webhooks (generated and stored when unset)' }),
  ),
  SHUTDOWN_GRACE_MS: Type.Integer({ default: 10_000, minimum: 0 }),
  DNI_COOLDOWN_MINUTES: Type.Integer({
    default: 10,
    minimum: 0,
    maximum: 1440,
    description: 'DNI: a pool number whose lease ended waits this long before another visitor gets it',
  }),
  DNI_ATTRIBUTION_GRACE_MINUTES: Type.Integer({
    default: 10,
    minimum: 0,
    maximum: 1440,
    description: 'DNI: a call this long after a lease ended is still attributed to it (confidence grace)',
  }),
  DNI_RETENTION_DAYS: Type.Integer({
    default: 30,
    minimum: 1,
    maximum: 36_500,
    description: `DNI: leases and visits are deleted this long after they ended (hourly); at least the ${USAGE_WINDOW_DAYS}-day pool-usage window plus DNI_COOLDOWN_MINUTES and DNI_ATTRIBUTION_GRACE_MINUTES`,
  }),
  POOL_SAMPLE_MINUTES: Type.Integer({
    default: 15,
    minimum: 1,
    maximum: 1440,
    description:
      "DNI: every this many minutes each number pool's size, leased numbers, live and shared visitors are recorded (once across all processes), for the pool's usage history",
  }),
  POOL_HISTORY_DAYS: Type.Integer({
    default: 90,
    minimum: 1,
    maximum: 36_500,
    description: 'DNI: pool usage samples older than this are deleted (by the sampling job)',
  }),
  JOB_RETENTION_DAYS: Type.Integer({
    default: 14,
    minimum: 1,
    maximum: 36_500,
    description:
      'jobs that finished (done or failed) this long ago are deleted (hourly); unfinished jobs are kept',
  }),
  DELIVERY_LOG_RETENTION_DAYS: Type.Integer({
    default: 90,
    minimum: 1,
    maximum: 36_500,
    description:
      'webhook deliveries (with their attempts), call-action results and call e-mail notifications finished this long ago are deleted (hourly); pending ones are kept',
  }),
  DNI_RATE_LIMIT_PER_MINUTE: Type.Integer({
    default: 300,
    minimum: 1,
    description: 'DNI: number requests per client IP per minute (the public endpoint the snippet calls)',
  }),
  SMTP_URL: Type.Optional(
    Type.String({ description: 'smtp://user:pass@host:587 or smtps://...; e-mail is not sent when unset' }),
  ),
  EMAIL_FROM: Type.String({
    default: 'no-reply@messages.services',
    description: "sender of every e-mail (V2's sender by default)",
  }),
  TWILIO_API_BASE_URL: Type.String({
    default: 'https://api.twilio.com',
    description: "Twilio's REST API base URL, for SMS alerts (any Twilio-compatible Messages API)",
  }),
  TWILIO_ACCOUNT_SID: Type.Optional(
    Type.String({
      description:
        'Twilio account: SMS alerts (none when unset), recording downloads, and buying, wiring and releasing numbers',
    }),
  ),
  STORAGE_BUCKET: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'S3-compatible bucket for recordings, voicemails, uploaded audio and group logos (AWS S3, Cloudflare R2, MinIO); unset: DATA_DIR',
    }),
  ),
  STORAGE_PREFIX: Type.String({ default: '', description: 'a folder inside the bucket' }),
  STORAGE_ENDPOINT: Type.Optional(
    Type.String({ description: "the S3 API's URL for R2, MinIO ...; unset for AWS S3" }),
  ),
  STORAGE_REGION: Type.String({ default: 'us-east-1', description: "the bucket's region (`auto` for R2)" }),
  STORAGE_FORCE_PATH_STYLE: Type.Boolean({
    default: false,
    description: 'path-style URLs (endpoint/bucket/key), which MinIO needs',
  }),
  STORAGE_ACCESS_KEY_ID: Type.Optional(
    Type.String({
      description: "the bucket's access key; unset: the AWS SDK's own chain (AWS_ACCESS_KEY_ID ...)",
    }),
  ),
  STORAGE_SECRET_ACCESS_KEY: Type.Optional(Type.String({ description: 'its secret' })),
  TWILIO_TWIMLETS_BASE_URL: Type.String({
    default: 'https://twimlets.com',
    description:
      "Twilio's hosted TwiML apps: a number's fallback URL forwards to its backup number through them",
  }),
  CARRIER: Type.Union([Type.Literal('twilio'), Type.Literal('signalwire'), Type.Literal('telnyx')], {
    default: 'twilio',
    description:
      "the carrier account numbers are searched, bought, wired and released at (every carrier's webhooks are answered whatever this says)",
  }),
  SIGNALWIRE_SPACE_URL: Type.Optional(
    Type.String({
      description:
        'your SignalWire space, e.g. https://example.signalwire.com; its LaML REST API is at /api/laml/2010-04-01 below it',
    }),
  ),
  SIGNALWIRE_PROJECT_ID: Type.Optional(
    Type.String({
      description: 'SignalWire project id (the LaML API’s AccountSid): buying and wiring numbers',
    }),
  ),
  SIGNALWIRE_API_TOKEN: Type.Optional(
    Type.String({
      minLength: 8,
      description:
        'SignalWire API token (the REST password); spaces made before signing keys sign webhooks with it too',
    }),
  ),
  SIGNALWIRE_SIGNING_KEY: Type.Optional(
    Type.String({
      minLength: 8,
      description:
        'SignalWire signing key (API Credentials page, PSK_…): checks X-SignalWire-Signature on /telephony/signalwire',
    }),
  ),
  TELNYX_API_BASE_URL: Type.String({
    default: 'https://api.telnyx.com/v2',
    description: "Telnyx's REST API (v2) base URL",
  }),
  TELNYX_API_KEY: Type.Optional(
    Type.String({
      minLength: 8,
      description: 'Telnyx API key (Bearer): buying, wiring and releasing numbers',
    }),
  ),
  TELNYX_PUBLIC_KEY: Type.Optional(
    Type.String({
      description:
        'Telnyx webhook public key (base64 Ed25519, Mission Control > Keys): checks telnyx-signature-ed25519 on /telephony/telnyx',
    }),
  ),
  TELNYX_TEXML_APP_ID: Type.Optional(
    Type.String({
      description:
        'the TeXML application numbers are assigned to; provisioning points its voice and status URLs at this server',
    }),
  ),
  TELNYX_MESSAGING_PROFILE_ID: Type.Optional(
    Type.String({
      description:
        "the messaging profile numbers' texts go to; provisioning assigns numbers to it and points its webhook URL at /telephony/telnyx/sms",
    }),
  ),
  TELNYX_SIGNATURE_TOLERANCE_SECONDS: Type.Integer({
    default: 300,
    minimum: 1,
    maximum: 3600,
    description: 'a Telnyx webhook whose telnyx-timestamp is further than this from now is refused (replays)',
  }),
  SMS_FROM_NUMBER: Type.Optional(Type.String({ description: 'sender number of SMS alerts (E.164)' })),
  OUTBOUND_HTTP_TIMEOUT_MS: Type.Integer({
    default: 10_000,
    minimum: 100,
    description: 'timeout of call-action HTTP posts and SMS requests',
  }),
  JOBS_POLL_INTERVAL_MS: Type.Integer({
    default: 1000,
    minimum: 0,
    description:
      'how often the job runner looks for due jobs (it also wakes on each enqueue); 0 turns it off',
  }),
  JOBS_LEASE_MS: Type.Integer({
    default: 15_000,
    minimum: 1000,
    description:
      'how long a claimed job is held, renewed every third of it while the job runs; a job of a killed process runs again within this',
  }),
  JOBS_CONCURRENCY: Type.Integer({
    default: 16,
    minimum: 1,
    description: 'jobs one process runs at once (they mostly wait on HTTP and the database)',
  }),
  CALL_SETTLE_WINDOW_SECONDS: Type.Integer({
    default: 30,
    minimum: 0,
    maximum: 3600,
    description:
      'how long after the final status callback the post-call work waits for a dial or recording result still to come (it runs as soon as the result arrives)',
  }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({
    default: 10_000,
    minimum: 100,
    description: 'how long a webhook target may take to answer one delivery attempt',
  }),
  WEBHOOK_RETRY_HOURS: Type.Number({
    default: 24,
    minimum: 0,
    description:
      'how long a failing webhook delivery is retried (exponential back-off) before it is marked failed',
  }),
  TRANSCRIPTION_PROVIDER: Type.Union([Type.Literal('openai'), Type.Literal('deepgram')], {
    default: 'openai',
    description:
      "'openai': any OpenAI-compatible POST {TRANSCRIPTION_URL}/audio/transcriptions (OpenAI, Groq, faster-whisper, whisper.cpp); 'deepgram': Deepgram's pre-recorded API",
  }),
  TRANSCRIPTION_URL: Type.Optional(
    Type.String({
      description:
        'transcription API base, e.g. https://api.openai.com/v1 (deepgram: https://api.deepgram.com/v1 by default); no recording is sent anywhere while no provider is configured',
    }),
  ),
  TRANSCRIPTION_API_KEY: Type.Optional(
    Type.String({ description: 'the provider key (Bearer for openai, Token for deepgram); never logged' }),
  ),
  TRANSCRIPTION_MODEL: Type.Optional(
    Type.String({ description: "the provider's model (default whisper-1 for openai, nova-2 for deepgram)" }),
  ),
  TRANSCRIPTION_TIMEOUT_MS: Type.Integer({
    default: 300_000,
    minimum: 1000,
    description: 'how long one transcription request may take',
  }),
  TRANSCRIPTION_MAX_ATTEMPTS: Type.Integer({
    default: 8,
    minimum: 1,
    maximum: 100,
    description:
      'provider attempts per call before its transcript is marked failed (429 with Retry-After, 5xx, timeouts are tried again)',
  }),
  ANALYSIS_URL: Type.Optional(
    Type.String({
      description:
        'optional model scoring of indicators: an OpenAI-compatible chat-completions API base, e.g. https://api.openai.com/v1 (POST {ANALYSIS_URL}/chat/completions); no transcript is sent anywhere while unset',
    }),
  ),
  ANALYSIS_API_KEY: Type.Optional(
    Type.String({ description: 'the chat-completions key (Bearer); never logged' }),
  ),
  ANALYSIS_MODEL: Type.Optional(Type.String({ description: 'the chat model (default gpt-4o-mini)' })),
  ANALYSIS_TIMEOUT_MS: Type.Integer({
    default: 60_000,
    minimum: 1000,
    description: 'how long one model-scoring request may take',
  }),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: Type.Boolean({
    default: false,
    description: 'allow webhook targets on private or loopback addresses (tests, private networks)',
  }),
});

export type Config = Static<typeof ConfigSchema> & { PUBLIC_BASE_URL: string; DATA_DIR: string };

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(ConfigSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  const converted = Value.Convert(ConfigSchema, withDefaults);
  const errors = [...Value.Errors(ConfigSchema, converted)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.path.slice(1) || '(root)'}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const config = converted as Static<typeof ConfigSchema>;
  // Pool usage reads leases whose cooldown ended within the window, attribution those that ended
  // within the grace: retention must not delete either.
  const keptMinutes =
    USAGE_WINDOW_DAYS * 1440 + config.DNI_COOLDOWN_MINUTES + config.DNI_ATTRIBUTION_GRACE_MINUTES;
  if (config.DNI_RETENTION_DAYS * 1440 < keptMinutes) {
    throw new ConfigError(
      `invalid configuration:\n  DNI_RETENTION_DAYS: must be at least ${Math.ceil(keptMinutes / 1440)} (the ${USAGE_WINDOW_DAYS}-day pool-usage window plus DNI_COOLDOWN_MINUTES and DNI_ATTRIBUTION_GRACE_MINUTES)`,
    );
  }
  const publicBase =
    config.PUBLIC_BASE_URL ??
    `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  return {
    ...config,
    DATA_DIR: path.resolve(config.DATA_DIR),
    PUBLIC_BASE_URL: publicBase.replace(/\/+$/, ''),
  };
}

/** TRUST_PROXY as Fastify's trustProxy option. Off by default: a client could forge its address. */
export function trustProxyOption(value: string): boolean | string[] {
  const text = value.trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

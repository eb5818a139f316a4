import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

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

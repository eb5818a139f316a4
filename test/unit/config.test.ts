import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, trustProxyOption } from '../../src/config.js';

describe('loadConfig', () => {
  it('has laptop-safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      DATA_DIR: path.resolve('./data'),
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      SWITCHBOARD_ADMIN_EMAIL: 'admin@example.com',
      SWITCHBOARD_OAUTH_CLIENT_ID: 'switchboard',
      ACCESS_TOKEN_TTL_SECONDS: 3600,
      REFRESH_TOKEN_TTL_SECONDS: 2_592_000,
      OAUTH_RATE_LIMIT_PER_MINUTE: 10,
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('hands the jobs of a process that died to another within 30 s by default', () => {
    const config = loadConfig({});
    expect(config.JOBS_LEASE_MS + config.JOBS_POLL_INTERVAL_MS).toBeLessThan(30_000);
  });

  it('converts numbers and strips a trailing slash from the public URL', () => {
    const config = loadConfig({ PORT: '8080', PUBLIC_BASE_URL: 'https://calls.example.com/' });
    expect(config.PORT).toBe(8080);
    expect(config.PUBLIC_BASE_URL).toBe('https://calls.example.com');
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (error) {
      expect((error as Error).message).toContain('PORT');
      expect((error as Error).message).toContain('LOG_LEVEL');
    }
  });

  it('refuses a short admin password', () => {
    expect(() => loadConfig({ SWITCHBOARD_ADMIN_PASSWORD: 'short' })).toThrow(/SWITCHBOARD_ADMIN_PASSWORD/);
  });
});

describe('trustProxyOption', () => {
  it('trusts no proxy unless told', () => {
    expect(trustProxyOption(loadConfig({}).TRUST_PROXY)).toBe(false);
    expect(trustProxyOption('true')).toBe(true);
    expect(trustProxyOption('10.0.0.0/8, 127.0.0.1')).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });
});

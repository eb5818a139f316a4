import { defineConfig } from 'vitest/config';

/**
 * The suite runs once on embedded PGlite and, when TEST_DATABASE_URL is set, once more on that
 * PostgreSQL server (each test file in a fresh database it creates and drops).
 */
const engines = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    projects: engines.map((engine) => ({
      extends: true,
      test: {
        name: engine,
        include: ['test/**/*.test.ts'],
        // Pure unit tests (no database) need no second run.
        ...(engine === 'postgres' ? { exclude: ['test/unit/**'] } : {}),
        env: { TEST_ENGINE: engine },
      },
    })),
  },
});

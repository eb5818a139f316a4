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
    // Vitest runs (cores - 1) files at a time unless told: on the 2-core machines the suite is
    // measured on, one file at a time, while the server processes, browsers and PostgreSQL the
    // tests start leave the other core mostly idle. Two files at a time keep both busy.
    maxWorkers: 2,
    // Test files share their worker's modules instead of importing the app afresh each (about 3 s
    // of CPU per file here, a quarter of the suite's time). Nothing in src/ keeps state between
    // apps but data caches, and no test stubs a module, a global or the environment.
    isolate: false,
    globalSetup: ['test/global-setup.ts'],
    projects: [
      // Pure unit tests (no database, no server) run once, not per engine.
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // no TEST_ENGINE: no template database is made for them
          env: {},
        },
      },
      ...engines.map((engine) => ({
        extends: true as const,
        test: {
          name: engine,
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**'],
          env: { TEST_ENGINE: engine },
        },
      })),
    ],
  },
});

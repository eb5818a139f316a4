import type { TestProject } from 'vitest/node';
import { installChromium } from './helpers/chromium.js';
import { ensureConsoleBuilt } from './helpers/console-build.js';
import {
  createPgliteTemplate,
  createPostgresTemplate,
  type DatabaseTemplate,
} from './helpers/db-template.js';

/**
 * Unpacks the packaged Chromium and builds the console (when its build is stale) once, before the
 * test files that drive them start in parallel; and, per engine project, migrates the template
 * database every test file's database is copied from (removed again when the run ends).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  await Promise.all([installChromium(), ensureConsoleBuilt()]);
  let template: DatabaseTemplate | undefined;
  const engine = project.config.env?.TEST_ENGINE;
  if (engine === 'pglite') {
    template = await createPgliteTemplate();
    project.provide('pgliteTemplate', template.location);
  } else if (engine === 'postgres') {
    template = await createPostgresTemplate(process.env.TEST_DATABASE_URL as string);
    project.provide('postgresTemplate', template.location);
  }
  return template?.remove;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { seedDemo } from '../../src/seed.js';
import { createTestDb } from '../helpers/db.js';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.close());

const counts = async () =>
  (
    await db.query(
      `select (select count(*)::int from org_group) as groups, (select count(*)::int from app_user) as users,
              (select count(*)::int from oauth_client) as clients, (select count(*)::int from phone_number) as numbers`,
    )
  ).rows[0];

describe('seedDemo', () => {
  it('creates agency -> company -> location, an admin, a client and a number inventory once', async () => {
    const first = await seedDemo(db, { adminEmail: 'owner@example.test', clientId: 'switchboard' });
    expect(first.seeded).toBe(true);
    expect(first.generatedPassword).toMatch(/^[\w-]{16}$/);
    expect(first.generatedClientSecret).toMatch(/^[\w-]{24}$/);
    const { rows } = await db.query<{ group_name: string; depth: number }>(
      'select group_name, array_length(path, 1) as depth from org_group order by group_id',
    );
    expect(rows).toEqual([
      { group_name: 'Demo Agency', depth: 1 },
      { group_name: 'Demo Company', depth: 2 },
      { group_name: 'Demo Location', depth: 3 },
    ]);
    expect(await counts()).toEqual({ groups: 3, users: 1, clients: 1, numbers: 200 });
    const secrets = await db.query<{ secret_hash: string }>('select secret_hash from oauth_client');
    expect(secrets.rows[0]?.secret_hash).not.toContain(first.generatedClientSecret);

    const second = await seedDemo(db, { adminEmail: 'owner@example.test', clientId: 'switchboard' });
    expect(second).toEqual({ seeded: false, adminEmail: 'owner@example.test', clientId: 'switchboard' });
    expect(await counts()).toEqual({ groups: 3, users: 1, clients: 1, numbers: 200 });
  });

  it('applies a client secret from the environment on a later start, without seeding again', async () => {
    const before = await db.query<{ secret_hash: string }>(
      "select secret_hash from oauth_client where client_id = 'switchboard'",
    );
    const again = await seedDemo(db, {
      adminEmail: 'owner@example.test',
      clientId: 'switchboard',
      clientSecret: 'rotated-secret',
    });
    expect(again.seeded).toBe(false);
    const after = await db.query<{ secret_hash: string }>(
      "select secret_hash from oauth_client where client_id = 'switchboard'",
    );
    expect(after.rows[0]?.secret_hash).not.toBe(before.rows[0]?.secret_hash);
    expect(await counts()).toEqual({ groups: 3, users: 1, clients: 1, numbers: 200 });
  });
});

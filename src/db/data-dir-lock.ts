import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { UsageError } from '../errors.js';

/**
 * One process owns a PGlite data folder: two would write the same files and each see its own
 * database (a call recorded by one never exists for the other). The lock is a directory next to
 * the folder (`<folder>.lock`, proper-lockfile: atomic mkdir, its mtime refreshed every
 * LOCK_UPDATE_MS while held); a lock not refreshed for LOCK_STALE_MS belongs to a process that
 * died and is taken over. The owner's pid and host are written beside it (`<folder>.owner`), so
 * a second process on the same host refuses at once while that pid lives, and waits out the
 * stale time only when the owner died or runs elsewhere.
 */
const LOCK_STALE_MS = 10_000;
const LOCK_UPDATE_MS = 2_000;

interface Owner {
  pid: number;
  hostname: string;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function readOwner(ownerPath: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(ownerPath, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.hostname === 'string'
      ? { pid: owner.pid, hostname: owner.hostname }
      : undefined;
  } catch {
    return undefined;
  }
}

export const dataDirInUse = (folder: string, owner: Owner | undefined) =>
  new UsageError(
    `${folder} is in use by another Switchboard process${owner ? ` (pid ${owner.pid} on ${owner.hostname})` : ''}: one process owns an embedded database. Stop that server first, or talk to it instead (switchboard call --url http://<its host>:<its port>).`,
  );

/** Locks the embedded database folder for this process; resolves to its release. */
export async function lockDataFolder(folder: string): Promise<() => Promise<void>> {
  const ownerPath = `${folder}.owner`;
  const options = { realpath: false, stale: LOCK_STALE_MS, update: LOCK_UPDATE_MS };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(folder, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readOwner(ownerPath);
    if (owner && owner.hostname === os.hostname() && owner.pid !== process.pid && isAlive(owner.pid))
      throw dataDirInUse(folder, owner);
    // The owner died (its lock goes stale) or runs on another host (alive while it refreshes).
    try {
      release = await lockfile.lock(folder, {
        ...options,
        retries: { retries: Math.ceil(LOCK_STALE_MS / 500) + 4, minTimeout: 500, maxTimeout: 500, factor: 1 },
      });
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw dataDirInUse(folder, owner);
      throw again;
    }
  }
  await writeFile(ownerPath, JSON.stringify({ pid: process.pid, hostname: os.hostname() }));
  return release;
}

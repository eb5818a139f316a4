import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Db } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { type ObjectStore, readObject } from '../../lib/object-store.js';
import type { Principal } from '../auth/principal.js';
import { createGroupLogoRepo, type LogoRow } from './group-logo.repo.js';
import { createGroupsRepo } from './groups.repo.js';

/**
 * A group's brand logo (issue 22): a PNG or JPEG the reports draw beside the group's name. The
 * bytes go to the object store under `logos/<group_id>/` (the data folder or the bucket, as
 * recordings); a group without one uses its nearest ancestor's.
 */

export const MAX_LOGO_BYTES = 512 * 1024;

const LOGO_NOT_FOUND = 'No logo found';
export const NOT_MULTIPART = 'The request must be multipart/form-data with the image in the field "file"';
export const NO_FILE = 'Please upload a PNG or JPEG image in the field "file"';
const WRONG_TYPE = 'The logo must be a PNG or JPEG image';
export const TOO_LARGE = `The logo is larger than ${MAX_LOGO_BYTES / 1024} kB`;

export const logoUploadError = (message: string) => invalidInput(message);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image's type by its first bytes (never by its name or declared type), or undefined. */
export function imageTypeOf(bytes: Buffer): LogoRow['content_type'] | undefined {
  if (bytes.length > PNG_SIGNATURE.length && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

export interface LogoUpload {
  /** `group_id` as the form sent it; the caller's group when absent */
  groupId?: string | undefined;
  /** the parts in the field `file` */
  files: Buffer[];
}

export interface LogoMetadata {
  group_id: number;
  content_type: string;
  bytes: number;
  updated_at: string;
  inherited: boolean;
}

const toMetadata = (row: LogoRow, groupId: number): LogoMetadata => ({
  group_id: row.group_id,
  content_type: row.content_type,
  bytes: row.bytes,
  updated_at: row.updated_at,
  inherited: row.group_id !== groupId,
});

export function createGroupLogoService({ db, clock, store }: { db: Db; clock: Clock; store: ObjectStore }) {
  const repo = createGroupLogoRepo(db);
  const groups = createGroupsRepo(db);

  /** `group_id` checked against the caller's subtree; the caller's group when absent. */
  async function scopedGroup(principal: Principal, groupId: number | string | undefined): Promise<number> {
    if (groupId === undefined || groupId === '') return principal.groupId;
    const id = Number(groupId);
    const text = String(groupId).slice(0, 32);
    if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647 || !/^\d+$/.test(String(groupId)))
      throw invalidInput(`Invalid group_id: ${text}`);
    if (!(await groups.findInScope(principal.groupId, id)))
      throw invalidInput(`group_id ${text} is not a group you can access`);
    return id;
  }

  return {
    async upload(principal: Principal, upload: LogoUpload): Promise<LogoMetadata> {
      const groupId = await scopedGroup(principal, upload.groupId);
      const [file, ...more] = upload.files;
      if (!file || more.length > 0) throw logoUploadError(NO_FILE);
      if (file.length > MAX_LOGO_BYTES) throw logoUploadError(TOO_LARGE);
      const contentType = imageTypeOf(file);
      if (!contentType) throw logoUploadError(WRONG_TYPE);
      // a new key per upload: the row names the new image only once it is whole in the store
      const key = `logos/${groupId}/${randomUUID()}.${contentType === 'image/png' ? 'png' : 'jpg'}`;
      await store.put(key, file, contentType);
      const previous = await repo
        .upsert(
          { group_id: groupId, storage_key: key, content_type: contentType, bytes: file.length },
          clock.now(),
        )
        .catch(async (error) => {
          await store.remove(key);
          throw error;
        });
      if (previous && previous !== key) await store.remove(previous);
      const row = await repo.effective(groupId);
      if (!row) throw notFound(LOGO_NOT_FOUND);
      return toMetadata(row, groupId);
    },

    /** The logo that brands `group_id`'s reports: its own or its nearest ancestor's. */
    async get(principal: Principal, groupId: number | undefined): Promise<LogoMetadata> {
      const id = await scopedGroup(principal, groupId);
      const row = await repo.effective(id);
      if (!row) throw notFound(LOGO_NOT_FOUND);
      return toMetadata(row, id);
    },

    async open(
      principal: Principal,
      groupId: number | undefined,
    ): Promise<{ stream: Readable; size: number; contentType: string }> {
      const id = await scopedGroup(principal, groupId);
      const row = await repo.effective(id);
      const object = row && (await store.open(row.storage_key));
      if (!row || !object) throw notFound(LOGO_NOT_FOUND);
      return { stream: object.stream, size: object.size, contentType: row.content_type };
    },

    /** Removes the group's own logo (an ancestor's then applies again). */
    async remove(principal: Principal, groupId: number | undefined): Promise<{ group_id: number }> {
      const id = await scopedGroup(principal, groupId);
      const key = await repo.remove(id);
      if (!key) throw notFound(LOGO_NOT_FOUND);
      await store.remove(key);
      return { group_id: id };
    },

    /** The image bytes that brand the reports of `groupId`, or undefined (for the PDF). */
    async imageFor(groupId: number): Promise<Buffer | undefined> {
      const row = await repo.effective(groupId);
      return row ? readObject(store, row.storage_key) : undefined;
    },
  };
}

export type GroupLogoService = ReturnType<typeof createGroupLogoService>;

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Db, Queryable } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { ObjectStore } from '../../lib/object-store.js';
import { toNanp10 } from '../../lib/phone.js';
import type { Principal } from '../auth/principal.js';
import { applyEntries, type EntryResult } from '../shared/entries.js';
import { type ListQuery, toPage } from '../shared/list.js';
import { AUDIO_CONTENT_TYPES, type AudioFormat, audioFormatOf } from './audio-format.js';
import { type GeoPlace, isRegionCode, lookupNpa, lookupZip } from './geo.js';
import {
  type AudioRow,
  audioFilterFields,
  type BranchRow,
  type BranchValues,
  channelFilterFields,
  createMiscRepo,
  type LocationRow,
  locationFilterFields,
  rateCenterFilterFields,
} from './misc.repo.js';
import type {
  AudioFile,
  BranchInput,
  Channel,
  GeoLocation,
  GeoLocationQuery,
  Location,
  LocationEntry,
} from './misc.schemas.js';

export type AudioType = 'prompt' | 'whisper';

/** V2 allows at most this many files in one upload request. */
export const MAX_AUDIO_FILES = 15;
export const MAX_AUDIO_BYTES = 10 * 1024 * 1024;

// Audio uploads answer errors in `data` (repeated in `err`). The first two are V2's own strings.
const WRONG_FORMAT = 'Incorrect File Format. It Should Be mp3/wav';
const TOO_MANY_FILES = `This method only support ${MAX_AUDIO_FILES} files at a Time`;
const NO_FILE = 'Please upload at least one mp3/wav file';
const NOT_MULTIPART = 'The request must be multipart/form-data with the file in the field "file"';

const uploadError = (message: string) => invalidInput(message, { data: message });
export const tooManyAudioFiles = () => uploadError(TOO_MANY_FILES);
export const notMultipart = () => uploadError(NOT_MULTIPART);

export interface UploadedFile {
  /** the name the client gave the file */
  fileName: string;
  data: Buffer;
}

export interface AudioDownload {
  stream: Readable;
  contentType: string;
  size: number;
  /** the original name with its extension */
  fileName: string;
}

const toGeoLocation = (place: GeoPlace): GeoLocation => ({
  zip: place.zip,
  npa: place.npa,
  city: place.city,
  state: place.state,
  latitude: place.latitude,
  longitude: place.longitude,
  timezone: place.timezone,
});

const toChannel = (row: { channel_id: number; category: string; sub_category: string }): Channel => ({
  channel_id: row.channel_id,
  channel: `${row.category}: ${row.sub_category}`,
  category: row.category,
  sub_category: row.sub_category,
});

/** Checks one branch and fills what its ZIP code knows (city, state, coordinates). */
function toBranchValues(branch: BranchInput, index: number): BranchValues {
  const fail = (reason: string) => invalidInput(`branches[${index}]: ${reason}`);
  const targetDid = toNanp10(branch.target_did);
  if (targetDid === undefined) throw fail(`target_did ${branch.target_did} is not a valid 10-digit number`);
  if ((branch.latitude === undefined) !== (branch.longitude === undefined)) {
    throw fail('latitude and longitude must be given together');
  }
  const state = branch.state?.toUpperCase();
  if (state !== undefined && !isRegionCode(state)) throw fail(`state ${branch.state} is not a known state`);
  const claimedStates = [...new Set((branch.claimed_states ?? []).map((s) => s.toUpperCase()))];
  const unknownState = claimedStates.find((s) => !isRegionCode(s));
  if (unknownState) throw fail(`claimed state ${unknownState} is not a known state`);
  const place = branch.zip === undefined ? undefined : lookupZip(branch.zip);
  return {
    branch_name: branch.branch_name?.trim() ?? '',
    target_did: targetDid,
    address: branch.address?.trim() || null,
    city: branch.city?.trim() || place?.city || null,
    state: state ?? place?.state ?? null,
    zip: branch.zip ?? null,
    latitude: branch.latitude ?? place?.latitude ?? null,
    longitude: branch.longitude ?? place?.longitude ?? null,
    claimed_states: claimedStates,
    claimed_zips: [...new Set(branch.claimed_zips ?? [])],
  };
}

/** Claimed State and Claimed Zip routing must pick one branch, so no claim may appear twice. */
function checkClaimsAreUnique(branches: readonly BranchValues[]): void {
  const seen = { state: new Set<string>(), zip: new Set<string>() };
  for (const branch of branches) {
    for (const [kind, values] of [
      ['state', branch.claimed_states],
      ['zip', branch.claimed_zips],
    ] as const) {
      for (const value of values) {
        if (seen[kind].has(value))
          throw invalidInput(`Claimed ${kind} ${value} is claimed by more than one branch`);
        seen[kind].add(value);
      }
    }
  }
}

const safeFileName = (name: string) => name.replace(/[^\w. -]/g, '_');

export function createMiscService({
  db,
  clock,
  store,
  publicBaseUrl,
}: {
  db: Db;
  clock: Clock;
  /** audio goes under audio/<group_id>/ in the data folder or the bucket */
  store: ObjectStore;
  /** absolute base of recordURL links */
  publicBaseUrl: string;
}) {
  const repo = createMiscRepo(db);

  const toAudioFile = (row: AudioRow): AudioFile => ({
    uploaded_on: row.uploaded_on,
    file_name: row.file_name,
    org_unit_id: row.group_id,
    type: row.audio_type,
    reference_id: row.reference_id,
    recordURL: `${publicBaseUrl}/v2/misc/audio/${row.audio_file_id}`,
  });

  const toLocation = (row: LocationRow, branches: BranchRow[]): Location => ({
    location_id: row.location_id,
    org_unit_id: row.group_id,
    location_name: row.location_name,
    location_active: row.location_active,
    location_created: row.location_created,
    location_modified: row.location_modified,
    branches: branches
      .filter((branch) => branch.location_id === row.location_id)
      .map(({ location_id: _, ...branch }) => branch),
  });

  async function saveLocation(tx: Queryable, principal: Principal, entry: LocationEntry): Promise<number> {
    const txRepo = createMiscRepo(tx);
    const branches = entry.branches.map(toBranchValues);
    checkClaimsAreUnique(branches);
    const groupId = entry.org_unit_id ?? principal.groupId;
    if (!(await txRepo.groupInScope(principal.groupId, groupId))) {
      throw invalidInput(`org_unit_id ${groupId} is not a group you can access`);
    }
    const values = {
      group_id: groupId,
      location_name: entry.location_name.trim(),
      location_active: entry.location_active ?? true,
      now: clock.now(),
    };
    if (values.location_name === '') throw invalidInput('location_name must not be blank');

    let locationId: number;
    if (entry.location_id) {
      const existing = await txRepo.findLocationInScope(principal.groupId, entry.location_id);
      if (!existing) throw invalidInput(`location_id ${entry.location_id} is not a location you can access`);
      locationId = existing.location_id;
      await txRepo.updateLocation(locationId, values);
      await txRepo.deleteBranches(locationId);
    } else {
      locationId = await txRepo.insertLocation(values);
    }
    await txRepo.insertBranches(locationId, branches);
    return locationId;
  }

  async function storeAudio(principal: Principal, type: AudioType, files: readonly UploadedFile[]) {
    const formats: AudioFormat[] = files.map((file) => {
      const format = audioFormatOf(file.fileName, file.data);
      if (format === undefined) throw uploadError(WRONG_FORMAT);
      return format;
    });
    const relativeDir = `audio/${principal.groupId}`;
    const written: string[] = [];
    try {
      const rows = files.map((file, i) => {
        const format = formats[i] as AudioFormat;
        const referenceId = `${randomUUID()}.${format}`;
        return {
          group_id: principal.groupId,
          audio_type: type,
          // clients may send a full path; V2 lists the bare name without its extension
          file_name: path.basename(file.fileName.replace(/\\/g, '/')).replace(/\.[^.]*$/, ''),
          format,
          size_bytes: file.data.length,
          reference_id: referenceId,
          storage_path: `${relativeDir}/${referenceId}`,
          uploaded_by: principal.userId,
          uploaded_on: clock.now(),
        };
      });
      for (const [i, row] of rows.entries()) {
        await store.put(row.storage_path, (files[i] as UploadedFile).data, AUDIO_CONTENT_TYPES[row.format]);
        written.push(row.storage_path);
      }
      // Files first, rows second: a row never points at a file that is not there.
      const ids = await db.transaction(async (tx) => {
        const txRepo = createMiscRepo(tx);
        const inserted: number[] = [];
        for (const row of rows) inserted.push(await txRepo.insertAudio(row));
        return inserted;
      });
      return ids;
    } catch (error) {
      await Promise.all(written.map((key) => store.remove(key).catch(() => {})));
      throw error;
    }
  }

  return {
    async listChannels(_principal: Principal, query: ListQuery): Promise<Channel[]> {
      return (await repo.listChannels(toPage(query, channelFilterFields, 2))).map(toChannel);
    },

    listRateCenters(_principal: Principal, query: ListQuery) {
      return repo.listRateCenters(toPage(query, rateCenterFilterFields, 2));
    },

    /** ZIP codes first, then area codes, each in the order asked; unknown ones are left out. */
    geolocations(_principal: Principal, query: GeoLocationQuery): GeoLocation[] {
      if (query.zip === undefined && query.npa === undefined)
        throw invalidInput('Please provide zip or npa.');
      const places = [
        ...(query.zip?.split(',') ?? []).map(lookupZip),
        ...(query.npa?.split(',') ?? []).map(lookupNpa),
      ];
      return places.filter((place): place is GeoPlace => place !== undefined).map(toGeoLocation);
    },

    async listLocations(principal: Principal, query: ListQuery): Promise<Location[]> {
      const rows = await repo.listLocations(principal.groupId, toPage(query, locationFilterFields, 3));
      const branches = await repo.branchesOf(rows.map((row) => row.location_id));
      return rows.map((row) => toLocation(row, branches));
    },

    /** A location the group `scopeGroupId` may route to, with its branches (for geo routes). */
    async findLocation(scopeGroupId: number, locationId: number): Promise<Location | undefined> {
      const row = await repo.findLocationInScope(scopeGroupId, locationId);
      if (!row) return undefined;
      return toLocation(row, await repo.branchesOf([row.location_id]));
    },

    /** Creates locations, or replaces them when location_id is given; `data` is the location_id. */
    saveLocations(principal: Principal, entries: readonly LocationEntry[]): Promise<EntryResult[]> {
      return applyEntries(db, entries, (tx, entry) => saveLocation(tx, principal, entry));
    },

    async listAudio(principal: Principal, query: ListQuery): Promise<AudioFile[]> {
      return (await repo.listAudio(principal.groupId, toPage(query, audioFilterFields, 3))).map(toAudioFile);
    },

    /**
     * Stores uploaded prompt or whisper audio for the caller's group. Every file must be mp3 or
     * wav by name and by content, or nothing is stored.
     */
    async uploadAudio(
      principal: Principal,
      type: AudioType,
      files: readonly UploadedFile[],
    ): Promise<AudioFile[]> {
      if (files.length === 0) throw uploadError(NO_FILE);
      if (files.length > MAX_AUDIO_FILES) throw tooManyAudioFiles();
      const ids = await storeAudio(principal, type, files);
      const rows = await Promise.all(ids.map((id) => repo.findAudioInScope(principal.groupId, id)));
      return rows.filter((row): row is AudioRow => row !== undefined).map(toAudioFile);
    },

    /** The bytes of an audio file in the caller's scope. */
    async openAudio(principal: Principal, audioFileId: number): Promise<AudioDownload> {
      const row = await repo.findAudioInScope(principal.groupId, audioFileId);
      if (!row) throw notFound();
      const stored = await store.open(row.storage_path);
      if (!stored) throw notFound('The audio file is missing from storage');
      return {
        stream: stored.stream,
        contentType: AUDIO_CONTENT_TYPES[row.format],
        size: row.size_bytes,
        fileName: safeFileName(`${row.file_name}.${row.format}`),
      };
    },

    /** Resolves a call flow's `file://<reference_id>` for the group `scopeGroupId`. */
    async findAudioByReference(
      scopeGroupId: number,
      referenceId: string,
    ): Promise<{ audioFileId: number; key: string; contentType: string } | undefined> {
      const row = await repo.findAudioByReference(scopeGroupId, referenceId);
      if (!row) return undefined;
      return {
        audioFileId: row.audio_file_id,
        key: row.storage_path,
        contentType: AUDIO_CONTENT_TYPES[row.format],
      };
    },
  };
}

export type MiscService = ReturnType<typeof createMiscService>;

import type { Queryable } from '../../db/index.js';
import { type FilterFields, whereClause } from '../../http/filter.js';
import type { ListPage } from '../shared/list.js';
import { inScope, isoTime } from '../shared/sql.js';

export interface ChannelRow {
  channel_id: number;
  category: string;
  sub_category: string;
}

export interface RateCenterRow {
  rate_center: string;
  npa: string;
  state: string;
  available_count: number;
}

export interface LocationRow {
  location_id: number;
  group_id: number;
  location_name: string;
  location_active: boolean;
  location_created: string;
  location_modified: string | null;
}

export interface BranchValues {
  branch_name: string;
  target_did: string;
  address: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  latitude: number | null;
  longitude: number | null;
  claimed_states: string[];
  claimed_zips: string[];
}

export interface BranchRow extends BranchValues {
  branch_id: number;
  location_id: number;
}

export interface AudioRow {
  audio_file_id: number;
  group_id: number;
  audio_type: 'prompt' | 'whisper';
  file_name: string;
  format: 'mp3' | 'wav';
  size_bytes: number;
  reference_id: string;
  storage_path: string;
  uploaded_on: string;
}

export interface NewAudio {
  group_id: number;
  audio_type: 'prompt' | 'whisper';
  file_name: string;
  format: 'mp3' | 'wav';
  size_bytes: number;
  reference_id: string;
  storage_path: string;
  uploaded_by: number;
  uploaded_on: Date;
}

export const channelFilterFields: FilterFields = {
  channel_id: { column: 'c.channel_id', type: 'integer' },
  category: { column: 'c.category', type: 'string' },
  sub_category: { column: 'c.sub_category', type: 'string' },
};

export const rateCenterFilterFields: FilterFields = {
  rate_center: { column: 'rc.rate_center', type: 'string' },
  npa: { column: 'rc.npa', type: 'string' },
  state: { column: 'rc.state', type: 'string' },
  available_count: { column: 'rc.available_count', type: 'integer' },
};

export const locationFilterFields: FilterFields = {
  location_id: { column: 'l.location_id', type: 'integer' },
  location_name: { column: 'l.location_name', type: 'string' },
  org_unit_id: { column: 'l.group_id', type: 'integer' },
  location_active: { column: 'l.location_active', type: 'boolean' },
  location_created: { column: 'l.location_created', type: 'date' },
};

export const audioFilterFields: FilterFields = {
  type: { column: 'a.audio_type', type: 'string' },
  file_name: { column: 'a.file_name', type: 'string' },
  org_unit_id: { column: 'a.group_id', type: 'integer' },
  reference_id: { column: 'a.reference_id', type: 'string' },
  uploaded_on: { column: 'a.uploaded_on', type: 'date' },
};

const LOCATION_COLUMNS = `l.location_id, l.group_id, l.location_name, l.location_active,
  ${isoTime('l.location_created')} as location_created, ${isoTime('l.location_modified')} as location_modified`;

const BRANCH_VALUE_COLUMNS = [
  'branch_name',
  'target_did',
  'address',
  'city',
  'state',
  'zip',
  'latitude',
  'longitude',
  'claimed_states',
  'claimed_zips',
] as const;

const AUDIO_COLUMNS = `a.audio_file_id, a.group_id, a.audio_type, a.file_name, a.format, a.size_bytes,
  a.reference_id, a.storage_path, ${isoTime('a.uploaded_on')} as uploaded_on`;

export function createMiscRepo(db: Queryable) {
  return {
    /** The channel catalogue; filter params start at $3. */
    async listChannels(page: ListPage): Promise<ChannelRow[]> {
      const { rows } = await db.query<ChannelRow>(
        `select c.channel_id, c.category, c.sub_category from channel c
          where ${whereClause(page.filter.conditions)}
          order by c.channel_id limit $1 offset $2`,
        [page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    /** Rate centers of the whole inventory with how many numbers each has free; filter from $3. */
    async listRateCenters(page: ListPage): Promise<RateCenterRow[]> {
      const { rows } = await db.query<RateCenterRow>(
        `select rc.rate_center, rc.npa, rc.state, rc.available_count
           from (select p.rate_center, p.npa, p.state,
                        count(*) filter (where p.status = 'available')::integer as available_count
                   from phone_number p
                  group by p.rate_center, p.npa, p.state) rc
          where ${whereClause(page.filter.conditions)}
          order by rc.state, rc.rate_center, rc.npa limit $1 offset $2`,
        [page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async groupInScope(scopeGroupId: number, groupId: number): Promise<boolean> {
      const { rowCount } = await db.query(
        'select 1 from org_group g where g.group_id = $2 and g.path @> array[$1::integer]',
        [scopeGroupId, groupId],
      );
      return rowCount > 0;
    },

    /** Locations owned by `scopeGroupId` or a group below it; filter params start at $4. */
    async listLocations(scopeGroupId: number, page: ListPage): Promise<LocationRow[]> {
      const { rows } = await db.query<LocationRow>(
        `select ${LOCATION_COLUMNS} from geo_location l
          where ${inScope('l.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by l.location_id limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async findLocationInScope(scopeGroupId: number, locationId: number): Promise<LocationRow | undefined> {
      const { rows } = await db.query<LocationRow>(
        `select ${LOCATION_COLUMNS} from geo_location l
          where l.location_id = $2 and ${inScope('l.group_id', '$1')}`,
        [scopeGroupId, locationId],
      );
      return rows[0];
    },

    async branchesOf(locationIds: readonly number[]): Promise<BranchRow[]> {
      if (locationIds.length === 0) return [];
      const { rows } = await db.query<BranchRow>(
        `select b.branch_id, b.location_id, ${BRANCH_VALUE_COLUMNS.map((c) => `b.${c}`).join(', ')}
           from geo_location_branch b
          where b.location_id = any($1::integer[])
          order by b.location_id, b.position`,
        [locationIds],
      );
      return rows;
    },

    async insertLocation(values: {
      group_id: number;
      location_name: string;
      location_active: boolean;
      now: Date;
    }): Promise<number> {
      const { rows } = await db.query<{ location_id: number }>(
        `insert into geo_location (group_id, location_name, location_active, location_created)
         values ($1, $2, $3, $4) returning location_id`,
        [values.group_id, values.location_name, values.location_active, values.now],
      );
      return (rows[0] as { location_id: number }).location_id;
    },

    async updateLocation(
      locationId: number,
      values: { group_id: number; location_name: string; location_active: boolean; now: Date },
    ): Promise<void> {
      await db.query(
        `update geo_location set group_id = $2, location_name = $3, location_active = $4, location_modified = $5
          where location_id = $1`,
        [locationId, values.group_id, values.location_name, values.location_active, values.now],
      );
    },

    async deleteBranches(locationId: number): Promise<void> {
      await db.query('delete from geo_location_branch where location_id = $1', [locationId]);
    },

    /** Inserts the branches of a location, keeping their order. */
    async insertBranches(locationId: number, branches: readonly BranchValues[]): Promise<void> {
      if (branches.length === 0) return;
      const width = BRANCH_VALUE_COLUMNS.length + 1;
      const tuples = branches.map(
        (_, row) => `($1, ${Array.from({ length: width }, (_, i) => `$${row * width + i + 2}`).join(', ')})`,
      );
      await db.query(
        `insert into geo_location_branch (location_id, position, ${BRANCH_VALUE_COLUMNS.join(', ')})
         values ${tuples.join(', ')}`,
        [
          locationId,
          ...branches.flatMap((branch, position) => [
            position,
            ...BRANCH_VALUE_COLUMNS.map((column) => branch[column]),
          ]),
        ],
      );
    },

    /** Audio of `scopeGroupId` and the groups below it, newest first; filter params start at $4. */
    async listAudio(scopeGroupId: number, page: ListPage): Promise<AudioRow[]> {
      const { rows } = await db.query<AudioRow>(
        `select ${AUDIO_COLUMNS} from audio_file a
          where ${inScope('a.group_id', '$1')} and ${whereClause(page.filter.conditions)}
          order by a.uploaded_on desc, a.audio_file_id desc limit $2 offset $3`,
        [scopeGroupId, page.limit, page.offset, ...page.filter.params],
      );
      return rows;
    },

    async findAudioInScope(scopeGroupId: number, audioFileId: number): Promise<AudioRow | undefined> {
      const { rows } = await db.query<AudioRow>(
        `select ${AUDIO_COLUMNS} from audio_file a
          where a.audio_file_id = $2 and ${inScope('a.group_id', '$1')}`,
        [scopeGroupId, audioFileId],
      );
      return rows[0];
    },

    /** The references among `referenceIds` that name audio of `scopeGroupId` or a group below it. */
    async audioReferencesInScope(scopeGroupId: number, referenceIds: readonly string[]): Promise<string[]> {
      if (referenceIds.length === 0) return [];
      const { rows } = await db.query<{ reference_id: string }>(
        `select a.reference_id from audio_file a
          where a.reference_id = any($2::text[]) and ${inScope('a.group_id', '$1')}`,
        [scopeGroupId, referenceIds],
      );
      return rows.map((row) => row.reference_id);
    },

    async findAudioByReference(scopeGroupId: number, referenceId: string): Promise<AudioRow | undefined> {
      const { rows } = await db.query<AudioRow>(
        `select ${AUDIO_COLUMNS} from audio_file a
          where a.reference_id = $2 and ${inScope('a.group_id', '$1')}`,
        [scopeGroupId, referenceId],
      );
      return rows[0];
    },

    async insertAudio(audio: NewAudio): Promise<number> {
      const { rows } = await db.query<{ audio_file_id: number }>(
        `insert into audio_file (group_id, audio_type, file_name, format, size_bytes, reference_id, storage_path,
                                 uploaded_by, uploaded_on)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning audio_file_id`,
        [
          audio.group_id,
          audio.audio_type,
          audio.file_name,
          audio.format,
          audio.size_bytes,
          audio.reference_id,
          audio.storage_path,
          audio.uploaded_by,
          audio.uploaded_on,
        ],
      );
      return (rows[0] as { audio_file_id: number }).audio_file_id;
    },
  };
}

export type MiscRepo = ReturnType<typeof createMiscRepo>;

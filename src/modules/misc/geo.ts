import { createRequire } from 'node:module';
import tzLookup from '@photostructure/tz-lookup';
import zipcodes from 'zipcodes';
import type { GeoPoint } from '../../lib/distance.js';

/**
 * Offline geography for geo routing and GET /v2/misc/geolocation: US ZIP codes (`zipcodes`),
 * NANP area codes with a representative point (`areacodes`) and the IANA zone at a point
 * (`@photostructure/tz-lookup`). All data ships inside those packages; nothing reaches the network.
 */

export type { GeoPoint };

export interface GeoPlace extends GeoPoint {
  zip: string | null;
  npa: string | null;
  city: string;
  state: string;
  /** IANA zone, e.g. America/Denver */
  timezone: string;
}

interface AreaCodeRecord {
  type: 'local' | 'toll-free';
  city: string | null;
  stateCode: string | null;
  location: { latitude: number | null; longitude: number | null };
}

// areacodes has no ESM entry and its API clones the whole table per call; the JSON is what we need.
const areaCodes = createRequire(import.meta.url)('areacodes/lib/data.json') as Record<string, AreaCodeRecord>;

/** Known errors in areacodes 0.2.1: 907 sits in the Atlantic (longitude -48.19). */
const AREA_CODE_CORRECTIONS: Readonly<Record<string, GeoPoint & { city: string }>> = {
  '907': { city: 'Anchorage', latitude: 61.2181, longitude: -149.9003 },
};

/** Military mail regions have ZIP codes but no place on a map. */
const MILITARY_REGIONS = new Set(['AA', 'AE', 'AP']);

/** US states, DC, US territories and Canadian provinces: the regions a NANP number can be in. */
export const NANP_REGIONS: ReadonlySet<string> = new Set(
  [
    'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY',
    'NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY',
    'AS GU MP PR VI',
    'AB BC MB NB NL NS NT NU ON PE QC SK YT',
  ]
    .join(' ')
    .split(' '),
);

export const isRegionCode = (code: string): boolean => NANP_REGIONS.has(code);

/** The source data writes a few names in lower case ("charlotte amalie"). */
const titleCase = (name: string) =>
  name === name.toLowerCase() ? name.replace(/\b\p{L}/gu, (letter) => letter.toUpperCase()) : name;

/** The IANA zone at a point; undefined where the coordinates are not valid. */
export function timezoneAt(point: GeoPoint): string | undefined {
  try {
    return tzLookup(point.latitude, point.longitude);
  } catch {
    return undefined;
  }
}

/** A 5-digit US ZIP code's city, state, centre point and time zone. */
export function lookupZip(zip: string): GeoPlace | undefined {
  if (!/^\d{5}$/.test(zip)) return undefined;
  const record = zipcodes.lookup(zip);
  if (record?.country !== 'US' || MILITARY_REGIONS.has(record.state)) return undefined;
  const point = { latitude: record.latitude, longitude: record.longitude };
  const timezone = timezoneAt(point);
  if (!timezone) return undefined;
  return { zip: record.zip, npa: null, city: record.city, state: record.state, ...point, timezone };
}

/** An area code's representative city and point. Toll-free and unknown codes have none. */
export function lookupNpa(npa: string): GeoPlace | undefined {
  if (!/^\d{3}$/.test(npa) || !Object.hasOwn(areaCodes, npa)) return undefined;
  const record = areaCodes[npa] as AreaCodeRecord;
  const corrected = AREA_CODE_CORRECTIONS[npa];
  const { latitude, longitude } = corrected ?? record.location;
  if (record.type !== 'local' || !record.stateCode || latitude === null || longitude === null)
    return undefined;
  const point = { latitude, longitude };
  const timezone = timezoneAt(point);
  if (!timezone) return undefined;
  const city = titleCase(corrected?.city ?? record.city ?? '');
  return { zip: null, npa, city, state: record.stateCode, ...point, timezone };
}

/** Every area code that has a place, for data checks and lists. */
export const knownNpas = (): string[] => Object.keys(areaCodes).filter((npa) => lookupNpa(npa) !== undefined);

/** Every 5-digit US ZIP code of `state` (military regions excluded). */
export const zipsOfState = (state: string): string[] =>
  MILITARY_REGIONS.has(state)
    ? []
    : zipcodes
        .lookupByState(state)
        .filter((record) => record.country === 'US')
        .map((record) => record.zip);

export { distanceMiles } from '../../lib/distance.js';

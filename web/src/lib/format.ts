/** How the console writes numbers, times and phone numbers for people. */

const NANP = /^1?([2-9]\d{2})([2-9]\d{2})(\d{4})$/;

/** A NANP number as people read it: (801) 555-0120. Anything else is shown as it came. */
export function formatPhone(value: string | null | undefined): string {
  if (!value) return '';
  const match = NANP.exec(value.replace(/\D/g, ''));
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : value;
}

/** What a person typed as a phone number, as the API's 10 digits; undefined when it is not one. */
export function toTenDigits(value: string): string | undefined {
  const match = NANP.exec(value.replace(/\D/g, ''));
  return match ? `${match[1]}${match[2]}${match[3]}` : undefined;
}

/** Seconds as 1:05, 12:30 or 1:02:03. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Seconds as words for totals: 3 h 12 min, 4 min 05 s. */
export function formatTalkTime(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${String(total % 60).padStart(2, '0')} s`;
}

const numberFormat = new Intl.NumberFormat('en-US');
export const formatCount = (value: number) => numberFormat.format(value);

const moneyFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
export const formatMoney = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : moneyFormat.format(value);

export const formatPercent = (part: number, whole: number) =>
  whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`;

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function formatIn(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, ...options });
    dateTimeFormats.set(key, format);
  }
  return format;
}

/** An instant in the group's zone: Mar 7, 2026, 9:41 AM. */
export const formatDateTime = (iso: string | null | undefined, timeZone: string) =>
  iso ? formatIn(timeZone, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—';

/** The time of day only, with seconds: 9:41:07 AM. */
export const formatTime = (iso: string, timeZone: string) =>
  formatIn(timeZone, { timeStyle: 'medium' }).format(new Date(iso));

/** The zone as people name it at that moment: "PST", "GMT+1", with its IANA name. */
export function zoneLabel(timeZone: string, at = new Date()): string {
  const short = formatIn(timeZone, { timeZoneName: 'short' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  return short && short !== timeZone
    ? `${short} (${timeZone.replace(/_/g, ' ')})`
    : timeZone.replace(/_/g, ' ');
}

/** Today's date (YYYY-MM-DD) in a zone. */
export const todayIn = (timeZone: string, now = new Date()): string => isoDateIn(timeZone, now);

function isoDateIn(timeZone: string, at: Date): string {
  const parts = Object.fromEntries(
    formatIn(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** A calendar date (YYYY-MM-DD) moved by whole days, without any zone. */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** Mar 7 or Mar 7, 2025 (a calendar date, no zone involved). */
export function formatDay(date: string, withYear = false): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    ...(withYear ? { year: 'numeric' } : {}),
    timeZone: 'UTC',
  });
}

/** The keys a caller pressed, as the runtime records them ("2>1"), for people: "2 then 1". */
export const formatKeyPath = (keyPath: string | null | undefined, separator = ' then ') =>
  keyPath ? keyPath.split('>').join(separator) : '';

/** US states, DC and territories by postal code, for places shown to people ("CA" -> California). */
const US_REGIONS: Record<string, string> = {
  AL: 'Alabama',
  AK: 'Alaska',
  AZ: 'Arizona',
  AR: 'Arkansas',
  CA: 'California',
  CO: 'Colorado',
  CT: 'Connecticut',
  DE: 'Delaware',
  DC: 'District of Columbia',
  FL: 'Florida',
  GA: 'Georgia',
  HI: 'Hawaii',
  ID: 'Idaho',
  IL: 'Illinois',
  IN: 'Indiana',
  IA: 'Iowa',
  KS: 'Kansas',
  KY: 'Kentucky',
  LA: 'Louisiana',
  ME: 'Maine',
  MD: 'Maryland',
  MA: 'Massachusetts',
  MI: 'Michigan',
  MN: 'Minnesota',
  MS: 'Mississippi',
  MO: 'Missouri',
  MT: 'Montana',
  NE: 'Nebraska',
  NV: 'Nevada',
  NH: 'New Hampshire',
  NJ: 'New Jersey',
  NM: 'New Mexico',
  NY: 'New York',
  NC: 'North Carolina',
  ND: 'North Dakota',
  OH: 'Ohio',
  OK: 'Oklahoma',
  OR: 'Oregon',
  PA: 'Pennsylvania',
  RI: 'Rhode Island',
  SC: 'South Carolina',
  SD: 'South Dakota',
  TN: 'Tennessee',
  TX: 'Texas',
  UT: 'Utah',
  VT: 'Vermont',
  VA: 'Virginia',
  WA: 'Washington',
  WV: 'West Virginia',
  WI: 'Wisconsin',
  WY: 'Wyoming',
  PR: 'Puerto Rico',
  GU: 'Guam',
  VI: 'U.S. Virgin Islands',
  AS: 'American Samoa',
  MP: 'Northern Mariana Islands',
};

/**
 * Where a caller is, as people say it: "Fresno, CA", or the state's name alone ("California")
 * when no city is known; undefined when nothing is.
 */
export function formatPlace(
  city: string | null | undefined,
  state: string | null | undefined,
): string | undefined {
  const region = state?.trim().toUpperCase();
  if (city?.trim()) return region ? `${city.trim()}, ${region}` : city.trim();
  if (!region) return undefined;
  return US_REGIONS[region] ?? region;
}

/**
 * The call log's filters live in the URL (a view can be shared); this is their one definition:
 * how they are read from the URL, and how they become V2's `filter` for the API.
 */

export const DISPOSITIONS = [
  'ANSWERED',
  'NO ANSWER',
  'BUSY',
  'VOICEMAIL',
  'ABANDONED',
  'FAILED',
  'BLOCKED',
  'HANGUP',
  'IN PROGRESS',
] as const;

/** What became of a call (the API's `outcome` filter): missed is every other end. */
export const OUTCOMES = [
  { value: 'answered', label: 'Answered' },
  { value: 'missed', label: 'Missed' },
  { value: 'voicemail', label: 'Voicemail' },
  { value: 'blocked', label: 'Blocked' },
  { value: 'in progress', label: 'In progress' },
] as const;

export interface CallFilters {
  group?: number | undefined;
  /** calendar dates (YYYY-MM-DD) in the group's time zone, both included */
  from?: string | undefined;
  to?: string | undefined;
  campaign?: number | undefined;
  channel?: number | undefined;
  flow?: number | undefined;
  /** tracking number, 10 digits */
  number?: string | undefined;
  /** caller, 10 digits */
  caller?: string | undefined;
  outcome?: string | undefined;
  disposition?: string | undefined;
  minDuration?: number | undefined;
  maxDuration?: number | undefined;
  tag?: string | undefined;
  repeat?: 'first' | 'repeat' | undefined;
  /** DNI attribution: UTM source, landing page (no query), referrer host */
  source?: string | undefined;
  landing?: string | undefined;
  referrer?: string | undefined;
  keys?: string | undefined;
  /** an indicator the call scored 50 or more (the dashboard's indicator trends) */
  indicator?: number | undefined;
}

export interface CallSearch extends CallFilters {
  page?: number | undefined;
  /** the columns shown, comma-separated ids; the default set when absent */
  cols?: string | undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number'
      ? String(value)
      : undefined;
const positive = (value: unknown): number | undefined => {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(number) && number >= 0 ? number : undefined;
};
const date = (value: unknown): string | undefined => {
  const candidate = text(value);
  return candidate && DATE.test(candidate) ? candidate : undefined;
};

/** Reads the URL's search into filters, dropping what is not well-formed. */
export function parseCallSearch(raw: Record<string, unknown>): CallSearch {
  const repeat = raw.repeat === 'first' || raw.repeat === 'repeat' ? raw.repeat : undefined;
  const search: CallSearch = {
    group: positive(raw.group),
    from: date(raw.from),
    to: date(raw.to),
    campaign: positive(raw.campaign),
    channel: positive(raw.channel),
    flow: positive(raw.flow),
    number: text(raw.number),
    caller: text(raw.caller),
    outcome: OUTCOMES.some((o) => o.value === raw.outcome) ? (raw.outcome as string) : undefined,
    disposition: text(raw.disposition),
    minDuration: positive(raw.minDuration),
    maxDuration: positive(raw.maxDuration),
    tag: text(raw.tag),
    repeat,
    source: text(raw.source),
    landing: text(raw.landing),
    referrer: text(raw.referrer),
    keys: text(raw.keys),
    indicator: positive(raw.indicator),
    page: positive(raw.page),
    cols: text(raw.cols),
  };
  return Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined)) as CallSearch;
}

/** V2's filter syntax cannot carry a comma inside a value. */
const safe = (value: string) => value.replace(/,/g, ' ');

/** The filters as V2's `filter` parameter (dates are read in the `timezone` sent with it). */
export function toV2Filter(filters: CallFilters): string {
  const rules: string[] = [];
  if (filters.from) rules.push(`call_started>=${filters.from}`);
  if (filters.to) rules.push(`call_started<=${filters.to}`);
  if (filters.campaign !== undefined) rules.push(`campaign_id=${filters.campaign}`);
  if (filters.channel !== undefined) rules.push(`channel_id=${filters.channel}`);
  if (filters.flow !== undefined) rules.push(`call_flow_id=${filters.flow}`);
  if (filters.number) rules.push(`tracking_number=${safe(filters.number)}`);
  if (filters.caller) rules.push(`caller_id=${safe(filters.caller)}`);
  if (filters.outcome) rules.push(`outcome=${filters.outcome}`);
  if (filters.disposition) rules.push(`disposition=${safe(filters.disposition)}`);
  if (filters.minDuration !== undefined) rules.push(`duration>=${filters.minDuration}`);
  if (filters.maxDuration !== undefined) rules.push(`duration<=${filters.maxDuration}`);
  if (filters.tag) rules.push(`tag_name=${safe(filters.tag)}`);
  if (filters.repeat) rules.push(`repeat_call=${filters.repeat === 'repeat'}`);
  if (filters.source) rules.push(`utm_source=${safe(filters.source)}`);
  if (filters.landing) rules.push(`landing_page=${safe(filters.landing)}`);
  if (filters.referrer) rules.push(`referrer=${safe(filters.referrer)}`);
  if (filters.keys) rules.push(`key_path=${safe(filters.keys)}`);
  if (filters.indicator !== undefined) rules.push(`indicator_id=${filters.indicator}`);
  return rules.join(',');
}

/** How many filters beyond the date range are set (the filter button's badge). */
export function countFilters(filters: CallFilters): number {
  const { group: _group, from: _from, to: _to, ...rest } = filters;
  return Object.values(rest).filter((value) => value !== undefined && value !== '').length;
}

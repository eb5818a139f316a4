import { type DniEntry, type DniType, TTL_MAX_MINUTES } from './callflow-dni.schemas.js';

/** V2's strings for POST /v2/callflow/dni and GET /v2/callflow/dniclass, letter for letter (QA suite). */
export const DniMessages = {
  empty: 'Please provide at least one DNI setting',
  elementHasSpaces: (element: string) =>
    `Invalid data. Data of dni_element '${element}' contains empty spaces.`,
  ttlRequired: 'TTL Value is required and should be greater than 15 minutes.',
  ttlOverMax: 'TTL is over max limit.',
  noFlowAccess: (callFlowId: number) => `Not authorized to make changes for Call Flow ID ${callFlowId}`,
  noGroupAccess: (groupId: number) => `Not authorized to make changes for Group ID ${groupId}`,
  groupMismatch: 'Invalid group_id. Callflow belonging to another group',
  blankElement: 'dni_element cannot be blank.',
  missingCookie: 'Missing required field custom_cookie',
  invalidCookie: 'Invalid custom_cookie',
  // V2 prints JavaScript's `undefined` for a blank value; clients may match on it.
  invalidDestination: (value: string) =>
    `Invalid Destination Url ${value.trim() === '' ? 'undefined' : value}`,
  invalidReferrer: (value: string) => `Invalid Referrer ${value.trim() === '' ? 'undefined' : value}`,
  invalidType: (type: string) => `Invalid Dni Type ${type}`,
  // The missing closing quote is V2's.
  trackClassOnlyForUrl: (type: string) => `Invalid dni_element 'lmc_track' for '${type}`,
  noSetting: (callFlowId: number) => `No dni setting available for call flow id: ${callFlowId}`,
  noClassAccess: (callFlowId: number) => `No access for call flow id: ${callFlowId}`,
} as const;

/** The class V2's url-type snippet swaps; the other types must name their own class. */
export const URL_TRACK_CLASS = 'lmc_track';

/** Host labels or `*`, at least two: `example.com`, `*.example.com`, `google.*`, `*.*`. */
const HOST_PATTERN =
  /^(\*|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.(\*|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+$/i;
const COOKIE = /^[A-Za-z0-9 _,-]*$/;
const SEARCH_ENGINES = new Set(['google', 'yahoo']);
const REFERRER_TYPES = new Set(['paid', 'organic']);

export const isHostPattern = (value: string) => HOST_PATTERN.test(value);

/** A host pattern as a LIKE pattern over lower-case hosts; the grammar admits no LIKE metacharacter. */
export const toLikePattern = (pattern: string) => pattern.toLowerCase().replaceAll('*', '%');

/** Exact hosts first, then patterns by the number of literal characters they pin down. */
function specificity(pattern: string): number {
  const literal = pattern.replace(/[*.]/g, '').length;
  return pattern.includes('*') ? literal : 500 + literal;
}

/**
 * Lower wins. The referrer rule decides first (it tells traffic sources apart on one site), then
 * the host domain, then a rule for paid or organic traffic before one for both.
 */
export function precedenceOf(destination: string, referrer: string, referrerType: string | null): number {
  return (
    (1000 - specificity(referrer)) * 10_000 + (1000 - specificity(destination)) * 10 + (referrerType ? 0 : 1)
  );
}

/** paid | organic is kept only where V2 keeps it: for Google and Yahoo referrers; otherwise null. */
export function referrerTypeOf(referrer: string, referrerType: string | undefined): string | null {
  const type = referrerType?.trim().toLowerCase() ?? '';
  const labels = referrer.toLowerCase().split('.');
  return REFERRER_TYPES.has(type) && labels.some((label) => SEARCH_ENGINES.has(label)) ? type : null;
}

/** Why an entry cannot be saved for a flow on a tracking number or a pool, in V2's order; or undefined. */
export function dniEntryReason(entry: DniEntry, flowKind: 'number' | 'pool'): string | undefined {
  if (entry.dni_element === '') return DniMessages.blankElement;
  if (entry.custom_cookie === undefined) return DniMessages.missingCookie;
  if (!COOKIE.test(entry.custom_cookie)) return DniMessages.invalidCookie;
  if (!isHostPattern(entry.destination_url)) return DniMessages.invalidDestination(entry.destination_url);
  if (!isHostPattern(entry.referrer)) return DniMessages.invalidReferrer(entry.referrer);
  const typeFits: Record<DniType, boolean> = {
    source: flowKind === 'number',
    url: flowKind === 'number',
    session: flowKind === 'pool',
  };
  if (!typeFits[entry.dni_type]) return DniMessages.invalidType(entry.dni_type);
  if (entry.dni_element === URL_TRACK_CLASS && entry.dni_type !== 'url') {
    return DniMessages.trackClassOnlyForUrl(entry.dni_type);
  }
  if (entry.dni_type === 'session') {
    if (entry.TTL === undefined) return DniMessages.ttlRequired;
    if (entry.TTL > TTL_MAX_MINUTES) return DniMessages.ttlOverMax;
  }
  return undefined;
}

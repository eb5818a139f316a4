import type { Static } from '@sinclair/typebox';
import { toNanp10 } from '../../lib/phone.js';
import { parseClockTime, resolveTimeZone } from '../../lib/time-zones.js';
import { type IvrOption, type MultilevelIvrFlow, ROUTE_BY } from '../../routing/flow-document.js';
import { huntRuleReason } from '../../routing/program.js';
import { RECORD_UNTIL_FORMATS, recordUntilInstant } from '../../routing/recording.js';
import { spamSettingsReason } from '../../routing/spam.js';
import { type CallFlowEntry, type IvrItem, ROUTE_TYPES, type RouteKey } from './callflow-create.schemas.js';
import { type GeoData, MAX_MENU_DEPTH, type ScheduleRoute } from './callflows.schemas.js';

/**
 * The checks a call-flow document (multi-level IVR, or any route type) must pass beyond its
 * schema, as pure functions: each returns the first reason the document is unusable, or
 * undefined. References to other records (groups, campaigns, numbers ...) are checked by the
 * service against the database.
 */

export const MAX_OVERFLOW_NUMBERS = 9;

/** V2's own strings for hunt lists. */
export const OVERFLOW_REQUIRED =
  "overflowNumbers field is required. Make sure you typed it as 'overflowNumbers'";
export const OVERFLOW_DUPLICATES =
  'Overflow Numbers cannot contain duplicate numbers with Simultaneous hunt.';

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** True for "none": V2's example body fills unused references and numbers with 0. */
export const isUnset = (value: unknown): boolean =>
  value === undefined || value === null || value === 0 || value === '';

function phoneReason(path: string, field: string, value: unknown, required: boolean): string | undefined {
  if (isUnset(value)) return required ? `${path}${field} is required` : undefined;
  return toNanp10(value as string | number)
    ? undefined
    : `${path}${field} ${value} is not a valid 10-digit phone number`;
}

interface Hunt {
  isSimultaneous?: boolean | undefined;
  overflowNumbers?: { overflowNumber: string | number; rings: number }[] | undefined;
}

/**
 * A hunt list, and what the runtime can do with it: `target` is the number rung first, `screen`
 * whether its answering party must press 1 (the option's `screen_calls`, else the flow's).
 */
function huntReason(
  path: string,
  hunt: Hunt,
  { target, screen }: { target: unknown; screen: boolean | undefined },
): string | undefined {
  const list = hunt.overflowNumbers;
  if (hunt.isSimultaneous && list === undefined) return `${path}${OVERFLOW_REQUIRED}`;
  const rule = huntRuleReason({
    legCount: (isUnset(target) || isHangupTarget(target) ? 0 : 1) + (list?.length ?? 0),
    isSimultaneous: hunt.isSimultaneous ?? false,
    screen: screen ?? false,
  });
  if (rule) return `${path}${rule}`;
  if (!list) return undefined;
  if (list.length > MAX_OVERFLOW_NUMBERS) {
    return `${path}overflowNumbers has ${list.length} numbers; at most ${MAX_OVERFLOW_NUMBERS} are allowed`;
  }
  for (const [i, entry] of list.entries()) {
    const reason = phoneReason(path, `overflowNumbers[${i}].overflowNumber`, entry.overflowNumber, true);
    if (reason) return reason;
  }
  const numbers = list.map((entry) => toNanp10(entry.overflowNumber));
  if (hunt.isSimultaneous && new Set(numbers).size !== numbers.length) return `${path}${OVERFLOW_DUPLICATES}`;
  return undefined;
}

type GeoFields = Static<typeof GeoData>;
type ScheduleFields = Static<typeof ScheduleRoute>;

/** A geo route (`field` names it in reasons: `geoData` on an IVR option, `geo_route` on a flow). */
function geoReason(path: string, field: string, geo: GeoFields | undefined): string | undefined {
  if (!geo) return `${path}Missing Geo Data.`;
  if (!ROUTE_BY.includes(geo.route_by)) return `${path}${field}.route_by ${geo.route_by} is not supported`;
  const isProximity = geo.route_by.endsWith('Proximity');
  if (isProximity && !(Number(geo.proximity_limit) > 0)) {
    return `${path}${field}.proximity_limit must be more than 0 miles for ${geo.route_by}`;
  }
  if (isUnset(geo.location_id)) return `${path}${field}.location_id is required`;
  return phoneReason(path, `${field}.target_did`, geo.target_did, false);
}

/** A schedule route (`scheduleRoute` on an IVR option, `schedule_data` on a flow). */
function scheduleReason(
  path: string,
  field: string,
  route: ScheduleFields | undefined,
  screen: boolean | undefined,
): string | undefined {
  if (!route) return `${path}Missing Schedule Data.`;
  if (!resolveTimeZone(route.timezone))
    return `${path}${field}.timezone ${route.timezone} is not a known time zone`;
  const defaultReason = phoneReason(path, `${field}.default_ringto`, route.default_ringto, false);
  if (defaultReason) return defaultReason;
  for (const [i, schedule] of route.schedules.entries()) {
    const at = `${path}${field}.schedules[${i}].`;
    for (const key of ['schedule_start_time', 'schedule_end_time'] as const) {
      if (parseClockTime(schedule[key]) === undefined) {
        return `${at}${key} ${JSON.stringify(schedule[key])} is not a time (use HH:mm, h:mm AM or End of Day)`;
      }
    }
    if (schedule.schedule_start_time === schedule.schedule_end_time) {
      return `${at}schedule_start_time and schedule_end_time are equal: the window is empty`;
    }
    const ringTo = phoneReason(at, 'ring_to', schedule.ring_to, true);
    if (ringTo) return ringTo;
    const hunt = huntReason(at, schedule, { target: schedule.ring_to, screen });
    if (hunt) return hunt;
  }
  return undefined;
}

function optionReason(
  at: string,
  option: IvrOption,
  depth: number,
  siblings: IvrOption[],
  flowScreen: boolean | undefined,
): string | undefined {
  const screen = option.screen_calls ?? flowScreen;
  const path = `${at}: `;
  if (!Number.isInteger(option.key) || option.key < 0 || option.key > 9) {
    return `${path}key ${option.key} is not a digit 0-9`;
  }
  if (option.go_back_key !== undefined && option.go_back_key !== null) {
    if (depth === 1) return `${path}go_back_key is only allowed below the top menu`;
    if (option.go_back_key < 0 || option.go_back_key > 9) {
      return `${path}go_back_key ${option.go_back_key} is not a digit 0-9`;
    }
    if (siblings.some((sibling) => sibling.key === option.go_back_key)) {
      return `${path}go_back_key ${option.go_back_key} is also the key of an option in the same menu`;
    }
  }
  if (option.whisper_enabled && !option.whisper_message?.trim()) {
    return `${path}whisper_message is required when whisper_enabled is true`;
  }
  switch (option.action) {
    case 'simple':
      return (
        phoneReason(path, 'target_did', option.target_did, true) ??
        huntReason(path, option, { target: option.target_did, screen })
      );
    case 'interactiveVoice':
      if (!option.ivrData || option.ivrData.length === 0) return `${path}Missing Ivr Data.`;
      if (depth >= MAX_MENU_DEPTH) return `${path}menus nest at most ${MAX_MENU_DEPTH} levels deep`;
      return menuReason(`${at}.ivrData`, option.ivrData, depth + 1, flowScreen);
    case 'geo':
      return geoReason(path, 'geoData', option.geoData);
    case 'schedule':
      return scheduleReason(path, 'scheduleRoute', option.scheduleRoute, screen);
    default:
      return undefined;
  }
}

function menuReason(
  path: string,
  options: IvrOption[],
  depth: number,
  flowScreen: boolean | undefined,
): string | undefined {
  const keys = options.map((option) => option.key);
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
  if (repeated !== undefined) return `${path}: key ${repeated} is used by more than one option`;
  for (const [i, option] of options.entries()) {
    const reason = optionReason(`${path}[${i}]`, option, depth, options, flowScreen);
    if (reason) return reason;
  }
  return undefined;
}

interface NumberFields {
  number?: { phone_number_id?: number | undefined; phone_number?: string | number | undefined } | undefined;
  number_pool?:
    | {
        pool_id?: number | undefined;
        pool_name?: string | undefined;
        number_quantity?: number | undefined;
        npa?: number | string | undefined;
        nxx?: number | string | undefined;
      }
    | undefined;
}

/** The tracking number or pool; `isOptional` (an update) lets a flow keep the one it has. */
function numberReason(flow: NumberFields, isOptional: boolean): string | undefined {
  const hasNumber = flow.number !== undefined && flow.number !== null;
  const hasPool = flow.number_pool !== undefined && flow.number_pool !== null;
  if (hasNumber && hasPool) return 'Provide exactly one of number or number_pool';
  if (!hasNumber && !hasPool) return isOptional ? undefined : 'Provide exactly one of number or number_pool';
  if (hasNumber && isUnset(flow.number?.phone_number) && isUnset(flow.number?.phone_number_id)) {
    return 'number needs a phone_number or a phone_number_id';
  }
  if (hasNumber && !isUnset(flow.number?.phone_number)) {
    const reason = phoneReason('', 'number.phone_number', flow.number?.phone_number, true);
    if (reason) return reason;
  }
  if (hasPool && isUnset(flow.number_pool?.pool_id)) {
    const pool = flow.number_pool ?? {};
    if (!pool.pool_name?.trim()) return 'number_pool.pool_name is required for a new pool';
    if (!pool.number_quantity) return 'number_pool.number_quantity is required for a new pool';
    if (!isUnset(pool.npa) && !/^[2-9]\d{2}$/.test(String(pool.npa)))
      return `number_pool.npa ${pool.npa} is not an area code`;
    if (!isUnset(pool.nxx) && !/^[2-9]\d{2}$/.test(String(pool.nxx)))
      return `number_pool.nxx ${pool.nxx} is not an exchange`;
  }
  return undefined;
}

/** `referral_number`, `email_to_notify` and the texts' `sms_feature`, which every flow may carry. */
function contactReason(flow: {
  referral_number?: string | number | undefined;
  email_to_notify?: string | undefined;
  sms_feature?: { forward_to?: string | number | undefined } | undefined;
}): string | undefined {
  const referral =
    phoneReason('', 'referral_number', flow.referral_number, false) ??
    phoneReason('sms_feature.', 'forward_to', flow.sms_feature?.forward_to, false);
  if (referral) return referral;
  const emails = (flow.email_to_notify ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const badEmail = emails.find((email) => !EMAIL.test(email));
  return badEmail ? `email_to_notify ${badEmail} is not a valid e-mail address` : undefined;
}

/** The first reason a multi-level IVR flow cannot be saved, judged on the document alone. */
export function multilevelIvrReason(flow: MultilevelIvrFlow): string | undefined {
  return (
    numberReason(flow, false) ??
    contactReason(flow) ??
    spamSettingsReason(flow) ??
    menuReason('ivrs', flow.ivrs, 1, flow.screen_calls)
  );
}

/** Every location an IVR tree names on its geo options, for the service to check in scope. */
export function locationIds(options: IvrOption[]): number[] {
  return options.flatMap((option) => [
    ...(option.action === 'geo' && !isUnset(option.geoData?.location_id)
      ? [Number(option.geoData?.location_id)]
      : []),
    ...(option.action === 'interactiveVoice' ? locationIds(option.ivrData ?? []) : []),
  ]);
}

/* POST /v2/callflow: one flow of any route type. */

/** V2's reasons for an unknown route type and for a route sent without its data. */
export const INVALID_ROUTE_TYPE = 'Invalid Route Type';

/** Each route that needs data, the field that carries it and V2's reason when it is missing. */
const ROUTE_DATA = {
  ivr: { field: 'ivrs', missing: 'Missing Ivr Data.' },
  geo: { field: 'geo_route', missing: 'Missing Geo Data.' },
  percentage: { field: 'ringto_percentage', missing: 'Missing Ringto Data.' },
  schedule: { field: 'schedule_data', missing: 'Missing Schedule Data.' },
  outbound: { field: 'outboundData', missing: 'Missing Outbound Data.' },
} as const satisfies Partial<Record<RouteKey, { field: keyof CallFlowEntry; missing: string }>>;

/** Routes whose calls ring `default_ringto` (the destination, or the fallback when nothing matches). */
const NEEDS_DEFAULT_RINGTO: ReadonlySet<RouteKey> = new Set(['simple', 'geo', 'schedule']);

export const isRouteKey = (value: string): value is RouteKey => Object.hasOwn(ROUTE_TYPES, value);

export const isHangupTarget = (value: unknown): boolean =>
  typeof value === 'string' && value.trim().toLowerCase() === 'hangup';

const isPresent = (value: unknown): boolean =>
  value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);

/** Single-level IVR items as IVR options, so one set of menu rules (and one engine) serves both. */
export function toIvrOptions(items: readonly IvrItem[]): IvrOption[] {
  return items.map((item) => {
    const { key, Key, name, route_type, message_enabled, message, target_did, ...rest } = item;
    const type = (route_type ?? 'Simple').toLowerCase() as IvrOption['action'];
    const hangsUp = isHangupTarget(target_did);
    return {
      ...rest,
      key: (key ?? Key) as number,
      action: type === 'simple' && hangsUp ? 'hangup' : type,
      ...(name === undefined ? {} : { destination: name }),
      ...(message === undefined || message_enabled === false ? {} : { message }),
      ...(target_did === undefined || hangsUp ? {} : { target_did }),
    };
  });
}

/**
 * The menu options of any IvrRoute2 document: a multi-level IVR stores them as IVR options; a
 * single-level IVR from POST /v2/callflow (its document says `routable_type: "ivr"`) stores the
 * items as posted, so they are mapped here.
 */
export function ivrOptionsOf(document: { routable_type?: unknown; ivrs?: unknown }): IvrOption[] {
  const ivrs = Array.isArray(document.ivrs) ? document.ivrs : [];
  return document.routable_type === 'ivr' ? toIvrOptions(ivrs as IvrItem[]) : (ivrs as IvrOption[]);
}

function ivrItemsReason(items: readonly IvrItem[], flowScreen: boolean | undefined): string | undefined {
  for (const [i, item] of items.entries()) {
    const path = `ivrs[${i}]: `;
    if (item.key === undefined && item.Key === undefined) return `${path}key is required`;
    if (item.key !== undefined && item.Key !== undefined && item.key !== item.Key) {
      return `${path}key ${item.key} and Key ${item.Key} differ; send one of them`;
    }
    if (item.message_enabled && !item.message?.trim()) {
      return `${path}message is required when message_enabled is true`;
    }
  }
  return menuReason('ivrs', toIvrOptions(items), 1, flowScreen);
}

function percentageReason(
  options: NonNullable<CallFlowEntry['ringto_percentage']>,
  screen: boolean | undefined,
): string | undefined {
  for (const [i, option] of options.entries()) {
    const path = `ringto_percentage[${i}]: `;
    const reason =
      phoneReason(path, 'ringToNum', option.ringToNum, true) ??
      huntReason(path, option, { target: option.ringToNum, screen });
    if (reason) return reason;
  }
  const total = options.reduce((sum, option) => sum + option.percentage, 0);
  return total === 100
    ? undefined
    : `ringto_percentage adds up to ${total}%; the percentages must add up to 100`;
}

function outboundReason(data: NonNullable<CallFlowEntry['outboundData']>): string | undefined {
  if (!/^\d{4,8}$/.test(data.pin)) return 'outboundData.pin must be 4 to 8 digits';
  return phoneReason('', 'outboundData.callerid', data.callerid, false);
}

function routeReason(key: RouteKey, entry: CallFlowEntry): string | undefined {
  switch (key) {
    case 'ivr':
      return ivrItemsReason(entry.ivrs ?? [], entry.screen_calls);
    case 'geo':
      return geoReason('', 'geo_route', entry.geo_route);
    case 'percentage':
      return percentageReason(entry.ringto_percentage ?? [], entry.screen_calls);
    case 'schedule':
      return scheduleReason('', 'schedule_data', entry.schedule_data, entry.screen_calls);
    case 'outbound':
      return entry.outboundData ? outboundReason(entry.outboundData) : undefined;
    default:
      return undefined;
  }
}

function defaultRingtoReason(key: RouteKey, value: string | number | undefined): string | undefined {
  if (key === 'hangup') {
    return isUnset(value) || isHangupTarget(value)
      ? undefined
      : 'default_ringto must be hangup (or left out) for a hangup route';
  }
  if (isHangupTarget(value)) return undefined;
  return phoneReason('', 'default_ringto', value, NEEDS_DEFAULT_RINGTO.has(key));
}

/** The first reason a call flow of any route type cannot be saved, judged on the document alone. */
export function callFlowReason(entry: CallFlowEntry): string | undefined {
  const key = entry.routable_type;
  if (!isRouteKey(key)) return INVALID_ROUTE_TYPE;
  for (const [route, { field, missing }] of Object.entries(ROUTE_DATA)) {
    if (route === key && !isPresent(entry[field])) return missing;
    if (route !== key && isPresent(entry[field])) return `${field} does not apply to a ${key} route`;
  }
  if (entry.message_enabled && !entry.message?.trim()) {
    return 'message is required when message_enabled is true';
  }
  if (entry.whisper_enabled && !entry.whisper_message?.trim()) {
    return 'whisper_message is required when whisper_enabled is true';
  }
  if (!isUnset(entry.record_until) && recordUntilInstant(entry.record_until) === undefined) {
    return `record_until ${JSON.stringify(entry.record_until)} is not a date (use ${RECORD_UNTIL_FORMATS})`;
  }
  return (
    defaultRingtoReason(key, entry.default_ringto) ??
    huntReason('', entry, { target: entry.default_ringto, screen: entry.screen_calls }) ??
    numberReason(entry, !isUnset(entry.call_flow_id)) ??
    contactReason(entry) ??
    spamSettingsReason(entry) ??
    routeReason(key, entry)
  );
}

/** Every location a call flow names (its geo route and any geo IVR option), to check in scope. */
export function callFlowLocationIds(entry: CallFlowEntry): number[] {
  const route = isUnset(entry.geo_route?.location_id) ? [] : [Number(entry.geo_route?.location_id)];
  return [...route, ...locationIds(toIvrOptions(entry.ivrs ?? []))];
}

/** A reason a document cannot be saved and the place it concerns: an option's path, a menu's, or '' (the flow). */
export interface DocumentIssue {
  /** `ivrs[1].ivrData[0]` (an option), `ivrs[1].ivrData` (a menu's options), or '' for the flow itself */
  at: string;
  reason: string;
}

/**
 * Every reason a multi-level IVR cannot be saved, each at the option or menu it concerns, from
 * the same checks as `multilevelIvrReason` (which answers the API with the first of them): the
 * console's builder shows them all on its graph as the user types.
 */
export function multilevelIvrIssues(flow: MultilevelIvrFlow): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  const flowReason = numberReason(flow, false) ?? contactReason(flow) ?? spamSettingsReason(flow);
  if (flowReason) issues.push({ at: '', reason: flowReason });
  const walk = (path: string, options: IvrOption[], depth: number) => {
    const keys = options.map((option) => option.key);
    const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
    if (repeated !== undefined)
      issues.push({ at: path, reason: `${path}: key ${repeated} is used by more than one option` });
    for (const [i, option] of options.entries()) {
      const at = `${path}[${i}]`;
      // an option's own reason names it; a reason inside its sub-menu is found by the walk below
      const reason = optionReason(at, option, depth, options, flow.screen_calls);
      if (reason?.startsWith(`${at}: `)) issues.push({ at, reason });
      if (option.action === 'interactiveVoice' && option.ivrData?.length && depth < MAX_MENU_DEPTH)
        walk(`${at}.ivrData`, option.ivrData, depth + 1);
    }
  };
  walk('ivrs', flow.ivrs, 1);
  return issues;
}

import { toNanp10 } from '../../lib/phone.js';
import { parseClockTime, resolveTimeZone } from '../../routing/time-zones.js';
import { type IvrOption, MAX_MENU_DEPTH, type MultilevelIvrFlow, ROUTE_BY } from './callflows.schemas.js';

/**
 * The checks a multi-level IVR document must pass beyond its schema, as pure functions: each
 * returns the first reason the document is unusable, or undefined. References to other records
 * (groups, campaigns, numbers ...) are checked by the service against the database.
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

function huntReason(path: string, hunt: Hunt): string | undefined {
  const list = hunt.overflowNumbers;
  if (hunt.isSimultaneous && list === undefined) return `${path}${OVERFLOW_REQUIRED}`;
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

function geoReason(path: string, option: IvrOption): string | undefined {
  const geo = option.geoData;
  if (!geo) return `${path}Missing Geo Data.`;
  if (!ROUTE_BY.includes(geo.route_by)) return `${path}geoData.route_by ${geo.route_by} is not supported`;
  const isProximity = geo.route_by.endsWith('Proximity');
  if (isProximity && !(Number(geo.proximity_limit) > 0)) {
    return `${path}geoData.proximity_limit must be more than 0 miles for ${geo.route_by}`;
  }
  if (isUnset(geo.location_id)) return `${path}geoData.location_id is required`;
  return phoneReason(path, 'geoData.target_did', geo.target_did, false);
}

function scheduleReason(path: string, option: IvrOption): string | undefined {
  const route = option.scheduleRoute;
  if (!route) return `${path}Missing Schedule Data.`;
  if (!resolveTimeZone(route.timezone))
    return `${path}scheduleRoute.timezone ${route.timezone} is not a known time zone`;
  const defaultReason = phoneReason(path, 'scheduleRoute.default_ringto', route.default_ringto, false);
  if (defaultReason) return defaultReason;
  for (const [i, schedule] of route.schedules.entries()) {
    const at = `${path}scheduleRoute.schedules[${i}].`;
    for (const field of ['schedule_start_time', 'schedule_end_time'] as const) {
      if (parseClockTime(schedule[field]) === undefined) {
        return `${at}${field} ${JSON.stringify(schedule[field])} is not a time (use HH:mm, h:mm AM or End of Day)`;
      }
    }
    if (schedule.schedule_start_time === schedule.schedule_end_time) {
      return `${at}schedule_start_time and schedule_end_time are equal: the window is empty`;
    }
    const ringTo = phoneReason(at, 'ring_to', schedule.ring_to, true);
    if (ringTo) return ringTo;
    const hunt = huntReason(at, schedule);
    if (hunt) return hunt;
  }
  return undefined;
}

function optionReason(
  at: string,
  option: IvrOption,
  depth: number,
  siblings: IvrOption[],
): string | undefined {
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
      return phoneReason(path, 'target_did', option.target_did, true) ?? huntReason(path, option);
    case 'interactiveVoice':
      if (!option.ivrData || option.ivrData.length === 0) return `${path}Missing Ivr Data.`;
      if (depth >= MAX_MENU_DEPTH) return `${path}menus nest at most ${MAX_MENU_DEPTH} levels deep`;
      return menuReason(`${at}.ivrData`, option.ivrData, depth + 1);
    case 'geo':
      return geoReason(path, option);
    case 'schedule':
      return scheduleReason(path, option);
    default:
      return undefined;
  }
}

function menuReason(path: string, options: IvrOption[], depth: number): string | undefined {
  const keys = options.map((option) => option.key);
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
  if (repeated !== undefined) return `${path}: key ${repeated} is used by more than one option`;
  for (const [i, option] of options.entries()) {
    const reason = optionReason(`${path}[${i}]`, option, depth, options);
    if (reason) return reason;
  }
  return undefined;
}

/** The first reason a multi-level IVR flow cannot be saved, judged on the document alone. */
export function multilevelIvrReason(flow: MultilevelIvrFlow): string | undefined {
  const hasNumber = flow.number !== undefined && flow.number !== null;
  const hasPool = flow.number_pool !== undefined && flow.number_pool !== null;
  if (hasNumber === hasPool) return 'Provide exactly one of number or number_pool';
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
  const referral = phoneReason('', 'referral_number', flow.referral_number, false);
  if (referral) return referral;
  const emails = (flow.email_to_notify ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const badEmail = emails.find((email) => !EMAIL.test(email));
  if (badEmail) return `email_to_notify ${badEmail} is not a valid e-mail address`;
  return menuReason('ivrs', flow.ivrs, 1);
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

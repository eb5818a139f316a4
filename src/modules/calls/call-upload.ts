import { DateTime } from 'luxon';
import { INT4_MAX } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import { toNanp10 } from '../../lib/phone.js';
import { resolveTimeZone } from '../../lib/time-zones.js';
import { type AudioFormat, audioFormatOf } from '../misc/audio-format.js';

/** Upload Call Audio answers errors in `data` (repeated in `err`), as V2's audio uploads do. */
export const uploadError = (message: string) => invalidInput(message, { data: message });

export const WRONG_FORMAT = 'Incorrect File Format. It Should Be mp3/wav';
export const MAX_CALL_AUDIO_BYTES = 50 * 1024 * 1024;

export const DISPOSITIONS = [
  'ANSWERED',
  'NO ANSWER',
  'BUSY',
  'FAILED',
  'VOICEMAIL',
  'ABANDONED',
  'TRANSFERRED',
  'HANGUP',
  'CALLER HANGUP',
] as const;

export interface UploadParts {
  fields: Record<string, string>;
  files: { field: string; fileName: string; data: Buffer }[];
}

/** An uploaded call, checked: what Upload Call Audio stores. */
export interface CallUpload {
  file: Buffer;
  format: AudioFormat;
  tracking_number: string;
  caller_id: string;
  ring_to?: string;
  disposition: string;
  call_date?: Date;
  duration?: number;
  group_id?: number;
  group_ext_id?: string;
  channel_id?: number;
  campaign_id?: number;
  line_type?: string;
  assign_to?: string;
  company_name?: string;
  caller_name?: string;
  address?: string;
  city?: string;
  state?: string;
  zip_code?: string;
  is_outbound: boolean;
  swap_channels: boolean;
  custom_sources: Record<string, string> | null;
  tag_names: string[];
}

const TEXT_FIELDS = ['line_type', 'assign_to', 'company_name', 'caller_name', 'address', 'city'] as const;
const CUSTOM_SOURCE_FIELDS = [1, 2, 3, 4, 5].map((n) => `custom_source_type_${n}`);
const KNOWN_FIELDS = new Set([
  'tracking_number',
  'caller_id',
  'ring_to',
  'disposition',
  'call_date',
  'duration',
  'timezone',
  'group_id',
  'group_ext_id',
  'channel_id',
  'campaign_id',
  'state',
  'zip_code',
  'is_outbound',
  'swap_channels',
  'tag_name',
  ...TEXT_FIELDS,
  ...CUSTOM_SOURCE_FIELDS,
]);

// Formats the call date may come in; ISO 8601 first, read in `timezone` (UTC by default).
const DATE_FORMATS = [
  'yyyy-MM-dd HH:mm:ss',
  'yyyy-MM-dd HH:mm',
  'yyyy-MM-dd',
  'MM/dd/yyyy HH:mm:ss',
  'MM/dd/yyyy HH:mm',
  'MM/dd/yyyy',
];

function parseCallDate(value: string, zone: string): Date {
  let parsed = DateTime.fromISO(value, { zone });
  for (const format of DATE_FORMATS) {
    if (parsed.isValid) break;
    parsed = DateTime.fromFormat(value, format, { zone });
  }
  if (!parsed.isValid || parsed.year < 1970 || parsed.year > 9999)
    throw uploadError(`Invalid call_date ${value}`);
  return parsed.toJSDate();
}

function parseInteger(name: string, value: string, minimum: number): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) < minimum || Number(value) > INT4_MAX)
    throw uploadError(`${name} must be an integer of at least ${minimum}`);
  return Number(value);
}

function parseBoolean(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  const normalised = value.trim().toLowerCase();
  if (['true', '1'].includes(normalised)) return true;
  if (['false', '0'].includes(normalised)) return false;
  throw uploadError(`${name} must be true or false`);
}

function parsePhone(name: string, value: string | undefined, required: boolean): string | undefined {
  if (value === undefined || value.trim() === '') {
    if (required) throw uploadError(`${name} is required`);
    return undefined;
  }
  const number = toNanp10(value);
  if (number === undefined) throw uploadError(`${name} must be a 10-digit phone number`);
  return number;
}

/** Checks the multipart fields and the one audio file of an Upload Call Audio request. */
export function parseCallUpload(fields: Record<string, string>, files: UploadParts['files']): CallUpload {
  const unknown = Object.keys(fields).find((name) => !KNOWN_FIELDS.has(name));
  if (unknown !== undefined) throw uploadError(`Unknown field ${unknown}`);
  if (files.length !== 1 || files[0]?.field !== 'file')
    throw uploadError('Please upload one mp3/wav file in the field "file"');
  const file = files[0];
  const format = audioFormatOf(file.fileName, file.data);
  if (format === undefined) throw uploadError(WRONG_FORMAT);

  const text = (name: string) => {
    const value = fields[name]?.trim();
    if (value !== undefined && value.length > 255) throw uploadError(`${name} is longer than 255 characters`);
    return value === '' ? undefined : value;
  };
  const disposition = (text('disposition') ?? 'ANSWERED').toUpperCase();
  if (!(DISPOSITIONS as readonly string[]).includes(disposition))
    throw uploadError(`Invalid disposition ${disposition}; valid: ${DISPOSITIONS.join(', ')}`);
  const timezoneName = text('timezone') ?? 'UTC';
  const timezone = resolveTimeZone(timezoneName);
  if (timezone === undefined) throw uploadError(`Invalid timezone: ${timezoneName}`);

  const customSources: Record<string, string> = {};
  for (const name of CUSTOM_SOURCE_FIELDS) {
    const value = text(name);
    if (value !== undefined) customSources[name] = value;
  }
  const state = text('state')?.toUpperCase();
  if (state !== undefined && !/^[A-Z]{2}$/.test(state)) throw uploadError('state must be a 2-letter code');
  const zip = text('zip_code');
  if (zip !== undefined && !/^\d{5}$/.test(zip)) throw uploadError('zip_code must be 5 digits');
  const tagName = text('tag_name');

  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  const integer = (name: string, minimum: number) => {
    const value = text(name);
    return value === undefined ? undefined : parseInteger(name, value, minimum);
  };
  const textFields: Partial<Record<(typeof TEXT_FIELDS)[number], string>> = {};
  for (const name of TEXT_FIELDS) Object.assign(textFields, optional(name, text(name)));

  return {
    file: file.data,
    format,
    tracking_number: parsePhone('tracking_number', fields.tracking_number, true) as string,
    caller_id: parsePhone('caller_id', fields.caller_id, true) as string,
    ...optional('ring_to', parsePhone('ring_to', fields.ring_to, false)),
    disposition,
    ...optional(
      'call_date',
      text('call_date') === undefined ? undefined : parseCallDate(text('call_date') as string, timezone),
    ),
    // without one, the recording's own length (call-audio.ts)
    ...optional('duration', integer('duration', 0)),
    ...optional('group_id', integer('group_id', 1)),
    ...optional('group_ext_id', text('group_ext_id')),
    ...optional('channel_id', integer('channel_id', 1)),
    ...optional('campaign_id', integer('campaign_id', 1)),
    ...textFields,
    ...optional('state', state),
    ...optional('zip_code', zip),
    is_outbound: parseBoolean('is_outbound', fields.is_outbound),
    swap_channels: parseBoolean('swap_channels', fields.swap_channels),
    custom_sources: Object.keys(customSources).length === 0 ? null : customSources,
    tag_names: tagName === undefined ? [] : [tagName],
  };
}

import { parse } from 'csv-parse/sync';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { IANAZone } from 'luxon';

/**
 * Contacts from a CSV file: a header line, then one contact per line. `phone_number` (or
 * `phone`, `number`, `mobile`) is required and normalised to E.164 (a national number is read as
 * US/NANP); `first_name`, `last_name` and `time_zone` (an IANA zone) are the contact's fields;
 * every other column is a custom field, for merge fields in broadcasts. Lines that fail are
 * reported by their line number and skipped; lines with the same number merge (later values
 * win, empty cells keep the earlier ones).
 */

export interface ImportedContact {
  phone_number: string;
  first_name: string | null;
  last_name: string | null;
  time_zone: string | null;
  custom_fields: Record<string, string>;
}

export interface ContactImport {
  contacts: ImportedContact[];
  errors: { line: number; error: string }[];
  /** lines that merged into an earlier line with the same number */
  merged: number;
}

const PHONE_COLUMNS = ['phone_number', 'phone', 'number', 'mobile'];
const FIELD_COLUMNS = ['first_name', 'last_name', 'time_zone'];
export const MAX_IMPORT_LINES = 50_000;

/** E.164 for a phone number as people write it, or undefined when it is not a possible number. */
export function toContactNumber(raw: string): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.trim(), 'US');
  return parsed?.isPossible() && parsed.isValid() ? parsed.number : undefined;
}

export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** The key of a custom field column: lower case, spaces as underscores. */
const fieldKey = (header: string) => header.trim().toLowerCase().replace(/\s+/g, '_');

export function parseContactsCsv(text: string): ContactImport {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true, trim: true });
  } catch (error) {
    return {
      contacts: [],
      errors: [{ line: 1, error: `not a CSV file: ${(error as Error).message}` }],
      merged: 0,
    };
  }
  const [header, ...rows] = records;
  const keys = (header ?? []).map(fieldKey);
  const phoneIndex = keys.findIndex((key) => PHONE_COLUMNS.includes(key));
  if (phoneIndex < 0)
    return { contacts: [], errors: [{ line: 1, error: 'the header has no phone_number column' }], merged: 0 };
  if (rows.length > MAX_IMPORT_LINES)
    return { contacts: [], errors: [{ line: 1, error: `more than ${MAX_IMPORT_LINES} lines` }], merged: 0 };

  const byNumber = new Map<string, ImportedContact>();
  const errors: ContactImport['errors'] = [];
  let merged = 0;
  rows.forEach((row, index) => {
    const line = index + 2;
    const raw = row[phoneIndex] ?? '';
    const number = toContactNumber(raw);
    if (!number) {
      errors.push({
        line,
        error: raw === '' ? 'phone_number is empty' : `${raw} is not a valid phone number`,
      });
      return;
    }
    const cells = new Map(keys.map((key, i) => [key, row[i] ?? '']));
    const zone = cells.get('time_zone') ?? '';
    if (zone !== '' && !isTimeZone(zone)) {
      errors.push({ line, error: `time_zone ${zone} is not an IANA time zone` });
      return;
    }
    const custom: Record<string, string> = {};
    for (const [key, value] of cells)
      if (value !== '' && key !== keys[phoneIndex] && !FIELD_COLUMNS.includes(key) && key !== '')
        custom[key] = value;
    const contact: ImportedContact = {
      phone_number: number,
      first_name: cells.get('first_name') || null,
      last_name: cells.get('last_name') || null,
      time_zone: zone || null,
      custom_fields: custom,
    };
    const earlier = byNumber.get(number);
    if (earlier) {
      merged += 1;
      byNumber.set(number, mergeContacts(earlier, contact));
    } else byNumber.set(number, contact);
  });
  return { contacts: [...byNumber.values()], errors, merged };
}

/** `later` over `earlier`: its non-empty values win, custom fields are merged. */
export function mergeContacts(earlier: ImportedContact, later: ImportedContact): ImportedContact {
  return {
    phone_number: earlier.phone_number,
    first_name: later.first_name ?? earlier.first_name,
    last_name: later.last_name ?? earlier.last_name,
    time_zone: later.time_zone ?? earlier.time_zone,
    custom_fields: { ...earlier.custom_fields, ...later.custom_fields },
  };
}

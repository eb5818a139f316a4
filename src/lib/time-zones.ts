import { IANAZone } from 'luxon';

/**
 * Schedule time zones: V2 uses US names (`Atlantic`, `Eastern` ...); any IANA name works too.
 * Each US name maps to the zone whose DST rules it follows.
 */
const US_ZONES: Readonly<Record<string, string>> = {
  atlantic: 'America/Puerto_Rico',
  eastern: 'America/New_York',
  central: 'America/Chicago',
  mountain: 'America/Denver',
  arizona: 'America/Phoenix',
  pacific: 'America/Los_Angeles',
  alaska: 'America/Anchorage',
  hawaii: 'Pacific/Honolulu',
  samoa: 'Pacific/Pago_Pago',
  chamorro: 'Pacific/Guam',
};

/** The IANA zone for a V2 or IANA zone name, or undefined when it names no zone. */
export function resolveTimeZone(name: string): string | undefined {
  const us = US_ZONES[name.trim().toLowerCase()];
  if (us) return us;
  return IANAZone.isValidZone(name) ? name : undefined;
}

/** Minutes after midnight for `14:30`, `2:30 PM` or `End of Day` (24:00); undefined when malformed. */
export function parseClockTime(text: string): number | undefined {
  const value = text.trim();
  if (/^end of day$/i.test(value)) return 24 * 60;
  const twentyFour = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (twentyFour) return Number(twentyFour[1]) * 60 + Number(twentyFour[2]);
  const twelve = /^(0?[1-9]|1[0-2]):([0-5]\d)\s*([AaPp][Mm])$/.exec(value);
  if (!twelve) return undefined;
  const hour = (Number(twelve[1]) % 12) + ((twelve[3] ?? '').toLowerCase() === 'pm' ? 12 : 0);
  return hour * 60 + Number(twelve[2]);
}

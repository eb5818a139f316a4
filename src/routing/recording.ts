import { DateTime } from 'luxon';

/**
 * `record_until`: a flow records calls that start before this instant. A date (`YYYY-MM-DD`)
 * records through the end of that day in UTC; a date-time names its offset (`Z` or `±HH:mm`), so
 * no server zone decides it. The list of recording flows applies the same rule in SQL
 * (`RECORDING_UNTIL_SQL`, callflow-lists.repo.ts); these two patterns are the whole contract.
 */
export const RECORD_UNTIL_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const RECORD_UNTIL_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export const RECORD_UNTIL_FORMATS = 'YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ';

/** The instant recording stops, or undefined when `value` is not in a form above (or no real date). */
export function recordUntilInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  if (RECORD_UNTIL_DATE.test(value)) {
    const day = DateTime.fromISO(value, { zone: 'utc' });
    return day.isValid ? day.plus({ days: 1 }).toJSDate() : undefined;
  }
  if (!RECORD_UNTIL_DATE_TIME.test(value)) return undefined;
  const instant = DateTime.fromISO(value, { setZone: true });
  return instant.isValid ? instant.toJSDate() : undefined;
}

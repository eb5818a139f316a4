import { DateTime } from 'luxon';

/**
 * The first moment at or after `at` that is outside the quiet hours `[start, end)` in `zone`
 * (local wall-clock times "HH:MM"; a window that wraps midnight, 21:00-08:00, is the default).
 * Luxon does the arithmetic in the zone, so a window edge on a DST change day is that day's
 * wall-clock time (a time the change skips moves forward, as Luxon resolves it).
 */
export function nextAllowedTime(at: Date, zone: string, start: string, end: string): Date {
  if (start === end) return at;
  const [startHour = 0, startMinute = 0] = start.split(':').map(Number);
  const [endHour = 0, endMinute = 0] = end.split(':').map(Number);
  const local = DateTime.fromJSDate(at, { zone });
  const minutes = local.hour * 60 + local.minute;
  const startMinutes = startHour * 60 + startMinute;
  const endMinutes = endHour * 60 + endMinute;
  const wraps = startMinutes > endMinutes;
  const isQuiet = wraps
    ? minutes >= startMinutes || minutes < endMinutes
    : minutes >= startMinutes && minutes < endMinutes;
  if (!isQuiet) return at;
  const endToday = local.set({ hour: endHour, minute: endMinute, second: 0, millisecond: 0 });
  // before midnight in a wrapping window, the quiet hours end tomorrow
  const resume = wraps && minutes >= startMinutes ? endToday.plus({ days: 1 }) : endToday;
  return resume.toJSDate();
}

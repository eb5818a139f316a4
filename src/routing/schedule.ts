import { DateTime } from 'luxon';

/** A weekly window in a zone's local time; `endMinute <= startMinute` means it runs past midnight. */
export interface WeeklyWindow {
  /** ISO weekdays (1 = Monday ... 7 = Sunday) on which the window opens */
  days: readonly number[];
  startMinute: number;
  endMinute: number;
}

const DAY_SETS: Readonly<Record<string, readonly number[]>> = {
  AllDays: [1, 2, 3, 4, 5, 6, 7],
  Weekdays: [1, 2, 3, 4, 5],
  Weekends: [6, 7],
  Monday: [1],
  Tuesday: [2],
  Wednesday: [3],
  Thursday: [4],
  Friday: [5],
  Saturday: [6],
  Sunday: [7],
};

/** ISO weekdays named by V2 day ids (`AllDays`, `Weekdays`, `Weekends`, `Monday` ...). */
export function weekdaysOf(dayIds: readonly string[]): number[] {
  return [...new Set(dayIds.flatMap((id) => DAY_SETS[id] ?? []))].sort();
}

/**
 * True when `instant` falls inside the window, read in `zone`'s local time. Wall-clock minutes
 * are used, so a window keeps its local hours across DST changes. An overnight window that opens
 * on Friday 22:00 and ends 06:00 covers Saturday 00:00-06:00 too, because Friday opened it.
 */
export function isWithinWindow(window: WeeklyWindow, instant: Date, zone: string): boolean {
  const local = DateTime.fromJSDate(instant, { zone });
  const minute = local.hour * 60 + local.minute;
  const today = local.weekday;
  const yesterday = today === 1 ? 7 : today - 1;
  if (window.endMinute > window.startMinute) {
    return window.days.includes(today) && minute >= window.startMinute && minute < window.endMinute;
  }
  return (
    (window.days.includes(today) && minute >= window.startMinute) ||
    (window.days.includes(yesterday) && minute < window.endMinute)
  );
}

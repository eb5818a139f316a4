import { DateTime } from 'luxon';

/**
 * The periods a scheduled report covers, in the schedule's zone: a day (sent the next day), a
 * week from Monday (sent the next Monday) or a calendar month (sent on the 1st), each at the
 * schedule's local `HH:MM`. Pure: time comes in, so the tests walk across DST changes.
 */
export const FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export interface ScheduleTiming {
  frequency: Frequency;
  /** HH:MM, local */
  sendTime: string;
  /** IANA zone */
  timezone: string;
}

export interface Period {
  /** first day, YYYY-MM-DD */
  start: string;
  /** last day (included), YYYY-MM-DD */
  end: string;
  /** when its report is sent: the day after its last at the send time, local */
  dueAt: Date;
}

const UNIT = { daily: 'day', weekly: 'week', monthly: 'month' } as const;
const STEP = { daily: { days: 1 }, weekly: { weeks: 1 }, monthly: { months: 1 } } as const;

function periodFrom(timing: ScheduleTiming, start: DateTime): Period {
  const next = start.plus(STEP[timing.frequency]);
  const [hour, minute] = timing.sendTime.split(':').map(Number);
  // A send time that does not exist that day (spring forward) moves on by the gap, as Luxon does.
  const due = DateTime.fromObject(
    { year: next.year, month: next.month, day: next.day, hour: hour ?? 0, minute: minute ?? 0 },
    { zone: timing.timezone },
  );
  return {
    start: start.toISODate() as string,
    end: next.minus({ days: 1 }).toISODate() as string,
    dueAt: due.toJSDate(),
  };
}

/** The period that holds `at`. */
export function periodHolding(timing: ScheduleTiming, at: Date): Period {
  const local = DateTime.fromJSDate(at, { zone: timing.timezone }).startOf(UNIT[timing.frequency]);
  return periodFrom(timing, local);
}

/** The period that starts on `start` (YYYY-MM-DD). */
export function periodStarting(timing: ScheduleTiming, start: string): Period {
  return periodFrom(
    timing,
    DateTime.fromISO(start, { zone: timing.timezone }).startOf(UNIT[timing.frequency]),
  );
}

export function nextPeriod(timing: ScheduleTiming, period: Period): Period {
  return periodFrom(
    timing,
    DateTime.fromISO(period.start, { zone: timing.timezone }).plus(STEP[timing.frequency]),
  );
}

export function previousPeriod(timing: ScheduleTiming, period: Period): Period {
  return periodFrom(
    timing,
    DateTime.fromISO(period.start, { zone: timing.timezone }).minus(STEP[timing.frequency]),
  );
}

/**
 * The first period a schedule made at `now` sends: the last finished period when its send time
 * is still ahead (made at 07:00 for 08:00: yesterday's report goes today), else the current one.
 */
export function firstPeriod(timing: ScheduleTiming, now: Date): Period {
  const current = periodHolding(timing, now);
  const previous = previousPeriod(timing, current);
  return previous.dueAt.getTime() > now.getTime() ? previous : current;
}

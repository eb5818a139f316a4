import { describe, expect, it } from 'vitest';
import { parseClockTime, resolveTimeZone } from '../../src/lib/time-zones.js';
import { isWithinWindow, weekdaysOf } from '../../src/routing/schedule.js';

describe('weekdaysOf', () => {
  it('expands V2 day ids to ISO weekdays', () => {
    expect(weekdaysOf(['AllDays'])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(weekdaysOf(['Weekdays'])).toEqual([1, 2, 3, 4, 5]);
    expect(weekdaysOf(['Weekends', 'Monday'])).toEqual([1, 6, 7]);
  });
});

describe('isWithinWindow', () => {
  const zone = 'America/Chicago';
  // Friday 22:00 - 06:00; mid-March Chicago is on CDT (UTC-5)
  const overnight = { days: [5], startMinute: 22 * 60, endMinute: 6 * 60 };

  it.each([
    ['Friday 23:00', '2026-03-14T04:00:00Z', true],
    ['Saturday 05:59', '2026-03-14T10:59:00Z', true],
    ['Saturday 06:00', '2026-03-14T11:00:00Z', false],
    ['Friday 21:59', '2026-03-14T02:59:00Z', false],
    ['Thursday 23:00', '2026-03-13T04:00:00Z', false],
  ])('an overnight window opened on Friday: %s is %s', (_, instant, open) => {
    expect(isWithinWindow(overnight, new Date(instant), zone)).toBe(open);
  });

  it('keeps local hours across the autumn DST change', () => {
    const window = { days: [1], startMinute: 9 * 60, endMinute: 17 * 60 };
    // Monday 9:00 CDT (UTC-5) on 2026-10-26, Monday 9:00 CST (UTC-6) on 2026-11-02
    expect(isWithinWindow(window, new Date('2026-10-26T14:00:00Z'), zone)).toBe(true);
    expect(isWithinWindow(window, new Date('2026-11-02T14:00:00Z'), zone)).toBe(false);
    expect(isWithinWindow(window, new Date('2026-11-02T15:00:00Z'), zone)).toBe(true);
  });
});

describe('time zones and clock times', () => {
  it('maps V2 US zone names and accepts IANA names', () => {
    expect(resolveTimeZone('Atlantic')).toBe('America/Puerto_Rico');
    expect(resolveTimeZone('eastern')).toBe('America/New_York');
    expect(resolveTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone('Mars/Olympus')).toBeUndefined();
  });

  it.each([
    ['08:00', 480],
    ['8:05 PM', 1205],
    ['12:00 AM', 0],
    ['12:30 pm', 750],
    ['End of Day', 1440],
    ['24:00', undefined],
    ['7pm', undefined],
  ])('reads %s', (text, minutes) => {
    expect(parseClockTime(text)).toBe(minutes);
  });
});

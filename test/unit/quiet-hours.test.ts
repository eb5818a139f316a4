import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nextAllowedTime } from '../../src/modules/smsbroadcast/quiet-hours.js';

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const local = (date: Date, zone: string) =>
  DateTime.fromJSDate(date, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('nextAllowedTime', () => {
  it('leaves a time outside the quiet hours as it is', () => {
    const noon = at('2026-03-07T12:00', 'America/Denver');
    expect(nextAllowedTime(noon, 'America/Denver', '21:00', '08:00')).toEqual(noon);
  });

  it('moves an evening time to 08:00 the next morning, and an early one to 08:00 that day, in the zone', () => {
    expect(
      local(
        nextAllowedTime(at('2026-03-07T22:30', 'America/Denver'), 'America/Denver', '21:00', '08:00'),
        'America/Denver',
      ),
    ).toBe('2026-03-08T08:00');
    expect(
      local(
        nextAllowedTime(at('2026-03-07T05:00', 'Asia/Tokyo'), 'Asia/Tokyo', '21:00', '08:00'),
        'Asia/Tokyo',
      ),
    ).toBe('2026-03-07T08:00');
  });

  it('keeps wall-clock 08:00 across the DST changes (spring forward and fall back)', () => {
    // New York springs forward on 2026-03-08 and falls back on 2026-11-01
    const spring = nextAllowedTime(
      at('2026-03-07T23:00', 'America/New_York'),
      'America/New_York',
      '21:00',
      '08:00',
    );
    expect(local(spring, 'America/New_York')).toBe('2026-03-08T08:00');
    expect(spring.toISOString()).toBe('2026-03-08T12:00:00.000Z');
    const fall = nextAllowedTime(
      at('2026-10-31T23:00', 'America/New_York'),
      'America/New_York',
      '21:00',
      '08:00',
    );
    expect(fall.toISOString()).toBe('2026-11-01T13:00:00.000Z');
  });

  it('one instant is quiet in one zone and not in another', () => {
    const instant = new Date('2026-03-07T04:30:00Z'); // 21:30 in Denver, 23:30 in New York, 20:30 in Los Angeles
    expect(nextAllowedTime(instant, 'America/Los_Angeles', '21:00', '08:00')).toEqual(instant);
    expect(local(nextAllowedTime(instant, 'America/Denver', '21:00', '08:00'), 'America/Denver')).toBe(
      '2026-03-07T08:00',
    );
  });

  it('never answers a time inside the quiet hours or before the given time (any zone, any window)', () => {
    const zones = [
      'America/New_York',
      'America/Denver',
      'America/Phoenix',
      'Pacific/Honolulu',
      'Europe/London',
      'Australia/Lord_Howe',
    ];
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 23 }),
        (date, zone, startHour, endHour) => {
          const start = `${String(startHour).padStart(2, '0')}:00`;
          const end = `${String(endHour).padStart(2, '0')}:00`;
          const next = nextAllowedTime(date, zone, start, end);
          expect(next.getTime()).toBeGreaterThanOrEqual(date.getTime());
          expect(next.getTime() - date.getTime()).toBeLessThanOrEqual(26 * 3600_000);
          if (startHour === endHour) return;
          const hour = DateTime.fromJSDate(next, { zone }).hour;
          const quiet =
            startHour > endHour ? hour >= startHour || hour < endHour : hour >= startHour && hour < endHour;
          expect(quiet).toBe(false);
        },
      ),
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  firstPeriod,
  nextPeriod,
  periodStarting,
  previousPeriod,
  type ScheduleTiming,
} from '../../src/modules/reports/report-periods.js';

/** The periods of scheduled reports: days, weeks from Monday and months, sent at a local time. */
const NY = 'America/New_York';
const timing = (
  frequency: ScheduleTiming['frequency'],
  sendTime = '08:00',
  timezone = NY,
): ScheduleTiming => ({
  frequency,
  sendTime,
  timezone,
});
const view = (p: { start: string; end: string; dueAt: Date }) => [p.start, p.end, p.dueAt.toISOString()];

describe('report periods', () => {
  it.each([
    // made at 10:00 EST on Saturday the 7th
    ['daily', '2026-03-07T15:00:00Z', ['2026-03-07', '2026-03-07', '2026-03-08T12:00:00.000Z']],
    // made at 07:00 EST: yesterday's report is still to go today
    ['daily', '2026-03-07T12:00:00Z', ['2026-03-06', '2026-03-06', '2026-03-07T13:00:00.000Z']],
    ['weekly', '2026-03-07T15:00:00Z', ['2026-03-02', '2026-03-08', '2026-03-09T12:00:00.000Z']],
    ['monthly', '2026-03-07T15:00:00Z', ['2026-03-01', '2026-03-31', '2026-04-01T12:00:00.000Z']],
    // Monday 07:00 EDT: last week's report is still due today
    ['weekly', '2026-03-09T11:00:00Z', ['2026-03-02', '2026-03-08', '2026-03-09T12:00:00.000Z']],
  ] as const)('%s, made at %s, first sends %j', (frequency, now, expected) => {
    expect(view(firstPeriod(timing(frequency), new Date(now)))).toEqual(expected);
  });

  it('keeps the local send time across both DST changes', () => {
    const daily = timing('daily');
    let period = periodStarting(daily, '2026-03-06');
    const dues: string[] = [];
    for (let i = 0; i < 3; i++) {
      dues.push(period.dueAt.toISOString());
      period = nextPeriod(daily, period);
    }
    // 08:00 EST is 13:00 UTC; from the 8th, 08:00 EDT is 12:00 UTC
    expect(dues).toEqual([
      '2026-03-07T13:00:00.000Z',
      '2026-03-08T12:00:00.000Z',
      '2026-03-09T12:00:00.000Z',
    ]);
    const autumn = periodStarting(daily, '2026-10-31');
    expect(autumn.dueAt.toISOString()).toBe('2026-11-01T13:00:00.000Z');
  });

  it('moves a send time that does not exist that day (02:30 on the spring change) past the gap', () => {
    const early = timing('daily', '02:30');
    expect(periodStarting(early, '2026-03-07').dueAt.toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  it('steps months of different lengths and back', () => {
    const monthly = timing('monthly', '06:00', 'Europe/London');
    const february = periodStarting(monthly, '2026-02-01');
    expect(view(february)).toEqual(['2026-02-01', '2026-02-28', '2026-03-01T06:00:00.000Z']);
    expect(view(nextPeriod(monthly, february)).slice(0, 2)).toEqual(['2026-03-01', '2026-03-31']);
    expect(previousPeriod(monthly, february).start).toBe('2026-01-01');
    // a start that is not a period's first day is the period that holds it
    expect(periodStarting(timing('weekly'), '2026-03-05').start).toBe('2026-03-02');
  });
});

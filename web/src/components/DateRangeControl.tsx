import { DatePickerInput } from '@mantine/dates';
import { IconCalendar } from '@tabler/icons-react';
import { addDays, formatDay, todayIn } from '../lib/format';

export interface DateRange {
  from: string;
  to: string;
}

/** The last 30 days, today included, in the zone. */
export function defaultRange(timeZone: string): DateRange {
  const today = todayIn(timeZone);
  return { from: addDays(today, -29), to: today };
}

function presets(timeZone: string) {
  const today = todayIn(timeZone);
  const monthStart = `${today.slice(0, 8)}01`;
  const lastMonthEnd = addDays(monthStart, -1);
  const range = (from: string, to: string): [string, string] => [from, to];
  return [
    { value: range(today, today), label: 'Today' },
    { value: range(addDays(today, -1), addDays(today, -1)), label: 'Yesterday' },
    { value: range(addDays(today, -6), today), label: 'Last 7 days' },
    { value: range(addDays(today, -29), today), label: 'Last 30 days' },
    { value: range(monthStart, today), label: 'This month' },
    { value: range(`${lastMonthEnd.slice(0, 8)}01`, lastMonthEnd), label: 'Last month' },
    { value: range(addDays(today, -89), today), label: 'Last 90 days' },
  ];
}

/** A date range with the presets a manager reaches for; dates are calendar days in the group's zone. */
export function DateRangeControl({
  value,
  onChange,
  timeZone,
}: {
  value: DateRange;
  onChange: (range: DateRange) => void;
  timeZone: string;
}) {
  return (
    <DatePickerInput
      type="range"
      // the accessible name holds the dates shown, so speech input can name the control by them
      aria-label={`Date range: ${formatDay(value.from, true)} – ${formatDay(value.to, true)}`}
      labelSeparator="–"
      value={[value.from, value.to]}
      onChange={([from, to]) => {
        if (from && to) onChange({ from, to });
      }}
      presets={presets(timeZone)}
      maxDate={todayIn(timeZone)}
      valueFormat="MMM D, YYYY"
      leftSection={<IconCalendar size={16} aria-hidden />}
      allowSingleDateInRange
      miw={250}
      numberOfColumns={1}
      popoverProps={{ position: 'bottom-end' }}
    />
  );
}

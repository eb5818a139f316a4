import { Card, Group, SegmentedControl, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { SeriesBucket } from '../../api/types';
import { UPlotChart } from '../../components/UPlotChart';
import { addDays, formatCount, formatDay } from '../../lib/format';
import { type CallScope, seriesQuery } from '../calls/queries';

export type Interval = 'hour' | 'day' | 'week';

/** Every bucket of the range, so quiet days show as zero rather than being skipped. */
function bucketsOf(from: string, to: string, interval: Interval): string[] {
  const buckets: string[] = [];
  if (interval === 'week') {
    const weekday = (new Date(`${from}T00:00:00Z`).getUTCDay() + 6) % 7;
    for (let day = addDays(from, -weekday); day <= to; day = addDays(day, 7)) buckets.push(`${day}T00:00`);
    return buckets;
  }
  for (let day = from; day <= to; day = addDays(day, 1)) {
    if (interval === 'day') buckets.push(`${day}T00:00`);
    else for (let hour = 0; hour < 24; hour += 1) buckets.push(`${day}T${String(hour).padStart(2, '0')}:00`);
  }
  return buckets;
}

function bucketLabel(bucket: string, interval: Interval): string {
  const day = formatDay(bucket.slice(0, 10));
  if (interval === 'week') return `Week of ${day}`;
  if (interval === 'day') return day;
  const hour = Number(bucket.slice(11, 13));
  return `${day} ${hour % 12 === 0 ? 12 : hour % 12} ${hour < 12 ? 'AM' : 'PM'}`;
}

/** The lines, over the total as a filled area. Colours from the component kit's palette. */
const SERIES = [
  { key: 'calls', label: 'All calls', stroke: '#1151c5', fill: 'rgba(17, 81, 197, 0.12)', width: 2.5 },
  { key: 'answered', label: 'Answered', stroke: '#0ca678', width: 2 },
  { key: 'voicemails', label: 'Voicemail', stroke: '#4dabf7', width: 2 },
  { key: 'missed', label: 'Missed', stroke: '#fd7e14', width: 2 },
] as const;

function chartOptions(labels: string[]): Omit<uPlot.Options, 'width' | 'height'> {
  const axis = {
    stroke: '#5c5f66',
    grid: { stroke: '#eceef2', width: 1 },
    ticks: { stroke: '#dee2e6', width: 1 },
  };
  return {
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
    axes: [
      {
        ...axis,
        grid: { show: false },
        values: (_u, ticks) => ticks.map((tick) => labels[tick] ?? ''),
        space: 70,
      },
      {
        ...axis,
        values: (_u, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? formatCount(tick) : '')),
        size: 48,
      },
    ],
    series: [
      { label: '', value: (_u, index) => (index === null ? '' : (labels[index] ?? '')) },
      ...SERIES.map((series) => ({
        label: series.label,
        stroke: series.stroke,
        width: series.width,
        ...('fill' in series ? { fill: series.fill } : {}),
        points: { show: false },
        value: (_u: uPlot, value: number | null) => (value === null ? '' : formatCount(value)),
      })),
    ],
    cursor: { points: { size: 7 }, drag: { x: false, y: false } },
    legend: { live: true },
  };
}

export function CallsOverTime({
  scope,
  range,
  interval,
  onIntervalChange,
}: {
  scope: CallScope;
  range: { from: string; to: string };
  interval: Interval;
  onIntervalChange: (interval: Interval) => void;
}) {
  const { data } = useQuery(seriesQuery(scope, interval));
  const rows = useMemo(() => {
    const byBucket = new Map((data ?? []).map((row) => [row.bucket, row]));
    return bucketsOf(range.from, range.to, interval).map((bucket) => {
      const row: Partial<SeriesBucket> = byBucket.get(bucket) ?? {};
      return {
        bucket: bucketLabel(bucket, interval),
        answered: row.answered ?? 0,
        voicemails: row.voicemails ?? 0,
        missed: row.missed ?? 0,
        blocked: row.blocked ?? 0,
        calls: row.calls ?? 0,
      };
    });
  }, [data, range.from, range.to, interval]);
  const total = rows.reduce((sum, row) => sum + row.calls, 0);
  const labels = useMemo(() => rows.map((row) => row.bucket), [rows]);
  const options = useMemo(() => chartOptions(labels), [labels]);
  const plotData = useMemo<uPlot.AlignedData>(
    () => [rows.map((_, index) => index), ...SERIES.map((series) => rows.map((row) => row[series.key]))],
    [rows],
  );

  return (
    <Card p="md" h="100%">
      <Group justify="space-between" mb="md" wrap="wrap" gap="xs">
        <Title order={2} size="h4" id="calls-over-time">
          Calls over time
        </Title>
        <SegmentedControl
          size="xs"
          value={interval}
          onChange={(value) => onIntervalChange(value as Interval)}
          data={[
            { value: 'hour', label: 'Hour' },
            { value: 'day', label: 'Day' },
            { value: 'week', label: 'Week' },
          ]}
          aria-label="Group calls by"
        />
      </Group>
      {total === 0 && data ? (
        <Text c="dimmed" size="sm" py="xl" ta="center">
          No calls in this range.
        </Text>
      ) : (
        <UPlotChart
          key={`${interval}-${range.from}-${range.to}`}
          options={options}
          data={plotData}
          height={280}
          label={`Calls per ${interval}: ${formatCount(total)} in all`}
        />
      )}
      <VisuallyHidden>
        <table>
          <caption>Calls per {interval}</caption>
          <thead>
            <tr>
              <th>Period</th>
              <th>Calls</th>
              <th>Answered</th>
              <th>Voicemail</th>
              <th>Missed</th>
            </tr>
          </thead>
          <tbody>
            {rows
              .filter((row) => row.calls > 0)
              .map((row) => (
                <tr key={row.bucket}>
                  <td>{row.bucket}</td>
                  <td>{row.calls}</td>
                  <td>{row.answered}</td>
                  <td>{row.voicemails}</td>
                  <td>{row.missed}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </Card>
  );
}

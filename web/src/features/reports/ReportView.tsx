import {
  Card,
  Group,
  Progress,
  SimpleGrid,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { UPlotChart } from '../../components/UPlotChart';
import {
  addDays,
  formatCount,
  formatDay,
  formatDuration,
  formatKeyPath,
  formatMoney,
  formatPercent,
  formatPhone,
  formatTalkTime,
} from '../../lib/format';
import type { Dimension, Interval, Report } from './queries';

/** The report types people pick: each a set of breakdowns. */
export const REPORT_TYPES: { value: string; label: string; dimensions: Dimension[] }[] = [
  { value: 'campaign', label: 'Calls by campaign', dimensions: ['campaign', 'channel'] },
  { value: 'source', label: 'Calls by source', dimensions: ['channel', 'utm_source_medium', 'referrer'] },
  { value: 'number', label: 'Calls by tracking number', dimensions: ['tracking_number', 'call_flow'] },
  { value: 'group', label: 'Calls by group', dimensions: ['group'] },
  {
    value: 'web',
    label: 'Website visits (DNI)',
    dimensions: ['landing_page', 'referrer', 'utm_source', 'utm_medium'],
  },
  { value: 'menu', label: 'Menu choices and ring-to', dimensions: ['key_path', 'ring_to'] },
  { value: 'outcome', label: 'Missed calls and voicemails', dimensions: ['disposition', 'tracking_number'] },
];

export const DIMENSION_LABELS: Record<Dimension, string> = {
  campaign: 'Campaign',
  channel: 'Channel',
  tracking_number: 'Tracking number',
  call_flow: 'Call flow',
  group: 'Group',
  landing_page: 'Landing page',
  referrer: 'Referrer',
  utm_source: 'UTM source',
  utm_medium: 'UTM medium',
  utm_source_medium: 'UTM source / medium',
  key_path: 'Keys pressed',
  ring_to: 'Ring-to number',
  disposition: 'Disposition',
};

const seconds = (value: number) => (value === 0 ? '—' : formatDuration(value));

interface Kpi {
  id: string;
  label: string;
  value: (r: Report['totals']) => string;
  hint: (r: Report['totals']) => string;
  color?: string;
}

const KPIS: Kpi[] = [
  {
    id: 'calls',
    label: 'Calls',
    value: (t) => formatCount(t.calls),
    hint: (t) => `${formatCount(t.unique_callers)} callers`,
  },
  {
    id: 'answered',
    label: 'Answered',
    value: (t) => formatCount(t.answered),
    hint: (t) => `${formatPercent(t.answered, t.calls)} of calls`,
    color: 'teal',
  },
  {
    id: 'missed',
    label: 'Missed',
    value: (t) => formatCount(t.missed),
    hint: (t) => `${formatPercent(t.missed, t.calls)} of calls`,
    color: 'orange',
  },
  {
    id: 'voicemails',
    label: 'Voicemails',
    value: (t) => formatCount(t.voicemails),
    hint: (t) => `${formatPercent(t.voicemails, t.calls)} of calls`,
    color: 'blue',
  },
  {
    id: 'first_time',
    label: 'First-time callers',
    value: (t) => formatCount(t.first_time),
    hint: (t) => `${formatCount(t.repeat_calls)} repeat calls`,
  },
  {
    id: 'answer_time',
    label: 'Average answer time',
    value: (t) => seconds(t.average_answer_seconds),
    hint: () => 'ringing before an answer',
  },
  {
    id: 'talk_time',
    label: 'Average talk time',
    value: (t) => seconds(t.average_talk_seconds),
    hint: (t) => `${formatTalkTime(t.talk_seconds)} in all`,
  },
  {
    id: 'minutes',
    label: 'Billable minutes',
    value: (t) => formatCount(t.billable_minutes),
    hint: (t) => (t.call_value > 0 ? `${formatMoney(t.call_value)} call value` : 'each call rounded up'),
  },
];

export function Totals({ totals }: { totals: Report['totals'] }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 4, xl: 8 }} spacing="sm" data-testid="report-totals">
      {KPIS.map((kpi) => (
        <Card key={kpi.id} p="md" data-testid={`total-${kpi.id}`}>
          <Text size="xs" tt="uppercase" fw={700} c="dimmed" lts={0.4}>
            {kpi.label}
          </Text>
          <Text
            fz={{ base: 22, sm: 26 }}
            fw={700}
            c={kpi.color ? `${kpi.color}.8` : undefined}
            className="sb-tabular"
            data-value
          >
            {kpi.value(totals)}
          </Text>
          <Text size="xs" c="dimmed">
            {kpi.hint(totals)}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

/** Every bucket of the range (as the server names them), so quiet periods show as zero. */
function bucketsOf(from: string, to: string, interval: Interval): string[] {
  const buckets: string[] = [];
  if (interval === 'month') {
    for (let month = `${from.slice(0, 7)}-01`; month <= to; ) {
      buckets.push(`${month}T00:00`);
      const [year, m] = month.split('-').map(Number) as [number, number];
      month = m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`;
    }
    return buckets;
  }
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
  if (interval === 'month')
    return new Date(`${bucket.slice(0, 10)}T12:00:00Z`).toLocaleDateString('en-US', {
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    });
  if (interval === 'week') return `Week of ${day}`;
  if (interval === 'day') return day;
  const hour = Number(bucket.slice(11, 13));
  return `${day} ${hour % 12 === 0 ? 12 : hour % 12} ${hour < 12 ? 'AM' : 'PM'}`;
}

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

export function SeriesChart({ report }: { report: Report }) {
  const rows = useMemo(() => {
    const byBucket = new Map(report.series.map((row) => [row.bucket, row]));
    return bucketsOf(report.start_date, report.end_date, report.interval).map((bucket) => {
      const row = byBucket.get(bucket);
      return {
        bucket: bucketLabel(bucket, report.interval),
        calls: row?.calls ?? 0,
        answered: row?.answered ?? 0,
        voicemails: row?.voicemails ?? 0,
        missed: row?.missed ?? 0,
      };
    });
  }, [report]);
  const labels = useMemo(() => rows.map((row) => row.bucket), [rows]);
  const options = useMemo(() => chartOptions(labels), [labels]);
  const data = useMemo<uPlot.AlignedData>(
    () => [rows.map((_, index) => index), ...SERIES.map((series) => rows.map((row) => row[series.key]))],
    [rows],
  );
  return (
    <Card p="md">
      <Title order={2} size="h4" mb="md">
        Calls per {report.interval}
      </Title>
      <UPlotChart
        key={`${report.interval}-${report.start_date}-${report.end_date}`}
        options={options}
        data={data}
        height={280}
        label={`Calls per ${report.interval}: ${formatCount(report.totals.calls)} in all`}
      />
      <VisuallyHidden>
        <table>
          <caption>Calls per {report.interval}</caption>
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

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const hourName = (hour: number) => `${hour % 12 === 0 ? 12 : hour % 12} ${hour < 12 ? 'AM' : 'PM'}`;

/** Calls per hour of the day and day of the week, darker for more: when to staff the phones. */
export function Heatmap({ report }: { report: Report }) {
  const cells = new Map(report.heatmap.map((cell) => [`${cell.weekday}-${cell.hour}`, cell]));
  const top = Math.max(1, ...report.heatmap.map((cell) => cell.calls));
  return (
    <Card p="md">
      <Title order={2} size="h4" mb={4} id="heatmap-title">
        When people call
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        Calls per hour and day of the week, in {report.timezone.replace(/_/g, ' ')}
      </Text>
      <div style={{ overflowX: 'auto' }}>
        <table className="sb-heatmap" aria-labelledby="heatmap-title" data-testid="heatmap">
          <thead>
            <tr>
              <td />
              {HOURS.map((hour) => (
                <th key={hour} scope="col" aria-label={hourName(hour)}>
                  {hour % 3 === 0 ? hourName(hour).replace(' ', '') : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WEEKDAYS.map((day, index) => (
              <tr key={day}>
                <th scope="row" aria-label={day}>
                  {day.slice(0, 3)}
                </th>
                {HOURS.map((hour) => {
                  const cell = cells.get(`${index + 1}-${hour}`);
                  const calls = cell?.calls ?? 0;
                  const label = `${day} ${hourName(hour)}: ${calls} calls, ${cell?.answered ?? 0} answered`;
                  return (
                    <Tooltip key={hour} label={label} openDelay={150}>
                      <td
                        aria-label={label}
                        style={{
                          background:
                            calls === 0
                              ? 'var(--mantine-color-gray-1)'
                              : `rgba(17, 81, 197, ${0.15 + 0.85 * (calls / top)})`,
                        }}
                      />
                    </Tooltip>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

function rowLabel(dimension: Dimension, row: Report['breakdowns'][number]['rows'][number]): string {
  if (row.key === null || row.key === '') return dimension === 'key_path' ? 'No keys pressed' : 'None';
  if (dimension === 'tracking_number' || dimension === 'ring_to')
    return row.label ? `${row.label} · ${formatPhone(row.key)}` : formatPhone(row.key);
  if (dimension === 'key_path') return `Pressed ${formatKeyPath(row.key)}`;
  return row.label ?? row.key;
}

export function BreakdownTable({ breakdown }: { breakdown: Report['breakdowns'][number] }) {
  const { dimension, rows } = breakdown;
  const top = Math.max(1, ...rows.map((row) => row.calls));
  const title = `By ${DIMENSION_LABELS[dimension].replace(/^(?![A-Z]{2})./, (c) => c.toLowerCase())}`;
  return (
    <Card p="md" data-testid={`breakdown-${dimension}`}>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          No calls in this range.
        </Text>
      ) : (
        <Table.ScrollContainer
          minWidth={560}
          // a table wider than its column scrolls: keyboard users reach it to scroll (WCAG 2.1.1)
          scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': title } }}
        >
          <Table verticalSpacing={6} highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{DIMENSION_LABELS[dimension]}</Table.Th>
                <Table.Th ta="right">Calls</Table.Th>
                <Table.Th ta="right">Answered</Table.Th>
                <Table.Th ta="right">Missed</Table.Th>
                <Table.Th ta="right">Voicemails</Table.Th>
                <Table.Th ta="right">First-time</Table.Th>
                <Table.Th ta="right">Avg talk</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.key ?? 'none'}>
                  <Table.Td style={{ maxWidth: 0, width: '40%' }}>
                    <Text size="sm" truncate="end" title={rowLabel(dimension, row)}>
                      {rowLabel(dimension, row)}
                    </Text>
                    <Progress value={(row.calls / top) * 100} size={4} mt={4} aria-hidden />
                  </Table.Td>
                  <Table.Td ta="right" className="sb-tabular">
                    {formatCount(row.calls)}
                  </Table.Td>
                  <Table.Td ta="right" className="sb-tabular">
                    <Group gap={6} justify="flex-end" wrap="nowrap">
                      {formatCount(row.answered)}
                      <Text span size="xs" c="dimmed">
                        {formatPercent(row.answered, row.calls)}
                      </Text>
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right" className="sb-tabular">
                    {formatCount(row.missed)}
                  </Table.Td>
                  <Table.Td ta="right" className="sb-tabular">
                    {formatCount(row.voicemails)}
                  </Table.Td>
                  <Table.Td ta="right" className="sb-tabular">
                    {formatCount(row.first_time)}
                  </Table.Td>
                  <Table.Td ta="right" className="sb-tabular">
                    {row.answered === 0 ? '—' : formatDuration(row.talk_seconds / row.answered)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

const TEXT_FIGURES: { key: keyof Report['texts']['totals']; label: string }[] = [
  { key: 'texts', label: 'Texts' },
  { key: 'inbound', label: 'Received' },
  { key: 'outbound', label: 'Sent' },
  { key: 'delivered', label: 'Delivered' },
  { key: 'failed', label: 'Failed' },
  { key: 'conversations', label: 'Conversations' },
];

/** The subtree's texts over the range: the figures the CSV, XLSX and PDF show too. */
export function TextsCard({ texts }: { texts: Report['texts'] }) {
  return (
    <Card p="md" data-testid="report-texts">
      <Title order={2} size="h4" mb="sm">
        Texts
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 3, xl: 6 }} spacing="sm">
        {TEXT_FIGURES.map(({ key, label }) => (
          <div key={key} data-testid={`texts-${key}`}>
            <Text size="xs" tt="uppercase" fw={700} c="dimmed" lts={0.4}>
              {label}
            </Text>
            <Text fz={22} fw={700} className="sb-tabular" data-value>
              {formatCount(texts.totals[key])}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Card>
  );
}

type ScoreRow = Report['scores'][number];

const BY_LABELS: Record<ScoreRow['breakdown'], string> = {
  total: 'All scored calls',
  call_flow: 'Call flow',
  agent: 'Agent',
};

function scoreLabel(row: ScoreRow): string {
  if (row.breakdown === 'total') return BY_LABELS.total;
  if (row.key === null || row.key === '') return row.breakdown === 'agent' ? 'No agent' : 'No call flow';
  if (row.breakdown === 'agent' && /^\+?[0-9]{10,15}$/.test(row.key)) return formatPhone(row.key);
  return row.label ?? row.key;
}

/** Indicator scores and scorecard averages of the report's calls: a table per indicator and scorecard. */
export function ScoresCard({ scores }: { scores: Report['scores'] }) {
  const sources = useMemo(() => {
    const bySource = new Map<string, { title: string; rows: ScoreRow[] }>();
    for (const row of scores) {
      const id = `${row.source}-${row.source_id}`;
      const entry = bySource.get(id) ?? {
        title: `${row.source === 'indicator' ? 'Indicator' : 'Scorecard'}: ${row.source_name}`,
        rows: [],
      };
      entry.rows.push(row);
      bySource.set(id, entry);
    }
    return [...bySource.entries()];
  }, [scores]);
  return (
    <Card p="md" data-testid="report-scores">
      <Title order={2} size="h4" mb="sm">
        Scores by call flow and agent
      </Title>
      {sources.length === 0 ? (
        <Text c="dimmed" size="sm">
          No call in this range has an indicator score or a scorecard.
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="md">
          {sources.map(([id, { title, rows }]) => (
            <Table.ScrollContainer
              key={id}
              minWidth={420}
              scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': title } }}
            >
              <Table verticalSpacing={6} highlightOnHover data-testid={`scores-${id}`}>
                <Table.Caption style={{ captionSide: 'top', textAlign: 'left' }}>
                  <Text size="sm" fw={600} c="var(--mantine-color-text)">
                    {title}
                  </Text>
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Calls of</Table.Th>
                    <Table.Th>By</Table.Th>
                    <Table.Th ta="right">Scored calls</Table.Th>
                    <Table.Th ta="right">Average score</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((row) => (
                    <Table.Tr key={`${row.breakdown}-${row.key ?? 'none'}`}>
                      <Table.Td>
                        <Text size="sm" fw={row.breakdown === 'total' ? 600 : undefined}>
                          {scoreLabel(row)}
                        </Text>
                      </Table.Td>
                      <Table.Td>{row.breakdown === 'total' ? '—' : BY_LABELS[row.breakdown]}</Table.Td>
                      <Table.Td ta="right" className="sb-tabular">
                        {formatCount(row.calls)}
                      </Table.Td>
                      <Table.Td ta="right" className="sb-tabular">
                        {row.average_score.toFixed(2)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ))}
        </SimpleGrid>
      )}
    </Card>
  );
}

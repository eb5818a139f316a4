import {
  Anchor,
  Badge,
  Card,
  Group,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { CallFlowSummary } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { UPlotChart } from '../../components/UPlotChart';
import { formatCount, formatDateTime, formatPhone } from '../../lib/format';
import { useCurrentGroup } from '../groups/queries';
import { type Leased, poolHistoryQuery, poolLeasesQuery, poolUsageQuery, type UsageHistory } from './queries';

const PERIODS = [
  { value: '1', label: 'Day' },
  { value: '7', label: 'Week' },
  { value: '30', label: 'Month' },
];

/** The lines: the pool's size as a dashed ceiling, numbers leased and visitors (over it: sharing). */
const SERIES = [
  { key: 'size', label: 'Numbers in pool', stroke: '#868e96', width: 1.5, dash: [6, 4] },
  { key: 'leased', label: 'Leased', stroke: '#1151c5', fill: 'rgba(17, 81, 197, 0.12)', width: 2.5 },
  { key: 'live_visitors', label: 'Visitors', stroke: '#fd7e14', width: 2 },
] as const;

type Sample = UsageHistory['samples'][number];

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
        space: 110,
      },
      {
        ...axis,
        values: (_u, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? formatCount(tick) : '')),
        size: 40,
      },
    ],
    series: [
      { label: '', value: (_u, index) => (index === null ? '' : (labels[index] ?? '')) },
      ...SERIES.map((series) => ({
        label: series.label,
        stroke: series.stroke,
        width: series.width,
        ...('fill' in series ? { fill: series.fill } : {}),
        ...('dash' in series ? { dash: [...series.dash] } : {}),
        points: { show: false },
        value: (_u: uPlot, value: number | null) => (value === null ? '' : formatCount(value)),
      })),
    ],
    cursor: { points: { size: 6 }, drag: { x: false, y: false } },
    legend: { live: true },
  };
}

/**
 * A DNI number pool: how full it is now, its utilisation over time (the samples the server takes
 * every POOL_SAMPLE_MINUTES), the size its busiest moment suggests, how often visitors had to share
 * a number, and the numbers visitors hold now with where each visit came from.
 */
export function PoolCard({ flow }: { flow: CallFlowSummary }) {
  const poolId = flow.pool_id as number;
  const { timeZone } = useCurrentGroup();
  const [days, setDays] = useState('7');
  const usage = useQuery(poolUsageQuery(poolId));
  const history = useQuery(poolHistoryQuery(poolId, Number(days)));
  const leases = useQuery(poolLeasesQuery(poolId));
  const u = usage.data;
  const h = history.data;
  const name = u?.pool_name ?? 'Number pool';
  const headingId = `pool-${poolId}`;

  return (
    <Card p="md" data-testid="pool" data-pool-id={poolId} aria-labelledby={headingId} component="section">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Title order={3} size="h5" id={headingId}>
          {name}
        </Title>
        <AnchorLink to="/flows/$flowId" params={{ flowId: String(flow.call_flow_id) }} size="sm">
          {flow.call_flow_name}
        </AnchorLink>
      </Group>
      {u && (
        <Stack gap={6} mt="sm">
          <Progress value={u.utilisation * 100} aria-label="Numbers leased now" />
          <Text size="sm">
            {formatCount(u.leased)} of {formatCount(u.size)} numbers leased now, {formatCount(u.cooling)}{' '}
            cooling down, {formatCount(u.free)} free ({formatCount(u.live_visitors)} visitors on the site)
          </Text>
          <SimpleGrid cols={3} spacing="xs" mt={4}>
            <Figure
              label="Suggested size"
              value={formatCount(u.suggested_size)}
              hint={`Busiest moment of the last ${u.window_days} days: ${formatCount(u.peak_demand)} numbers at once, plus 25%`}
              warn={u.suggested_size > u.size}
              testId="suggested-size"
            />
            <Figure
              label="Shared leases"
              value={h ? `${Math.round(h.shared_lease_rate * 1000) / 10}%` : '…'}
              hint={
                h
                  ? `${formatCount(h.shared_leases)} of ${formatCount(h.leases_started)} visitors in this period got a number another visitor was shown too (the pool was exhausted)`
                  : ''
              }
              warn={(h?.shared_leases ?? 0) > 0}
              testId="shared-rate"
            />
            <Figure label="Leased now" value={formatCount(u.leased)} hint="" testId="leased-now-count" />
          </SimpleGrid>
        </Stack>
      )}
      <Group justify="space-between" mt="md" mb="xs" wrap="wrap" gap="xs">
        <Text fw={600} size="sm">
          Utilisation over time
        </Text>
        <SegmentedControl
          size="xs"
          value={days}
          onChange={setDays}
          data={PERIODS}
          aria-label={`Period of the ${name} chart`}
        />
      </Group>
      <UsageChart history={h} timeZone={timeZone} name={name} />
      <Text fw={600} size="sm" mt="md" mb={4}>
        Numbers leased now
      </Text>
      <LeasedNow leases={leases.data} timeZone={timeZone} name={name} />
    </Card>
  );
}

function Figure({
  label,
  value,
  hint,
  warn = false,
  testId,
}: {
  label: string;
  value: string;
  hint: string;
  warn?: boolean;
  testId: string;
}) {
  return (
    <div data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg" c={warn ? 'red.9' : undefined} className="sb-tabular">
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </div>
  );
}

function UsageChart({
  history,
  timeZone,
  name,
}: {
  history: UsageHistory | undefined;
  timeZone: string;
  name: string;
}) {
  const samples: Sample[] = history?.samples ?? [];
  const labels = useMemo(
    () => samples.map((s) => formatDateTime(s.sampled_at, timeZone)),
    [samples, timeZone],
  );
  const options = useMemo(() => chartOptions(labels), [labels]);
  const data = useMemo<uPlot.AlignedData>(
    () => [samples.map((_, index) => index), ...SERIES.map((series) => samples.map((s) => s[series.key]))],
    [samples],
  );
  if (!history) return <Text size="sm">…</Text>;
  if (samples.length === 0)
    return (
      <Text c="dimmed" size="sm" py="md" ta="center">
        No samples yet: the pool is sampled every {history.sample_minutes} minutes.
      </Text>
    );
  const peak = Math.max(...samples.map((s) => s.leased));
  return (
    <>
      <UPlotChart
        key={`${history.days}-${labels.length}`}
        options={options}
        data={data}
        height={200}
        label={`${name}: numbers leased over the last ${history.days} days, at most ${formatCount(peak)} of ${formatCount(samples[samples.length - 1]?.size ?? 0)}`}
      />
      <VisuallyHidden>
        <table>
          <caption>
            {name}: numbers leased, every {history.bucket_minutes} minutes
          </caption>
          <thead>
            <tr>
              <th>Time</th>
              <th>Numbers in pool</th>
              <th>Leased</th>
              <th>Visitors</th>
              <th>Sharing</th>
            </tr>
          </thead>
          <tbody>
            {samples.map((s, index) => (
              <tr key={s.sampled_at}>
                <td>{labels[index]}</td>
                <td>{s.size}</td>
                <td>{s.leased}</td>
                <td>{s.live_visitors}</td>
                <td>{s.shared_visitors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </>
  );
}

/** A URL shortened for the table: host and path, the whole URL on hover and as the link. */
function ShortUrl({ url }: { url: string }) {
  if (!url)
    return (
      <Text size="xs" c="dimmed">
        direct
      </Text>
    );
  let short = url;
  try {
    const parsed = new URL(url);
    short = `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    // not a URL: shown as it is
  }
  return (
    <Tooltip label={url} openDelay={300}>
      <Anchor
        href={url}
        target="_blank"
        rel="noreferrer noopener"
        size="xs"
        style={{ wordBreak: 'break-all' }}
      >
        {short}
      </Anchor>
    </Tooltip>
  );
}

function LeasedNow({
  leases,
  timeZone,
  name,
}: {
  leases: Leased[] | undefined;
  timeZone: string;
  name: string;
}) {
  if (!leases) return <Text size="sm">…</Text>;
  if (leases.length === 0)
    return (
      <Text c="dimmed" size="sm">
        No visitor holds a number of this pool now.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table verticalSpacing={4} fz="xs" data-testid="leased-now" aria-label={`${name}: numbers leased now`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Number</Table.Th>
            <Table.Th>Since</Table.Th>
            <Table.Th>Landing page</Table.Th>
            <Table.Th>Referrer</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {leases.map((lease) => (
            <Table.Tr key={lease.number} data-number={lease.number}>
              <Table.Td className="sb-tabular" style={{ whiteSpace: 'nowrap' }}>
                <Group gap={4} wrap="nowrap">
                  {formatPhone(lease.number)}
                  {lease.visitors > 1 && (
                    <Badge size="xs" variant="light" color="orange">
                      {lease.visitors} visitors
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {formatDateTime(lease.leased_at, timeZone)}
              </Table.Td>
              <Table.Td>
                <ShortUrl url={lease.landing_page} />
              </Table.Td>
              <Table.Td>
                <ShortUrl url={lease.referrer} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

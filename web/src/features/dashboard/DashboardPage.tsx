import {
  Alert,
  Card,
  Code,
  Grid,
  Group,
  RingProgress,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import type { CallSummary } from '../../api/types';
import { DateRangeControl, defaultRange } from '../../components/DateRangeControl';
import { CardLink } from '../../components/links';
import { formatCount, formatMoney, formatPercent, formatTalkTime, zoneLabel } from '../../lib/format';
import { type CallScope, summaryQuery } from '../calls/queries';
import { type CallFilters, toV2Filter } from '../calls/search';
import { useCurrentGroup } from '../groups/queries';
import { Breakdown } from './Breakdown';
import { CallsOverTime, type Interval } from './CallsOverTime';
import { IndicatorTrends } from './IndicatorTrends';
import { LivePanel } from './LivePanel';

interface Kpi {
  id: string;
  label: string;
  value: (s: CallSummary) => string;
  hint: (s: CallSummary) => string;
  /** the call-log filter the card opens */
  drill: Partial<CallFilters>;
  color?: string;
}

const KPIS: Kpi[] = [
  {
    id: 'calls',
    label: 'Calls',
    value: (s) => formatCount(s.calls),
    hint: (s) => `${formatCount(s.unique_callers)} callers`,
    drill: {},
  },
  {
    id: 'answered',
    label: 'Answered',
    value: (s) => formatCount(s.answered),
    hint: (s) => `${formatPercent(s.answered, s.calls)} of calls`,
    drill: { outcome: 'answered' },
    color: 'teal',
  },
  {
    id: 'missed',
    label: 'Missed',
    value: (s) => formatCount(s.missed),
    hint: (s) => `${formatPercent(s.missed, s.calls)} of calls`,
    drill: { outcome: 'missed' },
    color: 'orange',
  },
  {
    id: 'voicemails',
    label: 'Voicemails',
    value: (s) => formatCount(s.voicemails),
    hint: (s) => `${formatPercent(s.voicemails, s.calls)} of calls`,
    drill: { outcome: 'voicemail' },
    color: 'blue',
  },
  {
    id: 'first_time',
    label: 'First-time callers',
    value: (s) => formatCount(s.first_time),
    hint: (s) => `${formatCount(s.repeat_calls)} repeat calls`,
    drill: { repeat: 'first' },
  },
  {
    id: 'avg_talk',
    label: 'Average talk time',
    value: (s) => (s.answered === 0 ? '—' : formatTalkTime(s.talk_seconds / s.answered)),
    hint: () => 'per answered call',
    drill: { outcome: 'answered' },
  },
  {
    id: 'total_talk',
    label: 'Total talk time',
    value: (s) => formatTalkTime(s.talk_seconds),
    hint: (s) => (s.call_value > 0 ? `${formatMoney(s.call_value)} call value` : 'answered calls'),
    drill: { outcome: 'answered' },
  },
];

function KpiCard({ kpi, summary, to }: { kpi: Kpi; summary: CallSummary | undefined; to: CallFilters }) {
  return (
    <CardLink
      to="/calls"
      search={to}
      title={`Open these calls in the call log`}
      p="md"
      h="100%"
      data-testid={`kpi-${kpi.id}`}
      className="sb-kpi"
    >
      <Text size="xs" tt="uppercase" fw={700} c="dimmed" lts={0.4}>
        {kpi.label}
      </Text>
      {summary ? (
        <>
          <Text
            fz={{ base: 22, sm: 28 }}
            fw={700}
            c={kpi.color ? `${kpi.color}.8` : undefined}
            className="sb-tabular"
            data-value
          >
            {kpi.value(summary)}
          </Text>
          <Text size="xs" c="dimmed">
            {kpi.hint(summary)}
          </Text>
        </>
      ) : (
        <Skeleton h={44} mt={6} />
      )}
    </CardLink>
  );
}

function Outcomes({ summary }: { summary: CallSummary | undefined }) {
  const data = summary
    ? [
        { name: 'Answered', value: summary.answered, color: 'teal.6' },
        { name: 'Voicemail', value: summary.voicemails, color: 'blue.5' },
        { name: 'Missed', value: summary.missed, color: 'orange.5' },
        { name: 'Blocked', value: summary.blocked, color: 'gray.5' },
      ].filter((slice) => slice.value > 0)
    : [];
  return (
    <Card p="md" h="100%">
      <Title order={2} size="h4" mb="sm" id="outcomes-title">
        Outcomes
      </Title>
      {data.length === 0 ? (
        <Text c="dimmed" size="sm">
          No calls in this range.
        </Text>
      ) : (
        <Group justify="center" gap="lg" wrap="wrap">
          <RingProgress
            size={170}
            thickness={22}
            roundCaps={false}
            sections={data.map((slice) => ({
              value: (slice.value / (summary?.calls || 1)) * 100,
              color: slice.color,
              tooltip: `${slice.name}: ${formatCount(slice.value)}`,
            }))}
            label={
              <Text ta="center" size="sm" fw={700}>
                {formatPercent(summary?.answered ?? 0, summary?.calls ?? 0)}
                <Text span display="block" size="xs" c="dimmed" fw={400}>
                  answered
                </Text>
              </Text>
            }
            aria-label={data.map((slice) => `${slice.name} ${slice.value}`).join(', ')}
          />
          <Stack gap={6}>
            {data.map((slice) => (
              <Group key={slice.name} gap={8} wrap="nowrap">
                <span
                  aria-hidden
                  style={{
                    width: 10,
                    height: 10,
                    borderRadius: 3,
                    background: `var(--mantine-color-${slice.color.replace('.', '-')})`,
                  }}
                />
                <Text size="sm">
                  {slice.name}{' '}
                  <Text span fw={600} className="sb-tabular">
                    {formatCount(slice.value)}
                  </Text>
                </Text>
              </Group>
            ))}
          </Stack>
        </Group>
      )}
    </Card>
  );
}

function NoCallsYet({ publicBase }: { publicBase: string }) {
  return (
    <Alert
      variant="light"
      icon={<IconInfoCircle />}
      title="No calls in this range yet"
      data-testid="empty-dashboard"
    >
      <Text size="sm">
        Point a tracking number at Switchboard in your carrier&apos;s console: voice URL{' '}
        <Code>{publicBase}/telephony/twilio/voice</Code>, status callback{' '}
        <Code>{publicBase}/telephony/twilio/status</Code>. Or place a test call without a carrier:{' '}
        <Code>npm run switchboard -- call --to &lt;tracking number&gt;</Code>. Calls show up here, and in the
        live panel while they ring.
      </Text>
    </Alert>
  );
}

export function DashboardPage() {
  const { groupId, group, timeZone } = useCurrentGroup();
  const search = useSearch({ from: '/app/' });
  const navigate = useNavigate({ from: '/' });
  const fallback = defaultRange(timeZone);
  const range = { from: search.from ?? fallback.from, to: search.to ?? fallback.to };
  const interval: Interval = search.interval ?? (range.from === range.to ? 'hour' : 'day');
  const scope: CallScope = { groupId, filter: toV2Filter(range), timeZone };
  const { data: summary } = useQuery(summaryQuery(scope));
  const drillBase: CallFilters = { group: groupId, from: range.from, to: range.to };

  return (
    <Stack gap="lg" maw={1600} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <div>
          <Title order={1} size="h2">
            Dashboard
          </Title>
          <Text c="dimmed" size="sm">
            {group?.group_name} and the groups below it · times in {zoneLabel(timeZone)}
          </Text>
        </div>
        <DateRangeControl
          value={range}
          timeZone={timeZone}
          onChange={(next) => navigate({ search: (previous) => ({ ...previous, ...next, group: groupId }) })}
        />
      </Group>

      {summary?.calls === 0 && <NoCallsYet publicBase={window.location.origin} />}

      <SimpleGrid cols={{ base: 2, sm: 4, xl: 7 }} spacing="sm">
        {KPIS.map((kpi) => (
          <KpiCard key={kpi.id} kpi={kpi} summary={summary} to={{ ...drillBase, ...kpi.drill }} />
        ))}
      </SimpleGrid>

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <CallsOverTime
            scope={scope}
            range={range}
            interval={interval}
            onIntervalChange={(next) => navigate({ search: (previous) => ({ ...previous, interval: next }) })}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <LivePanel groupId={groupId} />
        </Grid.Col>
        <Grid.Col span={12}>
          <IndicatorTrends
            groupId={groupId}
            range={range}
            timeZone={timeZone}
            interval={interval === 'week' ? 'week' : 'day'}
            drillBase={drillBase}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
          <Outcomes summary={summary} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
          <Breakdown
            title="What made the phone ring"
            scope={scope}
            range={range}
            views={[
              { by: 'campaign', label: 'Campaign', none: 'No campaign' },
              { by: 'channel', label: 'Channel', none: 'No channel' },
              { by: 'tracking_number', label: 'Tracking number', none: 'Unknown number' },
            ]}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Breakdown
            title="Website visits (DNI)"
            scope={scope}
            range={range}
            views={[
              { by: 'utm_source', label: 'UTM source', none: 'No website visit' },
              { by: 'landing_page', label: 'Landing page', none: 'No website visit' },
              { by: 'referrer', label: 'Referrer', none: 'No website visit' },
            ]}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Breakdown
            title="Menu choices"
            scope={scope}
            range={range}
            views={[{ by: 'key_path', label: 'Keys pressed', none: 'No keys pressed' }]}
          />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { MonthPickerInput } from '@mantine/dates';
import {
  IconAlertTriangle,
  IconCalendar,
  IconFileSpreadsheet,
  IconFileText,
  IconInfoCircle,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import type { LimitedMeter } from '../../../../src/modules/subscriptions/subscriptions.repo.js';
import { formatCount, todayIn } from '../../lib/format';
import { useCurrentGroup } from '../groups/queries';
import { clientUsageDownloadUrl, clientUsageQuery, type Subscription, subscriptionQuery } from './queries';

type Meter = LimitedMeter;

/** "December 2026" for 2026-12, as the month picker shows it. */
const monthName = (period: string) =>
  new Date(`${period}-15T12:00:00Z`).toLocaleDateString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

/** A meter's usage, limit and share of it (the schema spells the per-meter objects loosely). */
function reading(subscription: Subscription, meter: Meter) {
  return {
    used: (subscription.usage as Record<Meter, number>)[meter],
    limit: (subscription.limits as Record<Meter, number | null>)[meter] ?? null,
    percent: (subscription.used_percent as Record<Meter, number | null>)[meter] ?? null,
    /** at or past its limit, as the server counts it (over_limit) */
    over: (subscription.over_limit as Meter[]).includes(meter),
  };
}

const METERS: { meter: Meter; label: string; unit: string; hint?: (s: Subscription) => string }[] = [
  { meter: 'numbers', label: 'Numbers', unit: 'held now' },
  {
    meter: 'inbound_minutes',
    label: 'Inbound minutes',
    unit: 'this month',
    hint: (s) => `${formatCount(s.usage.inbound_calls)} calls, each rounded up to the minute`,
  },
  {
    meter: 'outbound_minutes',
    label: 'Outbound minutes',
    unit: 'this month',
    hint: (s) => `${formatCount(s.usage.outbound_calls)} calls`,
  },
  {
    meter: 'texts',
    label: 'Texts',
    unit: 'this month',
    hint: (s) => `${formatCount(s.usage.segments)} segments`,
  },
  { meter: 'transcription_minutes', label: 'Transcription minutes', unit: 'this month' },
  { meter: 'users', label: 'Users', unit: 'active now' },
];

/** Green under 80 %, orange from 80 %, red at the limit (the server's over_limit): when the alerts go out. */
const meterColor = (percent: number, over: boolean) => (over ? 'red' : percent >= 80 ? 'orange' : 'teal');

function MeterCard({ subscription, meter }: { subscription: Subscription; meter: (typeof METERS)[number] }) {
  const { used, limit, percent, over } = reading(subscription, meter.meter);
  return (
    <Card p="md" data-testid={`meter-${meter.meter}`} data-over-limit={over || undefined}>
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" tt="uppercase" fw={700} c="dimmed" lts={0.4}>
          {meter.label}
        </Text>
        {over && (
          <Badge color="red" variant="light" size="sm">
            Limit reached
          </Badge>
        )}
      </Group>
      <Group gap={6} align="baseline">
        <Text fz={26} fw={700} className="sb-tabular" c={over ? 'red' : undefined} data-value>
          {formatCount(used)}
        </Text>
        <Text size="sm" c="dimmed">
          {limit === null ? 'no limit' : `of ${formatCount(limit)}`}
        </Text>
      </Group>
      {percent !== null && (
        <Progress
          value={Math.min(100, percent)}
          color={meterColor(percent, over)}
          size="md"
          mt={6}
          aria-label={`${meter.label}: ${percent}% of the plan`}
        />
      )}
      <Text size="xs" c="dimmed" mt={6}>
        {percent !== null ? `${percent}% · ` : ''}
        {meter.hint?.(subscription) ?? meter.unit}
      </Text>
    </Card>
  );
}

function PercentCell({ subscription, meter }: { subscription: Subscription; meter: Meter }) {
  const { used, limit, percent, over } = reading(subscription, meter);
  return (
    <Table.Td ta="right" className="sb-tabular" data-over-limit={over || undefined}>
      <Text size="sm" c={over ? 'red' : undefined} fw={over ? 700 : undefined}>
        {formatCount(used)}
      </Text>
      {limit !== null && percent !== null && (
        <Tooltip label={`${percent}% of ${formatCount(limit)}`}>
          <Progress
            value={Math.min(100, percent)}
            color={meterColor(percent, over)}
            size={4}
            mt={4}
            aria-label={`${percent}% of ${formatCount(limit)}`}
          />
        </Tooltip>
      )}
    </Table.Td>
  );
}

export function UsagePage() {
  const { groupId, group } = useCurrentGroup();
  const search = useSearch({ from: '/app/usage' });
  const navigate = useNavigate({ from: '/usage' });
  const thisMonth = todayIn('UTC').slice(0, 7);
  const period = search.period ?? thisMonth;
  const subscription = useQuery(subscriptionQuery(groupId, period));
  const clients = useQuery(clientUsageQuery(groupId, period));
  const error = subscription.error ?? clients.error;

  return (
    <Stack gap="md" maw={1600} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <div>
          <Title order={1} size="h2">
            Usage
          </Title>
          <Text c="dimmed" size="sm">
            What {group?.group_name} and its clients used, against their plans · calendar months in UTC
          </Text>
        </div>
        <MonthPickerInput
          // the accessible name holds the month shown (WCAG 2.5.3, label in name), as the date range's does
          aria-label={`Billing month: ${monthName(period)}`}
          value={`${period}-01`}
          onChange={(value) => value && navigate({ search: { group: groupId, period: value.slice(0, 7) } })}
          maxDate={`${thisMonth}-01`}
          valueFormat="MMMM YYYY"
          leftSection={<IconCalendar size={16} aria-hidden />}
          miw={200}
          popoverProps={{ position: 'bottom-end' }}
        />
      </Group>

      {error && (
        <Alert color="red" icon={<IconAlertTriangle />} title="Usage could not be loaded">
          {error.message}
        </Alert>
      )}

      <Card p="md">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <div>
            <Title order={2} size="h4">
              {group?.group_name}
            </Title>
            <Text size="sm" c="dimmed">
              {subscription.data?.plan_name
                ? `Plan ${subscription.data.plan_name}${
                    subscription.data.plan_group_id !== groupId ? ' (set on a group above)' : ''
                  }`
                : 'No plan: nothing is limited'}
            </Text>
          </div>
          {subscription.data?.plan_name && (
            <Badge variant="light" size="lg" radius="sm">
              {subscription.data.plan_name}
            </Badge>
          )}
        </Group>
        {subscription.data ? (
          <SimpleGrid cols={{ base: 2, sm: 3, xl: 6 }} spacing="sm">
            {METERS.map((meter) => (
              <MeterCard key={meter.meter} subscription={subscription.data} meter={meter} />
            ))}
          </SimpleGrid>
        ) : (
          <Skeleton h={120} />
        )}
      </Card>

      <Card p="md">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <div>
            <Title order={2} size="h4">
              Clients
            </Title>
            <Text size="sm" c="dimmed">
              Each group right below {group?.group_name}, with the groups below it: what to invoice
            </Text>
          </div>
          <Group gap="xs">
            <Button
              component="a"
              href={clientUsageDownloadUrl(groupId, period, 'csv')}
              download
              variant="default"
              size="sm"
              leftSection={<IconFileText size={16} aria-hidden />}
            >
              CSV
            </Button>
            <Button
              component="a"
              href={clientUsageDownloadUrl(groupId, period, 'xlsx')}
              download
              variant="default"
              size="sm"
              leftSection={<IconFileSpreadsheet size={16} aria-hidden />}
            >
              Excel
            </Button>
          </Group>
        </Group>
        {clients.isPending && <Skeleton h={160} />}
        {clients.data?.clients.length === 0 && (
          <Alert variant="light" icon={<IconInfoCircle />} title="No client groups">
            {group?.group_name} has no groups below it. Add one for each client, and set its plan through PUT
            /v2/misc/subscription.
          </Alert>
        )}
        {clients.data && clients.data.clients.length > 0 && (
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="client-usage">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Client</Table.Th>
                  <Table.Th>Plan</Table.Th>
                  {METERS.map((meter) => (
                    <Table.Th key={meter.meter} ta="right">
                      {meter.label}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {clients.data.clients.map((client) => (
                  <Table.Tr key={client.group_id} data-group-id={client.group_id}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {client.group_name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {client.plan_name ?? (
                        <Text span size="sm" c="dimmed">
                          none
                        </Text>
                      )}
                    </Table.Td>
                    {METERS.map((meter) => (
                      <PercentCell key={meter.meter} subscription={client} meter={meter.meter} />
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
    </Stack>
  );
}

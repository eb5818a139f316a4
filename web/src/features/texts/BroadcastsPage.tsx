import {
  Alert,
  Badge,
  Button,
  Card,
  Center,
  Grid,
  Group,
  Loader,
  Progress,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { IconAlertTriangle, IconPlayerPause, IconPlayerPlay, IconPlus, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatCount, formatDateTime, formatPhone } from '../../lib/format';
import { subtreeOf } from '../flows/queries';
import { useCurrentGroup } from '../groups/queries';
import { BroadcastComposer } from './BroadcastComposer';
import { ContactLists } from './ContactLists';
import { broadcastsQuery, listsQuery, settingsQuery, useTextMutations } from './queries';
import type { Broadcast } from './types';

export const formatCost = (dollars: number) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: dollars < 1 ? 4 : 2,
  }).format(dollars);

const STATUS_COLOR: Record<Broadcast['status'], string> = {
  scheduled: 'blue',
  paused: 'yellow',
  canceled: 'gray',
  done: 'teal',
};

/** What a broadcast is doing, in words: "Sending", "Waits for quiet hours to end" ... */
function stateOf(broadcast: Broadcast): string {
  if (broadcast.status === 'done') return 'Done';
  if (broadcast.status === 'canceled') return 'Canceled';
  if (broadcast.status === 'paused') return 'Paused';
  if (broadcast.pending === broadcast.recipients && new Date(broadcast.send_at) > new Date())
    return 'Scheduled';
  if (broadcast.pending > 0 && broadcast.queued === 0) return 'Waiting (quiet hours)';
  return 'Sending';
}

function Outcomes({ broadcast }: { broadcast: Broadcast }) {
  const total = Math.max(broadcast.recipients, 1);
  const percent = (value: number) => (value / total) * 100;
  const inFlight = Math.max(broadcast.queued - broadcast.sent - broadcast.failed, 0);
  return (
    <Stack gap={4} miw={220}>
      <Progress.Root size="lg" aria-label={`${broadcast.delivered} of ${broadcast.recipients} delivered`}>
        <Progress.Section value={percent(broadcast.delivered)} color="teal" />
        <Progress.Section value={percent(broadcast.sent - broadcast.delivered)} color="blue" />
        <Progress.Section value={percent(inFlight)} color="blue.3" />
        <Progress.Section value={percent(broadcast.failed)} color="red" />
        <Progress.Section value={percent(broadcast.skipped)} color="gray.5" />
      </Progress.Root>
      <Text size="xs" c="dimmed" className="sb-tabular">
        {formatCount(broadcast.delivered)} delivered · {formatCount(broadcast.sent - broadcast.delivered)}{' '}
        sent · {formatCount(broadcast.failed)} failed · {formatCount(broadcast.skipped)} skipped ·{' '}
        {formatCount(broadcast.pending)} to go
      </Text>
    </Stack>
  );
}

function Actions({ broadcast, canEdit }: { broadcast: Broadcast; canEdit: boolean }) {
  const { actOnBroadcast } = useTextMutations();
  if (broadcast.status === 'done' || broadcast.status === 'canceled') return null;
  const act = (action: 'pause' | 'resume' | 'cancel') =>
    actOnBroadcast.mutate({ broadcast_id: broadcast.broadcast_id, action });
  return (
    <WriteGuard canEdit={canEdit}>
      {(blocked) => (
        <Group gap={6} wrap="nowrap">
          {broadcast.status === 'paused' ? (
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlayerPlay size={14} aria-hidden />}
              onClick={blocked ? undefined : () => act('resume')}
              {...(blocked ? BLOCKED_PROPS : {})}
            >
              Resume
            </Button>
          ) : (
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlayerPause size={14} aria-hidden />}
              onClick={blocked ? undefined : () => act('pause')}
              {...(blocked ? BLOCKED_PROPS : {})}
            >
              Pause
            </Button>
          )}
          <Button
            size="xs"
            variant="subtle"
            color="red"
            leftSection={<IconX size={14} aria-hidden />}
            onClick={blocked ? undefined : () => act('cancel')}
            aria-label={`Cancel ${broadcast.broadcast_name}`}
            {...(blocked ? BLOCKED_PROPS : {})}
          >
            Cancel
          </Button>
        </Group>
      )}
    </WriteGuard>
  );
}

/** Broadcasts of the group and below: their progress and outcomes, a composer, and the contact lists. */
export function BroadcastsPage() {
  const { groupId, group, groups, me, timeZone } = useCurrentGroup();
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const broadcasts = useQuery(broadcastsQuery);
  const lists = useQuery(listsQuery);
  const settings = useQuery(settingsQuery(groupId));
  const [composing, setComposing] = useState(false);
  const mine = (broadcasts.data ?? []).filter((broadcast) => subtree.has(broadcast.group_id));
  const myLists = (lists.data ?? []).filter((list) => subtree.has(list.group_id));
  const listName = (id: number) => myLists.find((list) => list.list_id === id)?.list_name ?? `list ${id}`;

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            Broadcasts
          </Title>
          <Text c="dimmed" size="sm">
            Texts to contact lists from the numbers of {group?.group_name}
            {settings.data
              ? `, never between ${settings.data.quiet_start} and ${settings.data.quiet_end} in each recipient’s time zone`
              : ''}
          </Text>
        </div>
        <WriteGuard canEdit={me.can_edit}>
          {(blocked) => (
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={blocked ? undefined : () => setComposing(true)}
              {...(blocked ? BLOCKED_PROPS : {})}
            >
              New broadcast
            </Button>
          )}
        </WriteGuard>
      </Group>
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, xl: 8 }}>
          <Card p={0}>
            <Title order={2} size="h4" p="md" pb="xs">
              Sent and scheduled
            </Title>
            {broadcasts.isLoading ? (
              <Center p="xl">
                <Loader aria-label="Loading broadcasts" />
              </Center>
            ) : broadcasts.error ? (
              <Alert
                m="md"
                color="red"
                icon={<IconAlertTriangle aria-hidden />}
                title="Broadcasts could not be loaded"
              >
                {broadcasts.error.message}
              </Alert>
            ) : mine.length === 0 ? (
              <Text c="dimmed" size="sm" p="md" pt={0}>
                No broadcast yet. Import a contact list, then send it a text with “New broadcast”.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={860}>
                <Table verticalSpacing="sm" data-testid="broadcasts">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Broadcast</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Progress</Table.Th>
                      <Table.Th ta="right">Cost (est.)</Table.Th>
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {mine.map((broadcast) => (
                      <Table.Tr key={broadcast.broadcast_id} data-broadcast={broadcast.broadcast_id}>
                        <Table.Td maw={320}>
                          <Text fw={600} size="sm">
                            {broadcast.broadcast_name}
                          </Text>
                          <Text size="xs" c="dimmed" lineClamp={1} title={broadcast.template}>
                            {broadcast.template}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {formatCount(broadcast.recipients)} to{' '}
                            {broadcast.list_ids.map(listName).join(', ')} ·{' '}
                            {broadcast.pool_id !== null
                              ? `number pool (${broadcast.sender_numbers.length} numbers)`
                              : broadcast.sender_numbers.map((n) => formatPhone(n)).join(', ')}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Badge color={STATUS_COLOR[broadcast.status]} variant="light">
                            {stateOf(broadcast)}
                          </Badge>
                          <Text size="xs" c="dimmed" mt={4}>
                            {formatDateTime(broadcast.send_at, timeZone)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Outcomes broadcast={broadcast} />
                        </Table.Td>
                        <Table.Td ta="right" className="sb-tabular">
                          <Tooltip
                            label={`${formatCount(broadcast.total_segments)} segments (${broadcast.encoding}) at ${formatCost(broadcast.segment_price)}`}
                          >
                            <Text size="sm" tabIndex={0}>
                              {formatCost(broadcast.estimated_cost)}
                            </Text>
                          </Tooltip>
                        </Table.Td>
                        <Table.Td>
                          <Actions broadcast={broadcast} canEdit={me.can_edit} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, xl: 4 }}>
          <ContactLists lists={myLists} isLoading={lists.isLoading} error={lists.error} />
        </Grid.Col>
      </Grid>
      {composing && (
        <BroadcastComposer lists={myLists} settings={settings.data} onClose={() => setComposing(false)} />
      )}
    </Stack>
  );
}

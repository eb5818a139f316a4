import { Accordion, Badge, Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { WebhookDelivery } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatDateTime } from '../../lib/format';
import { StatusBadge } from '../call-detail/AfterTheCall';
import { deliveriesQuery, useWebhookMutations } from './queries';

function Attempts({ delivery, timeZone }: { delivery: WebhookDelivery; timeZone: string }) {
  if (delivery.attempt_log.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Not sent yet.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table verticalSpacing={4} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Attempt</Table.Th>
            <Table.Th>Answer</Table.Th>
            <Table.Th>Time</Table.Th>
            <Table.Th>Response</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {delivery.attempt_log.map((attempt) => (
            <Table.Tr key={attempt.attempt_id}>
              <Table.Td>{formatDateTime(attempt.attempted_at, timeZone)}</Table.Td>
              <Table.Td>
                {attempt.status_code ? (
                  <Badge
                    color={attempt.status_code < 300 ? 'teal' : 'red'}
                    variant="light"
                    radius="sm"
                  >{`HTTP ${attempt.status_code}`}</Badge>
                ) : (
                  <Text size="xs" c="red">
                    {attempt.error}
                  </Text>
                )}
              </Table.Td>
              <Table.Td className="sb-tabular">{attempt.latency_ms} ms</Table.Td>
              <Table.Td style={{ maxWidth: 280 }}>
                {attempt.response_excerpt ? (
                  <Code
                    block
                    style={{
                      maxHeight: 90,
                      overflow: 'auto',
                      whiteSpace: 'pre-wrap',
                      wordBreak: 'break-all',
                    }}
                  >
                    {attempt.response_excerpt}
                  </Code>
                ) : (
                  <Text size="xs" c="dimmed">
                    —
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Deliveries shown at first, and added by "Show more". */
const PAGE = 15;

/** A webhook's deliveries, newest first, each with its attempts, and redeliver. */
export function Deliveries({
  webhookId,
  groupId,
  canEdit,
  timeZone,
}: {
  webhookId: number;
  groupId: number;
  canEdit: boolean;
  timeZone: string;
}) {
  const [limit, setLimit] = useState(PAGE);
  const deliveries = useQuery(deliveriesQuery(webhookId, limit));
  const { redeliver } = useWebhookMutations(groupId);
  if (deliveries.isPending)
    return (
      <Text c="dimmed" size="sm">
        Loading deliveries…
      </Text>
    );
  if (deliveries.isError)
    return (
      <Text c="red" size="sm">
        {deliveries.error.message}
      </Text>
    );
  if (deliveries.data.length === 0)
    return (
      <Text c="dimmed" size="sm" data-testid="no-deliveries">
        Nothing sent yet. Deliveries appear here when calls start and end, or when you send a test event.
      </Text>
    );
  return (
    <Stack gap="sm">
      <Accordion variant="separated" chevronPosition="left" data-testid="deliveries">
        {deliveries.data.map((delivery) => (
          <Accordion.Item
            key={delivery.delivery_id}
            value={String(delivery.delivery_id)}
            data-delivery-id={delivery.delivery_id}
          >
            <Accordion.Control>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
                  <StatusBadge status={delivery.status} />
                  <Text size="sm" fw={500} truncate>
                    {delivery.event_type}
                  </Text>
                  <Text size="xs" c="dimmed" visibleFrom="sm">
                    {formatDateTime(delivery.created_at, timeZone)}
                  </Text>
                </Group>
                <Text size="xs" c="dimmed">
                  {delivery.attempts} attempt{delivery.attempts === 1 ? '' : 's'}
                </Text>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="xs">
                <Group justify="space-between" wrap="wrap">
                  <Text size="xs" c="dimmed">
                    Event id <Code>{delivery.event_id}</Code>
                    {delivery.call_id !== null && (
                      <>
                        {' · '}
                        <AnchorLink
                          to="/calls/$callId"
                          params={{ callId: String(delivery.call_id) }}
                          search={{ group: groupId }}
                          size="xs"
                        >
                          call {delivery.call_id}
                        </AnchorLink>
                      </>
                    )}
                  </Text>
                  <WriteGuard canEdit={canEdit}>
                    {(disabled) => (
                      <Button
                        size="xs"
                        variant="light"
                        leftSection={<IconRefresh size={14} aria-hidden />}
                        disabled={delivery.status === 'pending'}
                        {...(disabled ? BLOCKED_PROPS : {})}
                        loading={redeliver.isPending && redeliver.variables === delivery.delivery_id}
                        onClick={disabled ? undefined : () => redeliver.mutate(delivery.delivery_id)}
                      >
                        Redeliver
                      </Button>
                    )}
                  </WriteGuard>
                </Group>
                <Attempts delivery={delivery} timeZone={timeZone} />
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
      {deliveries.data.length >= limit && (
        <Button
          variant="subtle"
          onClick={() => setLimit(limit + PAGE)}
          loading={deliveries.isFetching}
          w="fit-content"
        >
          Show more deliveries
        </Button>
      )}
    </Stack>
  );
}

import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { WebhookDelivery } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatDateTime } from '../../lib/format';
import { actionLogQuery, deliveriesOfCallQuery, useCallMutations } from './queries';

const STATUS_COLORS: Record<string, string> = {
  succeeded: 'teal',
  failed: 'red',
  pending: 'yellow',
  running: 'yellow',
  skipped: 'gray',
  'not matched': 'gray',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge
      color={STATUS_COLORS[status] ?? 'gray'}
      variant="light"
      radius="sm"
      style={{ textTransform: 'none' }}
    >
      {status}
    </Badge>
  );
}

function lastAttempt(delivery: WebhookDelivery): string {
  const attempt = delivery.attempt_log.at(-1);
  if (!attempt) return 'not sent yet';
  return attempt.status_code
    ? `HTTP ${attempt.status_code} in ${attempt.latency_ms} ms`
    : (attempt.error ?? 'no answer');
}

/** What happened after the call: webhook deliveries (with redeliver) and call-action outcomes. */
export function AfterTheCall({
  callId,
  groupId,
  canEdit,
  timeZone,
}: {
  callId: number;
  groupId: number;
  canEdit: boolean;
  timeZone: string;
}) {
  const deliveries = useQuery(deliveriesOfCallQuery(callId));
  const actions = useQuery(actionLogQuery(callId));
  const { redeliver } = useCallMutations(callId);

  return (
    <Card p="md">
      <Title order={2} size="h4" mb="sm">
        Webhooks and call actions
      </Title>
      <Stack gap="md">
        <div>
          <Text fw={600} size="sm" mb={4}>
            Webhook deliveries
          </Text>
          {deliveries.data?.length ? (
            <Table.ScrollContainer minWidth={520}>
              <Table verticalSpacing={6} data-testid="call-deliveries">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Event</Table.Th>
                    <Table.Th>Webhook</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Last attempt</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {deliveries.data.map((delivery) => (
                    <Table.Tr key={delivery.delivery_id} data-delivery-id={delivery.delivery_id}>
                      <Table.Td>
                        <Text size="sm">{delivery.event_type}</Text>
                        <Text size="xs" c="dimmed">
                          {formatDateTime(delivery.created_at, timeZone)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <AnchorLink
                          to="/webhooks"
                          search={{ group: groupId, webhook: delivery.webhook_id }}
                          size="sm"
                        >
                          {delivery.webhook_name}
                        </AnchorLink>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={delivery.status} />
                        <Text size="xs" c="dimmed">
                          {delivery.attempts} attempt{delivery.attempts === 1 ? '' : 's'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs">{lastAttempt(delivery)}</Text>
                      </Table.Td>
                      <Table.Td ta="right">
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
                              aria-label={`Redeliver ${delivery.event_type} to webhook ${delivery.webhook_id}`}
                            >
                              Redeliver
                            </Button>
                          )}
                        </WriteGuard>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ) : (
            <Text size="sm" c="dimmed">
              {deliveries.isPending ? 'Loading…' : 'No webhook was sent for this call.'}
            </Text>
          )}
        </div>
        <div>
          <Text fw={600} size="sm" mb={4}>
            Call actions and notifications
          </Text>
          {actions.data && (actions.data.actions.length > 0 || actions.data.notifications.length > 0) ? (
            <Stack gap={6} data-testid="call-actions">
              {actions.data.actions.map((action) => (
                <Group key={`a${action.action_id}`} gap="xs" wrap="nowrap" align="flex-start">
                  <StatusBadge status={action.status} />
                  <div style={{ minWidth: 0 }}>
                    <Text size="sm">
                      {action.action.replace(/_/g, ' ')} to {action.action_target}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {action.outcome}
                    </Text>
                  </div>
                </Group>
              ))}
              {actions.data.notifications.map((notification) => (
                <Group key={`n${notification.created_at}`} gap="xs" wrap="nowrap" align="flex-start">
                  <StatusBadge status={notification.status} />
                  <div style={{ minWidth: 0 }}>
                    <Text size="sm">e-mail summary to {notification.recipients}</Text>
                    <Text size="xs" c="dimmed">
                      {notification.outcome}
                    </Text>
                  </div>
                </Group>
              ))}
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              {actions.isPending ? 'Loading…' : 'No call action ran for this call.'}
            </Text>
          )}
        </div>
      </Stack>
    </Card>
  );
}

import {
  Alert,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { IconInfoCircle, IconPencil, IconPlus, IconSend } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import type { Webhook } from '../../api/types';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { useCurrentGroup } from '../groups/queries';
import { Deliveries } from './Deliveries';
import { useWebhookMutations, webhooksQuery } from './queries';
import { WebhookForm } from './WebhookForm';

export function WebhooksPage() {
  const { groupId, group, groups, me, timeZone } = useCurrentGroup();
  const groupName = (id: number) => groups.find((g) => g.group_id === id)?.group_name ?? `group ${id}`;
  const search = useSearch({ from: '/app/webhooks' });
  const navigate = useNavigate({ from: '/webhooks' });
  const webhooks = useQuery(webhooksQuery(groupId));
  const { sendTest } = useWebhookMutations(groupId);
  const [editing, setEditing] = useState<{ webhook?: Webhook | undefined } | null>(null);
  const selected = webhooks.data?.find((w) => w.webhook_id === search.webhook) ?? webhooks.data?.[0];
  const canEdit = me.can_edit;

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            Webhooks
          </Title>
          <Text c="dimmed" size="sm">
            Call data sent to your systems when calls in {group?.group_name} (and the groups below it) start
            and end
          </Text>
        </div>
        <WriteGuard canEdit={canEdit}>
          {(disabled) => (
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={disabled ? undefined : () => setEditing({})}
              {...(disabled ? BLOCKED_PROPS : {})}
            >
              New webhook
            </Button>
          )}
        </WriteGuard>
      </Group>

      {webhooks.data?.length === 0 && (
        <Alert variant="light" icon={<IconInfoCircle />} title="No webhooks in this group yet">
          Create one to send each call to your CRM or data warehouse as it starts and ends: signed, retried
          for 24 hours, and logged here with every attempt.
        </Alert>
      )}

      {webhooks.data && webhooks.data.length > 0 && (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Card p={0}>
              <Table highlightOnHover verticalSpacing="sm" data-testid="webhook-list">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Webhook</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {webhooks.data.map((webhook) => (
                    <Table.Tr
                      key={webhook.webhook_id}
                      bg={webhook.webhook_id === selected?.webhook_id ? 'switchboard.0' : undefined}
                    >
                      <Table.Td style={{ maxWidth: 0, width: '60%' }}>
                        <UnstyledButton
                          onClick={() =>
                            navigate({ search: { group: groupId, webhook: webhook.webhook_id } })
                          }
                          aria-pressed={webhook.webhook_id === selected?.webhook_id}
                          w="100%"
                        >
                          <Text size="sm" fw={600} truncate>
                            {webhook.webhook_name}
                          </Text>
                          <Text size="xs" c="dimmed" truncate>
                            {webhook.method} {webhook.target_url}
                          </Text>
                          {webhook.org_unit_id !== groupId && (
                            <Text size="xs" c="dimmed" truncate>
                              in {groupName(webhook.org_unit_id)}
                            </Text>
                          )}
                        </UnstyledButton>
                      </Table.Td>
                      <Table.Td>
                        <Badge
                          color={webhook.webhook_status === 'active' ? 'teal' : 'gray'}
                          variant="light"
                          radius="sm"
                        >
                          {webhook.webhook_status}
                        </Badge>
                      </Table.Td>
                      <Table.Td ta="right">
                        <WriteGuard canEdit={canEdit}>
                          {(disabled) => (
                            <Button
                              size="xs"
                              variant="subtle"
                              leftSection={<IconPencil size={14} aria-hidden />}
                              onClick={disabled ? undefined : () => setEditing({ webhook })}
                              {...(disabled ? BLOCKED_PROPS : {})}
                              aria-label={`Edit ${webhook.webhook_name}`}
                            >
                              Edit
                            </Button>
                          )}
                        </WriteGuard>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7 }}>
            {selected && (
              <Card p="md">
                <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
                  <div style={{ minWidth: 0 }}>
                    <Title order={2} size="h4">
                      Deliveries of {selected.webhook_name}
                    </Title>
                    <Text size="xs" c="dimmed">
                      {selected.events.join(' and ')} · {selected.format.toUpperCase()}
                    </Text>
                  </div>
                  <WriteGuard canEdit={canEdit}>
                    {(disabled) => (
                      <Button
                        size="sm"
                        variant="light"
                        leftSection={<IconSend size={16} aria-hidden />}
                        loading={sendTest.isPending}
                        onClick={disabled ? undefined : () => sendTest.mutate(selected.webhook_id)}
                        {...(disabled ? BLOCKED_PROPS : {})}
                      >
                        Send a test event
                      </Button>
                    )}
                  </WriteGuard>
                </Group>
                <Deliveries
                  webhookId={selected.webhook_id}
                  groupId={groupId}
                  canEdit={canEdit}
                  timeZone={timeZone}
                />
              </Card>
            )}
          </Grid.Col>
        </Grid>
      )}

      {editing && (
        <WebhookForm
          key={editing.webhook?.webhook_id ?? 'new'}
          groupId={groupId}
          webhook={editing.webhook}
          opened
          onClose={() => setEditing(null)}
        />
      )}
    </Stack>
  );
}

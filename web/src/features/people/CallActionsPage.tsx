import {
  Alert,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { IconInfoCircle, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { ActionKind } from '../../../../src/modules/callactions/callactions.schemas.js';
import type { Rule } from '../../../../src/modules/callactions/rules.js';
import type { CallAction } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatDateTime } from '../../lib/format';
import { flowListQuery, subtreeOf } from '../flows/queries';
import { useCurrentGroup } from '../groups/queries';
import { ACTION_KINDS, CallActionForm, FIELD_LABELS } from './CallActionForm';
import { actionOutcomesQuery, callActionsQuery, indicatorsQuery, useCallActionMutations } from './queries';
import { describeRules } from './rule-groups';

const STATUS_COLOURS: Record<string, string> = {
  succeeded: 'teal',
  failed: 'red',
  skipped: 'yellow',
  'not matched': 'gray',
  running: 'blue',
};

/** Call actions: what happens after a call (e-mail, text, tag, webhook ...), when its rules hold. */
export function CallActionsPage() {
  const { groupId, group, groups, me, timeZone } = useCurrentGroup();
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const actions = useQuery(callActionsQuery);
  const flows = useQuery(flowListQuery(false));
  const indicators = useQuery(indicatorsQuery);
  const [editing, setEditing] = useState<{ action?: CallAction } | null>(null);
  const [deleting, setDeleting] = useState<CallAction | null>(null);
  const [selectedId, setSelectedId] = useState<number>();
  const rows = (actions.data ?? [])
    .filter((a) => subtree.has(a.group_id))
    .sort(
      (a, b) =>
        a.group_id - b.group_id ||
        (a.call_flow_id ?? 0) - (b.call_flow_id ?? 0) ||
        a.action_order - b.action_order,
    );
  const selected = rows.find((a) => a.action_id === selectedId) ?? rows[0];
  const flowName = (id: number) =>
    flows.data?.find((f) => f.call_flow_id === id)?.call_flow_name ?? `flow ${id}`;
  const groupName = (id: number) => groups.find((g) => g.group_id === id)?.group_name ?? `group ${id}`;
  const fieldName = (field: string) =>
    field.startsWith('indicator:')
      ? (indicators.data?.find((i) => `indicator:${i.indicator_id}` === field)?.indicator_name ?? field)
      : (FIELD_LABELS[field] ?? field);

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            Call actions
          </Title>
          <Text c="dimmed" size="sm">
            What happens after a call in {group?.group_name} when its rules hold: e-mail or text someone, tag
            the call, call a webhook, set its value
          </Text>
        </div>
        <WriteGuard canEdit={me.can_edit}>
          {(blocked) => (
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={blocked ? undefined : () => setEditing({})}
              {...(blocked ? BLOCKED_PROPS : {})}
            >
              New call action
            </Button>
          )}
        </WriteGuard>
      </Group>

      {actions.isPending && <Loader aria-label="Loading call actions" />}
      {actions.isError && (
        <Alert color="red" role="alert" title="The call actions could not be loaded">
          {actions.error.message}
        </Alert>
      )}
      {actions.data && rows.length === 0 && (
        <Alert variant="light" icon={<IconInfoCircle />} title="No call actions yet">
          Create one to e-mail the sales team about long calls, text a manager about missed ones, or tag calls
          from a state. Each runs once per call, when the call ends (or when its analytics are done).
        </Alert>
      )}

      {rows.length > 0 && (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, lg: 8 }}>
            <Card p={0}>
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing="sm" highlightOnHover data-testid="call-actions">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Action</Table.Th>
                      <Table.Th>When</Table.Th>
                      <Table.Th>Runs on</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((action) => {
                      const kind = ACTION_KINDS[action.action as ActionKind];
                      const isSelected = action.action_id === selected?.action_id;
                      return (
                        <Table.Tr
                          key={action.action_id}
                          bg={isSelected ? 'switchboard.0' : undefined}
                          data-action={action.action_id}
                        >
                          <Table.Td style={{ maxWidth: 260 }}>
                            <UnstyledButton
                              display="block"
                              maw={220}
                              onClick={() => setSelectedId(action.action_id)}
                              aria-pressed={isSelected}
                            >
                              <Text size="sm" fw={600}>
                                {kind?.label ?? action.action}
                              </Text>
                              <Text size="xs" c="dimmed" truncate>
                                {action.action === 'move_to_group'
                                  ? groupName(Number(action.action_target))
                                  : action.action_target}
                              </Text>
                              {/* the name is what it shows (a label of its own failed WCAG 2.5.3), and what it does */}
                              <VisuallyHidden>show its recent outcomes</VisuallyHidden>
                            </UnstyledButton>
                          </Table.Td>
                          <Table.Td style={{ maxWidth: 280 }}>
                            <Text size="xs" lineClamp={3}>
                              {describeRules(action.rules as Rule[], fieldName)}
                            </Text>
                            {action.post_process && (
                              <Badge size="xs" variant="light" color="violet" mt={4}>
                                after analytics
                              </Badge>
                            )}
                          </Table.Td>
                          <Table.Td>
                            {action.call_flow_id ? (
                              <AnchorLink
                                to="/flows/$flowId"
                                params={{ flowId: String(action.call_flow_id) }}
                                search={{ group: groupId }}
                                size="sm"
                              >
                                {flowName(action.call_flow_id)}
                              </AnchorLink>
                            ) : (
                              <Text size="sm">Every call in {groupName(action.group_id)}</Text>
                            )}
                          </Table.Td>
                          <Table.Td>
                            <Badge
                              variant="light"
                              radius="sm"
                              style={{ overflow: 'visible' }}
                              color={action.action_status === 'active' ? 'teal' : 'gray'}
                            >
                              {action.action_status}
                            </Badge>
                          </Table.Td>
                          <Table.Td ta="right">
                            <WriteGuard canEdit={me.can_edit}>
                              {(blocked) => (
                                <Group gap={2} justify="flex-end" wrap="nowrap">
                                  <Button
                                    size="xs"
                                    variant="subtle"
                                    leftSection={<IconPencil size={14} aria-hidden />}
                                    aria-label={`Edit call action #${action.action_id}`}
                                    onClick={blocked ? undefined : () => setEditing({ action })}
                                    {...(blocked ? BLOCKED_PROPS : {})}
                                  >
                                    Edit
                                  </Button>
                                  <Button
                                    size="xs"
                                    variant="subtle"
                                    color="red"
                                    aria-label={`Delete call action #${action.action_id}`}
                                    onClick={blocked ? undefined : () => setDeleting(action)}
                                    {...(blocked ? BLOCKED_PROPS : {})}
                                  >
                                    <IconTrash size={14} aria-hidden />
                                  </Button>
                                </Group>
                              )}
                            </WriteGuard>
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 4 }}>
            {selected && <Outcomes action={selected} timeZone={timeZone} groupId={groupId} />}
          </Grid.Col>
        </Grid>
      )}

      {editing && (
        <CallActionForm
          key={editing.action?.action_id ?? 'new'}
          action={editing.action}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && <DeleteDialog action={deleting} onClose={() => setDeleting(null)} />}
    </Stack>
  );
}

/** The action's latest outcomes, each linked to its call. */
function Outcomes({ action, timeZone, groupId }: { action: CallAction; timeZone: string; groupId: number }) {
  const outcomes = useQuery(actionOutcomesQuery(action.action_id));
  const kind = ACTION_KINDS[action.action as ActionKind];
  return (
    <Card p="md" data-testid="action-outcomes">
      <Title order={2} size="h4">
        Recent outcomes
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        {kind?.label ?? action.action} · action #{action.action_id}
      </Text>
      {outcomes.isPending && <Loader size="sm" aria-label="Loading outcomes" />}
      {outcomes.isError && (
        <Alert color="red" role="alert">
          {outcomes.error.message}
        </Alert>
      )}
      {outcomes.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          Not run yet: it runs when the next call it applies to ends.
        </Text>
      )}
      <Stack gap="xs">
        {outcomes.data?.map((outcome) => (
          <Group key={outcome.call_id} justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
            <div style={{ minWidth: 0 }}>
              <AnchorLink
                to="/calls/$callId"
                params={{ callId: String(outcome.call_id) }}
                search={{ group: groupId }}
                size="sm"
              >
                Call {outcome.call_id}
              </AnchorLink>
              <Text size="xs" c="dimmed">
                {formatDateTime(outcome.created_at, timeZone)}
              </Text>
              {outcome.outcome && (
                <Text size="xs" lineClamp={2}>
                  {outcome.outcome}
                </Text>
              )}
            </div>
            <Badge variant="light" color={STATUS_COLOURS[outcome.status] ?? 'gray'} radius="sm">
              {outcome.status}
            </Badge>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

function DeleteDialog({ action, onClose }: { action: CallAction; onClose: () => void }) {
  const { remove } = useCallActionMutations();
  return (
    <Modal
      opened
      onClose={onClose}
      centered
      title={`Delete call action #${action.action_id}?`}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack>
        <Text size="sm">
          It stops running on new calls. What it already did stays in each call's history.
        </Text>
        {remove.error && (
          <Alert color="red" role="alert">
            {remove.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => remove.mutate(action.action_id, { onSuccess: onClose })}
          >
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

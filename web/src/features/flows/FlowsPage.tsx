import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Menu,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import {
  IconCopy,
  IconDots,
  IconInfoCircle,
  IconPencil,
  IconPlus,
  IconRestore,
  IconTrash,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import type { CallFlowSummary } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatCount, formatDateTime, formatPhone } from '../../lib/format';
import { campaignsQuery } from '../calls/options';
import { useCurrentGroup } from '../groups/queries';
import { CopyFlowDialog } from './CopyFlowDialog';
import { flowCallCountsQuery, flowListQuery, subtreeOf, useFlowMutations } from './queries';
import { routeLabel, STATUS_COLORS } from './route-types';

export interface FlowsSearch {
  group?: number | undefined;
  campaign?: number | undefined;
  show?: 'deleted' | undefined;
}

/** The call flows of the group and the groups below it, by campaign: open, copy, delete, restore. */
export function FlowsPage() {
  const { groupId, group, groups, me, timeZone } = useCurrentGroup();
  const search = useSearch({ from: '/app/flows' });
  const navigate = useNavigate({ from: '/flows' });
  const isDeleted = search.show === 'deleted';
  const flows = useQuery(flowListQuery(isDeleted));
  const counts = useQuery(flowCallCountsQuery(groupId, timeZone));
  const campaigns = useQuery(campaignsQuery);
  const { remove } = useFlowMutations();
  const [copying, setCopying] = useState<{ flow: CallFlowSummary; mode: 'duplicate' | 'restore' } | null>(
    null,
  );
  const [deleting, setDeleting] = useState<CallFlowSummary | null>(null);
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const campaignName = (id: number) =>
    campaigns.data?.find((c) => c.campaign_id === id)?.campaign_name ?? `Campaign ${id}`;
  const rows = (flows.data ?? []).filter(
    (flow) =>
      subtree.has(flow.group_id) && (search.campaign === undefined || flow.campaign_id === search.campaign),
  );
  const campaignOptions = (campaigns.data ?? [])
    .filter((c) => subtree.has(c.group_id))
    .map((c) => ({ value: String(c.campaign_id), label: c.campaign_name }));
  const canEdit = me.can_edit;

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            Call flows
          </Title>
          <Text c="dimmed" size="sm">
            What happens when someone calls a tracking number in {group?.group_name} and the groups below it
          </Text>
        </div>
        <WriteGuard canEdit={canEdit}>
          {(blocked) => (
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={
                blocked
                  ? undefined
                  : () =>
                      void navigate({
                        to: '/flows/$flowId',
                        params: { flowId: 'new' },
                        search: { group: groupId, campaign: search.campaign },
                      })
              }
              {...(blocked ? BLOCKED_PROPS : {})}
            >
              New call flow
            </Button>
          )}
        </WriteGuard>
      </Group>

      <Group gap="sm" wrap="wrap">
        <Select
          aria-label="Campaign"
          placeholder="All campaigns"
          clearable
          searchable
          w={280}
          data={campaignOptions}
          value={search.campaign === undefined ? null : String(search.campaign)}
          onChange={(value) =>
            void navigate({ search: (prev) => ({ ...prev, campaign: value ? Number(value) : undefined }) })
          }
        />
        <SegmentedControl
          aria-label="Which flows"
          data={[
            { value: 'live', label: 'In use' },
            { value: 'deleted', label: 'Deleted' },
          ]}
          value={isDeleted ? 'deleted' : 'live'}
          onChange={(value) =>
            void navigate({
              search: (prev) => ({ ...prev, show: value === 'deleted' ? ('deleted' as const) : undefined }),
            })
          }
        />
      </Group>

      {remove.error && (
        <Alert color="red" title="The flow was not deleted">
          {remove.error.message}
        </Alert>
      )}

      {flows.data && rows.length === 0 && (
        <Alert
          variant="light"
          icon={<IconInfoCircle />}
          title={isDeleted ? 'No deleted flows' : 'No call flows here yet'}
        >
          {isDeleted
            ? 'Flows you delete are kept here, and can be restored onto a tracking number again.'
            : 'A call flow gives a tracking number its route: a phone menu, a schedule, the nearest branch. Create one with "New call flow", then reserve a number for it on the Numbers page.'}
        </Alert>
      )}

      {rows.length > 0 && (
        <Card p={0}>
          <Table.ScrollContainer minWidth={880}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="flow-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Call flow</Table.Th>
                  <Table.Th>Tracking number</Table.Th>
                  <Table.Th>Route</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Calls, last 7 days</Table.Th>
                  <Table.Th>Last modified</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((flow) => (
                  <Table.Tr key={flow.call_flow_id} data-flow-id={flow.call_flow_id}>
                    <Table.Td>
                      <AnchorLink
                        to="/flows/$flowId"
                        params={{ flowId: String(flow.call_flow_id) }}
                        search={{ group: groupId }}
                        fw={600}
                      >
                        {flow.call_flow_name}
                      </AnchorLink>
                      <Text size="xs" c="dimmed">
                        {campaignName(flow.campaign_id)}
                      </Text>
                    </Table.Td>
                    <Table.Td className="sb-tabular">
                      {flow.dnis
                        ? formatPhone(flow.dnis)
                        : flow.pool_id
                          ? 'Number pool (website visitors)'
                          : '—'}
                    </Table.Td>
                    <Table.Td>{routeLabel(flow.routable_type)}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={STATUS_COLORS[flow.call_flow_status] ?? 'gray'}>
                        {flow.call_flow_status}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right" className="sb-tabular">
                      {formatCount(counts.data?.get(flow.call_flow_id) ?? 0)}
                    </Table.Td>
                    <Table.Td>{formatDateTime(flow.updated_at ?? flow.call_flow_created, timeZone)}</Table.Td>
                    <Table.Td>
                      <FlowActions
                        flow={flow}
                        canEdit={canEdit}
                        isDeleted={isDeleted}
                        onCopy={(mode) => setCopying({ flow, mode })}
                        onDelete={() => setDeleting(flow)}
                        onOpen={() =>
                          void navigate({
                            to: '/flows/$flowId',
                            params: { flowId: String(flow.call_flow_id) },
                            search: { group: groupId },
                          })
                        }
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title="Delete this call flow?">
        <Stack gap="sm">
          <Text size="sm">
            "{deleting?.call_flow_name}" stops answering calls at once, and its tracking number goes back to
            your reserved numbers. You can restore the flow from the Deleted list.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              Keep it
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                deleting && remove.mutate(deleting.call_flow_id, { onSettled: () => setDeleting(null) })
              }
            >
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
      {copying && (
        <CopyFlowDialog
          flow={copying.flow}
          mode={copying.mode}
          onClose={() => setCopying(null)}
          onDone={(callFlowId) => {
            setCopying(null);
            void navigate({
              to: '/flows/$flowId',
              params: { flowId: String(callFlowId) },
              search: { group: groupId },
            });
          }}
        />
      )}
    </Stack>
  );
}

function FlowActions({
  flow,
  canEdit,
  isDeleted,
  onCopy,
  onDelete,
  onOpen,
}: {
  flow: CallFlowSummary;
  canEdit: boolean;
  isDeleted: boolean;
  onCopy: (mode: 'duplicate' | 'restore') => void;
  onDelete: () => void;
  onOpen: () => void;
}) {
  if (isDeleted)
    return (
      <WriteGuard canEdit={canEdit}>
        {(blocked) => (
          <Button
            size="xs"
            variant="light"
            leftSection={<IconRestore size={14} aria-hidden />}
            onClick={blocked ? undefined : () => onCopy('restore')}
            {...(blocked ? BLOCKED_PROPS : {})}
          >
            Restore
          </Button>
        )}
      </WriteGuard>
    );
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${flow.call_flow_name}`}>
          <IconDots size={18} aria-hidden />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconPencil size={16} aria-hidden />} onClick={onOpen}>
          Open in the builder
        </Menu.Item>
        <Menu.Item
          leftSection={<IconCopy size={16} aria-hidden />}
          disabled={!canEdit}
          onClick={() => onCopy('duplicate')}
        >
          Duplicate
        </Menu.Item>
        <Menu.Item
          color="red"
          leftSection={<IconTrash size={16} aria-hidden />}
          disabled={!canEdit}
          onClick={onDelete}
        >
          Delete
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

import {
  Alert,
  Button,
  Group,
  Modal,
  MultiSelect,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAlertTriangle, IconMoon } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { segmentsOf } from '../../../../src/modules/smsbroadcast/sms-text.js';
import { ApiError } from '../../api/client';
import { formatCount, formatPhone } from '../../lib/format';
import { flowListQuery, subtreeOf } from '../flows/queries';
import { useCurrentGroup } from '../groups/queries';
import { formatCost } from './BroadcastsPage';
import { estimateQuery, type NewBroadcast, useTextMutations } from './queries';
import type { ContactList, TextSettings } from './types';

/** The `datetime-local` value as an ISO instant (the browser reads it in its own zone). */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg" className="sb-tabular" data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

/**
 * A new broadcast: lists, senders (numbers or a number pool), the text with its merge fields,
 * when; the segment count as typed, and the server's estimate of what it sends and costs.
 */
export function BroadcastComposer({
  lists,
  settings,
  onClose,
}: {
  lists: ContactList[];
  settings: TextSettings | undefined;
  onClose: () => void;
}) {
  const { groupId, groups } = useCurrentGroup();
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const flows = useQuery(flowListQuery(false));
  const { createBroadcast } = useTextMutations();
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('Hi {first_name}, ');
  const [listIds, setListIds] = useState<string[]>([]);
  const [senderMode, setSenderMode] = useState<'numbers' | 'pool'>('numbers');
  const [senders, setSenders] = useState<string[]>([]);
  const [poolId, setPoolId] = useState<string | null>(null);
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [sendAt, setSendAt] = useState('');

  const myFlows = (flows.data ?? []).filter((flow) => subtree.has(flow.group_id));
  const numbers = myFlows
    .filter((flow) => flow.dnis)
    .map((flow) => ({
      value: flow.dnis as string,
      label: `${formatPhone(flow.dnis)} · ${flow.call_flow_name}`,
    }));
  const pools = myFlows
    .filter((flow) => flow.pool_id !== null)
    .map((flow) => ({ value: String(flow.pool_id), label: `${flow.call_flow_name} (number pool)` }));
  const listOptions = lists.map((list) => ({
    value: String(list.list_id),
    label: `${list.list_name} (${formatCount(list.contact_count)})`,
  }));

  const [debouncedTemplate] = useDebouncedValue(template, 400);
  const estimate = useQuery(
    estimateQuery({ group_id: groupId, template: debouncedTemplate, list_ids: listIds.map(Number) }),
  );
  const typed = segmentsOf(template);
  const error = createBroadcast.error;
  const errorFor = (field: string) => (error instanceof ApiError ? error.errorFor(field) : undefined);

  const submit = () => {
    const input: NewBroadcast = {
      group_id: groupId,
      broadcast_name: name.trim(),
      template,
      list_ids: listIds.map(Number),
      ...(senderMode === 'pool' && poolId ? { pool_id: Number(poolId) } : {}),
      ...(senderMode === 'numbers' ? { sender_numbers: senders } : {}),
      ...(when === 'later' && sendAt ? { send_at: toIso(sendAt) } : {}),
    };
    createBroadcast.mutate(input, { onSuccess: onClose });
  };

  return (
    <Modal opened onClose={onClose} title="New broadcast" size="xl">
      <Stack gap="sm">
        <TextInput
          label="Name"
          placeholder="Spring tune-up offer"
          required
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errorFor('broadcast_name')}
          data-autofocus
        />
        <MultiSelect
          label="Send to"
          placeholder={lists.length === 0 ? 'Import a contact list first' : 'Contact lists'}
          data={listOptions}
          value={listIds}
          onChange={setListIds}
          required
          error={errorFor('list_ids')}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Send from
          </Text>
          <SegmentedControl
            aria-label="Send from"
            value={senderMode}
            onChange={(value) => setSenderMode(value as 'numbers' | 'pool')}
            data={[
              { value: 'numbers', label: 'Tracking numbers' },
              { value: 'pool', label: 'A number pool', disabled: pools.length === 0 },
            ]}
          />
          {senderMode === 'numbers' ? (
            <MultiSelect
              aria-label="Sender numbers"
              placeholder="Numbers take turns"
              data={numbers}
              value={senders}
              onChange={setSenders}
              searchable
              error={errorFor('sender_numbers')}
            />
          ) : (
            <Select
              aria-label="Number pool"
              placeholder="The pool’s numbers take turns"
              data={pools}
              value={poolId}
              onChange={setPoolId}
              error={errorFor('pool_id')}
            />
          )}
          {settings && (
            <Text size="xs" c="dimmed">
              Each number sends at most {settings.messages_per_second} text
              {settings.messages_per_second === 1 ? '' : 's'} a second; more numbers send faster.
            </Text>
          )}
        </Stack>
        <Textarea
          label="Text"
          description="Merge fields: {first_name}, {last_name}, {phone_number} and your lists’ own columns, e.g. {store}"
          autosize
          minRows={3}
          maxRows={8}
          maxLength={1600}
          required
          value={template}
          onChange={(event) => setTemplate(event.currentTarget.value)}
          error={errorFor('template')}
        />
        <Text size="xs" c={typed.encoding === 'UCS-2' ? 'orange.8' : 'dimmed'} data-testid="typed-segments">
          {template.length} characters · {typed.segments} segment{typed.segments === 1 ? '' : 's'} (
          {typed.encoding})
          {typed.encoding === 'UCS-2'
            ? ' — a character outside the GSM alphabet (an emoji, a curly quote) makes every segment 70 characters'
            : ''}
        </Text>
        <Paper withBorder p="sm" radius="md" data-testid="estimate">
          {listIds.length === 0 ? (
            <Text size="sm" c="dimmed">
              Choose a list to see how many texts this sends and what it costs.
            </Text>
          ) : estimate.error ? (
            <Text size="sm" c="red">
              {estimate.error.message}
            </Text>
          ) : estimate.data ? (
            <Stack gap="xs">
              <SimpleGrid cols={{ base: 2, sm: 4 }}>
                <Figure
                  label="Recipients"
                  value={formatCount(estimate.data.recipients)}
                  testId="estimate-recipients"
                />
                <Figure label="Opted out (left out)" value={formatCount(estimate.data.opted_out)} />
                <Figure
                  label={`Segments (${estimate.data.encoding})`}
                  value={formatCount(estimate.data.total_segments)}
                  testId="estimate-segments"
                />
                <Figure
                  label={`Cost at ${formatCost(estimate.data.segment_price)}/segment`}
                  value={formatCost(estimate.data.estimated_cost)}
                  testId="estimate-cost"
                />
              </SimpleGrid>
              {estimate.data.samples[0] && (
                <div>
                  <Text size="xs" c="dimmed">
                    Preview for {formatPhone(estimate.data.samples[0].phone_number.replace(/^\+1/, ''))}
                  </Text>
                  <Text
                    size="sm"
                    p="xs"
                    bg="gray.1"
                    style={{ borderRadius: 10, whiteSpace: 'pre-wrap' }}
                    data-testid="preview"
                  >
                    {estimate.data.samples[0].body}
                  </Text>
                </div>
              )}
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              Counting…
            </Text>
          )}
        </Paper>
        <Group align="flex-end" gap="sm">
          <SegmentedControl
            aria-label="When"
            value={when}
            onChange={(value) => setWhen(value as 'now' | 'later')}
            data={[
              { value: 'now', label: 'Send now' },
              { value: 'later', label: 'Schedule' },
            ]}
          />
          {when === 'later' && (
            <TextInput
              type="datetime-local"
              aria-label="Send at (your time)"
              value={sendAt}
              onChange={(event) => setSendAt(event.currentTarget.value)}
              error={errorFor('send_at')}
            />
          )}
        </Group>
        {settings && (
          <Text size="xs" c="dimmed" style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
            <IconMoon size={14} aria-hidden /> Quiet hours {settings.quiet_start}–{settings.quiet_end}: a
            recipient for whom it is night waits until {settings.quiet_end} in their own time zone.
          </Text>
        )}
        {error &&
          !['broadcast_name', 'list_ids', 'sender_numbers', 'pool_id', 'template', 'send_at'].some(
            errorFor,
          ) && (
            <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title="Not created">
              {error.message}
            </Alert>
          )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={createBroadcast.isPending}>
            {when === 'now' ? 'Send broadcast' : 'Schedule broadcast'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

import { Alert, Button, Group, Loader, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { CallFlowSummary } from '../../api/types';
import { formatPhone } from '../../lib/format';
import { asNewFlow, routeKeyOf } from './document';
import { historyQuery, useFlowMutations } from './queries';
import { reservedNumbersQuery } from './reserved';

/**
 * Duplicate a flow, or restore a deleted one: its last saved document becomes a new flow on a
 * reserved tracking number (a deleted flow's number went back to the reserved numbers, so it is
 * offered first), or on a new pool like the old one's.
 */
export function CopyFlowDialog({
  flow,
  mode,
  onClose,
  onDone,
}: {
  flow: CallFlowSummary;
  mode: 'duplicate' | 'restore';
  onClose: () => void;
  onDone: (callFlowId: number) => void;
}) {
  const history = useQuery(historyQuery(flow.call_flow_id));
  const reserved = useQuery(reservedNumbersQuery);
  const { save } = useFlowMutations();
  const [name, setName] = useState(
    mode === 'restore' ? flow.call_flow_name : `${flow.call_flow_name} (copy)`,
  );
  const isPool = flow.pool_id !== null;
  const numbers = (reserved.data ?? []).map((n) => ({
    value: String(n.number),
    label: formatPhone(String(n.number)),
  }));
  const [number, setNumber] = useState<string | null>(null);
  const chosen =
    number ??
    (mode === 'restore' && flow.dnis && numbers.some((n) => n.value === flow.dnis) ? flow.dnis : null);
  const latest = history.data?.at(-1)?.document;

  const submit = () => {
    if (!latest) return;
    const document = asNewFlow(latest, {
      name: name.trim(),
      phoneNumber: isPool ? undefined : (chosen ?? undefined),
    });
    save.mutate({ routeKey: routeKeyOf(latest), document }, { onSuccess: onDone });
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={mode === 'restore' ? `Restore "${flow.call_flow_name}"` : `Duplicate "${flow.call_flow_name}"`}
    >
      {!latest ? (
        <Loader aria-label="Loading the flow" />
      ) : (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {mode === 'restore'
              ? 'The flow comes back as it was last saved, as a new call flow.'
              : 'Every menu, number and setting is copied into a new call flow.'}
          </Text>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            maxLength={255}
          />
          {isPool ? (
            <Text size="sm">A new number pool with the same size and area code is set up for it.</Text>
          ) : (
            <Select
              label="Tracking number"
              description="One of your reserved numbers; reserve more on the Numbers page"
              placeholder={numbers.length ? 'Choose a number' : 'No reserved number is free'}
              data={numbers}
              value={chosen}
              onChange={setNumber}
              searchable
              required
            />
          )}
          {save.error && (
            <Alert color="red" title="Not saved">
              {save.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button onClick={submit} loading={save.isPending} disabled={!name.trim() || (!isPool && !chosen)}>
              {mode === 'restore' ? 'Restore' : 'Duplicate'}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

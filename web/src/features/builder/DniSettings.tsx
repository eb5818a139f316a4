import { Alert, Button, Group, NumberInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { DniMessages, dniEntryReason } from '../../../../src/modules/callflows/callflow-dni.rules.js';
import {
  type DniEntry,
  DniEntry as DniEntrySchema,
  TTL_MIN_MINUTES,
} from '../../../../src/modules/callflows/callflow-dni.schemas.js';
import { ApiError, api } from '../../api/client';
import { fieldErrors } from '../../lib/schema-check';

type Field = 'dni_element' | 'destination_url' | 'referrer' | 'custom_cookie' | 'TTL';

/** A new pool flow's setting: every site, every referrer, half an hour per visitor. */
const DEFAULTS = {
  dni_element: 'dni_element',
  destination_url: '*.*',
  referrer: '*.*',
  custom_cookie: '',
  TTL: 30,
};

/**
 * Which field a reason of the API's rules (dniEntryReason, the same function the API runs) is
 * about, so it shows under that field.
 */
function fieldOfReason(reason: string): Field | undefined {
  if (reason === DniMessages.blankElement || reason.startsWith('Invalid dni_element')) return 'dni_element';
  if (reason === DniMessages.invalidCookie || reason === DniMessages.missingCookie) return 'custom_cookie';
  if (reason.startsWith('Invalid Destination Url')) return 'destination_url';
  if (reason.startsWith('Invalid Referrer')) return 'referrer';
  if (reason === DniMessages.ttlRequired || reason === DniMessages.ttlOverMax) return 'TTL';
  return undefined;
}

/** The errors of a setting as the API would find them: its schema, its rules, the TTL's floor. */
export function dniIssues(entry: DniEntry): Partial<Record<Field, string>> {
  const issues: Partial<Record<Field, string>> = fieldErrors<Field>(DniEntrySchema, entry);
  if (/\s/.test(entry.dni_element)) issues.dni_element ??= DniMessages.elementHasSpaces(entry.dni_element);
  if (entry.TTL !== undefined && entry.TTL < TTL_MIN_MINUTES) issues.TTL ??= DniMessages.ttlRequired;
  const reason = dniEntryReason(entry, 'pool');
  const field = reason ? fieldOfReason(reason) : undefined;
  if (reason && field) issues[field] ??= reason;
  return issues;
}

/**
 * The DNI setting of a flow on a number pool (POST /v2/callflow/dni, one setting per flow): which
 * elements of which site show a pool number, for visitors from which referrers, and how long a
 * visitor keeps theirs. Checked as you type with the API's own schema and rules; saved on its own.
 */
export function DniSettings({ callFlowId, groupId }: { callFlowId: number; groupId: number }) {
  const queryClient = useQueryClient();
  const stored = useQuery({
    queryKey: ['callflow', callFlowId, 'dni'],
    queryFn: async () => {
      try {
        return await api.get<DniEntry>('/v2/callflow/dnisetting', { id: callFlowId });
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
  const [form, setForm] = useState<DniEntry | undefined>();
  useEffect(() => {
    if (stored.data !== undefined && form === undefined)
      setForm({
        ...DEFAULTS,
        ...(stored.data ?? {}),
        group_id: groupId,
        call_flow_id: callFlowId,
        dni_type: 'session',
      });
  }, [stored.data, form, groupId, callFlowId]);
  const save = useMutation({
    mutationFn: async (entry: DniEntry) => {
      // the envelope's data: one result per entry
      const [result] = await api.post<{ result: string; data?: string }[]>('/v2/callflow/dni', [entry]);
      if (result?.result !== 'success') throw new Error(result?.data ?? 'The setting was not saved');
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['callflow', callFlowId, 'dni'] }),
  });

  if (!form) return <Text size="sm">…</Text>;
  const issues = dniIssues(form);
  const valid = Object.keys(issues).length === 0;
  const set = (field: Field, value: string | number | undefined) => {
    const next = { ...form, [field]: value } as DniEntry;
    if (value === undefined) delete (next as Record<string, unknown>)[field];
    setForm(next);
    save.reset();
  };
  const text = (field: Exclude<Field, 'TTL'>, label: string, description: string) => (
    <TextInput
      label={label}
      description={description}
      value={String(form[field] ?? '')}
      error={issues[field]}
      onChange={(event) => set(field, event.currentTarget.value)}
    />
  );

  return (
    <Stack gap="xs" data-testid="dni-settings">
      <Text size="sm" c="dimmed">
        Which numbers on your website show a pool number, and for how long a visitor keeps it.
      </Text>
      <SimpleGrid cols={2} spacing="xs">
        {text('dni_element', 'Element class', 'The HTML class of the elements holding your number')}
        {text('destination_url', 'Website', 'Host labels or *, e.g. *.example.com or *.*')}
        {text('referrer', 'Visitors from', 'Referring sites: host labels or *, e.g. *.google.* or *.*')}
        {text('custom_cookie', 'URL parameters to keep', 'Comma-separated, e.g. promo, region')}
        <NumberInput
          label="Visitor keeps a number for (minutes)"
          description={`After the last page view; ${TTL_MIN_MINUTES} to 525,600`}
          value={form.TTL ?? ''}
          allowDecimal={false}
          error={issues.TTL}
          onChange={(value) => set('TTL', value === '' ? undefined : Number(value))}
        />
      </SimpleGrid>
      {save.error && (
        <Alert color="red" data-testid="dni-save-error">
          {save.error.message}
        </Alert>
      )}
      <Group gap="xs">
        <Button size="xs" disabled={!valid} loading={save.isPending} onClick={() => save.mutate(form)}>
          Save website settings
        </Button>
        {save.isSuccess && (
          <Text size="sm" c="teal.9" role="status">
            Saved
          </Text>
        )}
      </Group>
    </Stack>
  );
}

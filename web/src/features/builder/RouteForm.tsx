import { ActionIcon, Button, Card, Group, NumberInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import {
  ChoiceField,
  type Fields,
  HuntFields,
  PhoneField,
  SwitchField,
  TextField,
  withField,
} from './fields';
import { GeoFields, ScheduleFields } from './route-fields';
import { ROOT } from './tree';
import { fieldIssue, type Issue } from './validation';

/** The route types POST /v2/callflow takes, as people call them. */
export const ROUTE_KEYS: { value: string; label: string }[] = [
  { value: 'multilevelivr', label: 'Phone menu (IVR)' },
  { value: 'ivr', label: 'Phone menu, one level' },
  { value: 'simple', label: 'Ring a number' },
  { value: 'geo', label: 'Nearest location' },
  { value: 'schedule', label: 'By schedule' },
  { value: 'percentage', label: 'Split by percentage' },
  { value: 'outbound', label: 'Outbound calling (PIN)' },
  { value: 'voicemail', label: 'Voicemail' },
  { value: 'hangup', label: 'Hang up' },
];

interface Share extends Fields {
  ringToNum: string | number;
  percentage: number;
}

/** The fields of a flow that is not a multi-level IVR: its route's data, by type. */
export function RouteForm({
  routeKey,
  document,
  issues,
  onChange,
}: {
  routeKey: string;
  document: Fields;
  issues: readonly Issue[];
  onChange: (next: Fields) => void;
}) {
  const errorFor = (field: string) => fieldIssue(issues, ROOT, field);
  const sub = (field: string) => (name: string) => errorFor(`${field}.${name}`);
  const shares = (document.ringto_percentage as Share[] | undefined) ?? [];
  const setShares = (next: Share[]) => onChange(withField(document, 'ringto_percentage', next));
  const total = shares.reduce((sum, share) => sum + (Number(share.percentage) || 0), 0);
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        Route
      </Title>
      <TextField
        object={document}
        field="message"
        label="Greeting"
        multiline
        error={errorFor('message')}
        onChange={onChange}
      />
      <SwitchField object={document} field="message_enabled" label="Play the greeting" onChange={onChange} />
      {(routeKey === 'simple' || routeKey === 'geo' || routeKey === 'schedule') && (
        <PhoneField
          object={document}
          field="default_ringto"
          label={routeKey === 'simple' ? 'Ring' : 'When nothing matches, ring'}
          error={errorFor('default_ringto')}
          onChange={onChange}
        />
      )}
      {routeKey === 'simple' && <HuntFields object={document} onChange={onChange} errorFor={errorFor} />}
      {routeKey === 'geo' && (
        <GeoFields
          object={(document.geo_route as Fields | undefined) ?? { route_by: 'Claimed State' }}
          onChange={(geo) => onChange(withField(document, 'geo_route', geo))}
          errorFor={sub('geo_route')}
          withManualEntry
        />
      )}
      {routeKey === 'schedule' && (
        <ScheduleFields
          object={(document.schedule_data as Fields | undefined) ?? { timezone: 'Eastern', schedules: [] }}
          onChange={(data) => onChange(withField(document, 'schedule_data', data))}
          errorFor={sub('schedule_data')}
        />
      )}
      {routeKey === 'percentage' && (
        <Stack gap="xs">
          {shares.map((share, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the shares' order is their identity
            <Card key={i} withBorder p="xs">
              <Group gap="xs" align="flex-end" wrap="nowrap">
                <TextInput
                  label={`Number ${i + 1}`}
                  style={{ flex: 1 }}
                  value={String(share.ringToNum ?? '')}
                  onChange={(e) =>
                    setShares(
                      shares.map((s, j) => (j === i ? { ...s, ringToNum: e.currentTarget.value } : s)),
                    )
                  }
                />
                <NumberInput
                  label="Share"
                  suffix=" %"
                  w={100}
                  min={1}
                  max={100}
                  value={share.percentage}
                  onChange={(v) =>
                    setShares(shares.map((s, j) => (j === i ? { ...s, percentage: Number(v) } : s)))
                  }
                />
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  mb={4}
                  aria-label={`Remove number ${i + 1}`}
                  onClick={() => setShares(shares.filter((_, j) => j !== i))}
                >
                  <IconTrash size={16} aria-hidden />
                </ActionIcon>
              </Group>
            </Card>
          ))}
          <Group justify="space-between">
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlus size={14} aria-hidden />}
              disabled={shares.length >= 20}
              onClick={() => setShares([...shares, { ringToNum: '', percentage: Math.max(1, 100 - total) }])}
            >
              Add a number
            </Button>
            <Text size="sm" c={total === 100 ? 'teal' : 'red'}>
              {total}% of calls
            </Text>
          </Group>
        </Stack>
      )}
      {routeKey === 'outbound' && (
        <Group grow gap="xs" align="flex-start">
          <TextInput
            label="PIN"
            description="4 to 8 digits; never shown again once saved"
            value={String((document.outboundData as Fields | undefined)?.pin ?? '')}
            error={errorFor('outboundData.pin')}
            onChange={(e) =>
              onChange(
                withField(document, 'outboundData', {
                  ...(document.outboundData as Fields | undefined),
                  pin: e.currentTarget.value,
                }),
              )
            }
          />
          <TextInput
            label="Caller ID"
            description="A number of your groups"
            value={String((document.outboundData as Fields | undefined)?.callerid ?? '')}
            onChange={(e) =>
              onChange(
                withField(
                  document,
                  'outboundData',
                  withField(
                    (document.outboundData as Fields | undefined) ?? { pin: '' },
                    'callerid',
                    e.currentTarget.value || undefined,
                  ),
                ),
              )
            }
          />
        </Group>
      )}
      {routeKey !== 'hangup' && routeKey !== 'outbound' && (
        <>
          <SwitchField object={document} field="record_enabled" label="Record calls" onChange={onChange} />
          <ChoiceField
            object={document}
            field="play_disclaimer"
            label="Recording notice"
            clearable
            data={[
              { value: 'before', label: 'Before the greeting' },
              { value: 'after', label: 'After the greeting' },
              { value: 'never', label: 'Never' },
            ]}
            onChange={onChange}
          />
          <SwitchField
            object={document}
            field="whisper_enabled"
            label="Whisper to whoever answers"
            onChange={onChange}
          />
          {document.whisper_enabled === true && (
            <TextField
              object={document}
              field="whisper_message"
              label="Whisper"
              error={errorFor('whisper_message')}
              onChange={onChange}
            />
          )}
          <SwitchField
            object={document}
            field="voicemail_enabled"
            label="Voicemail when nobody answers"
            onChange={onChange}
          />
        </>
      )}
    </Stack>
  );
}

import { ActionIcon, Button, Card, Group, MultiSelect, Stack, Text } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { ROUTE_BY, SCHEDULE_DAY_IDS } from '../../../../src/routing/flow-document.js';
import {
  ChoiceField,
  type Fields,
  HuntFields,
  IntegerField,
  PhoneField,
  SwitchField,
  TextField,
  withField,
} from './fields';

/** The zones people pick from; any IANA name is accepted too (typed into the list's search). */
const ZONES = ['Eastern', 'Central', 'Mountain', 'Pacific', 'Alaska', 'Hawaii', 'Atlantic'];

type ErrorFor = (field: string) => string | undefined;

/** Geo routing: how a caller is matched to a branch, and the number when none matches. */
export function GeoFields({
  object,
  onChange,
  errorFor,
  withManualEntry,
}: {
  object: Fields;
  onChange: (next: Fields) => void;
  errorFor: ErrorFor;
  withManualEntry?: boolean;
}) {
  const isProximity = String(object.route_by ?? '').endsWith('Proximity');
  return (
    <Stack gap="sm">
      <ChoiceField
        object={object}
        field="route_by"
        label="Match the caller by"
        data={ROUTE_BY.map((value) => ({ value, label: value }))}
        error={errorFor('route_by')}
        onChange={onChange}
      />
      {isProximity && (
        <IntegerField
          object={object}
          field="proximity_limit"
          label="Within (miles)"
          min={1}
          error={errorFor('proximity_limit')}
          onChange={onChange}
        />
      )}
      <IntegerField
        object={object}
        field="location_id"
        label="Location (set of branches)"
        description="The id of a location of your groups"
        min={0}
        error={errorFor('location_id')}
        onChange={onChange}
      />
      <PhoneField
        object={object}
        field="target_did"
        label="When no branch matches, ring"
        error={errorFor('target_did')}
        onChange={onChange}
      />
      {withManualEntry && (
        <>
          <SwitchField
            object={object}
            field="allow_manual_entry"
            label="Let the caller key in a ZIP code when it cannot be found"
            onChange={onChange}
          />
          <SwitchField
            object={object}
            field="play_branding"
            label="Play the greeting before routing"
            onChange={onChange}
          />
        </>
      )}
    </Stack>
  );
}

interface Window extends Fields {
  schedule_days: { id: string }[];
  schedule_start_time: string;
  schedule_end_time: string;
  ring_to: string | number;
}

/** A schedule: time windows in a zone (an end before the start runs overnight), and the number outside them. */
export function ScheduleFields({
  object,
  onChange,
  errorFor,
}: {
  object: Fields;
  onChange: (next: Fields) => void;
  errorFor: ErrorFor;
}) {
  const windows = (object.schedules as Window[] | undefined) ?? [];
  const setWindows = (next: Window[]) => onChange(withField(object, 'schedules', next));
  const zone = String(object.timezone ?? '');
  return (
    <Stack gap="sm">
      <ChoiceField
        object={object}
        field="timezone"
        label="Time zone"
        data={[...new Set([...ZONES, ...(zone ? [zone] : [])])].map((value) => ({ value, label: value }))}
        error={errorFor('timezone')}
        onChange={onChange}
      />
      {windows.map((window, i) => {
        const update = (next: Fields) => setWindows(windows.map((w, j) => (j === i ? (next as Window) : w)));
        const at = (field: string) => errorFor(`schedules.${i}.${field}`);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: the windows' order is their identity
          <Card key={i} withBorder p="sm" radius="md">
            <Group justify="space-between" mb={6}>
              <Text size="sm" fw={600}>
                Window {i + 1}
              </Text>
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Remove window ${i + 1}`}
                onClick={() => setWindows(windows.filter((_, j) => j !== i))}
              >
                <IconTrash size={16} aria-hidden />
              </ActionIcon>
            </Group>
            <Stack gap="xs">
              <MultiSelect
                label="Days"
                data={[...SCHEDULE_DAY_IDS]}
                value={window.schedule_days.map((d) => d.id)}
                error={at('schedule_days')}
                onChange={(ids) => update({ ...window, schedule_days: ids.map((id) => ({ id })) })}
              />
              <Group grow gap="xs">
                <TextField
                  object={window}
                  field="schedule_start_time"
                  label="From"
                  description="09:00 or 9:00 AM"
                  error={at('schedule_start_time')}
                  onChange={update}
                />
                <TextField
                  object={window}
                  field="schedule_end_time"
                  label="Until"
                  description="before From = overnight"
                  error={at('schedule_end_time')}
                  onChange={update}
                />
              </Group>
              <PhoneField
                object={window}
                field="ring_to"
                label="Ring"
                error={at('ring_to')}
                onChange={update}
              />
              <HuntFields object={window} onChange={update} errorFor={(f) => at(f)} />
              <SwitchField
                object={window}
                field="voicemail_enabled"
                label="Voicemail when nobody answers"
                onChange={update}
              />
            </Stack>
          </Card>
        );
      })}
      <Button
        size="xs"
        variant="light"
        leftSection={<IconPlus size={14} aria-hidden />}
        onClick={() =>
          setWindows([
            ...windows,
            {
              schedule_days: [{ id: 'Weekdays' }],
              schedule_start_time: '09:00',
              schedule_end_time: '17:00',
              ring_to: '',
            },
          ])
        }
      >
        Add a time window
      </Button>
      <PhoneField
        object={object}
        field="default_ringto"
        label="Outside every window, ring"
        error={errorFor('default_ringto')}
        onChange={onChange}
      />
      <SwitchField
        object={object}
        field="voicemail_enabled"
        label="Voicemail outside the windows"
        onChange={onChange}
      />
    </Stack>
  );
}

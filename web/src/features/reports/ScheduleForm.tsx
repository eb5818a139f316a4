import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
} from '@mantine/core';
import { TimeInput } from '@mantine/dates';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import { type SavedReport, type Schedule, type ScheduleBody, useScheduleMutations } from './queries';

export const FREQUENCY_LABELS: Record<Schedule['frequency'], string> = {
  daily: 'Daily',
  weekly: 'Weekly',
  monthly: 'Monthly',
};

const WHEN: Record<Schedule['frequency'], string> = {
  daily: 'Sent every day with the day before.',
  weekly: 'Sent every Monday with the week (Monday to Sunday) before.',
  monthly: 'Sent on the 1st with the month before.',
};

const ATTACHMENTS = [
  { value: 'pdf', label: 'PDF' },
  { value: 'xlsx', label: 'Excel (XLSX)' },
  { value: 'csv', label: 'CSV' },
] as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Create or change a schedule: which report, how often, when in whose zone, to whom, with what. */
export function ScheduleForm({
  schedule,
  reports,
  zones,
  defaultZone,
  onClose,
}: {
  schedule: Schedule | undefined;
  reports: SavedReport[];
  zones: { value: string; label: string }[];
  defaultZone: string;
  onClose: () => void;
}) {
  const { save, remove } = useScheduleMutations();
  const [value, setValue] = useState<ScheduleBody>(() => ({
    schedule_id: schedule?.schedule_id,
    report_id: schedule?.report_id ?? reports[0]?.report_id ?? 0,
    frequency: schedule?.frequency ?? 'weekly',
    send_time: schedule?.send_time ?? '08:00',
    timezone: schedule?.timezone ?? defaultZone,
    recipients: schedule?.recipients ?? [],
    formats: schedule?.formats ?? ['pdf'],
    schedule_status: schedule?.schedule_status ?? 'active',
  }));
  const set = (next: Partial<ScheduleBody>) => setValue((previous) => ({ ...previous, ...next }));
  const badRecipients = value.recipients.filter((address) => !EMAIL.test(address));
  const error = save.error instanceof ApiError ? save.error : undefined;
  const fieldError = (field: string) => error?.errorFor(field);
  const zoneData = useMemo(
    () =>
      zones.some((zone) => zone.value === value.timezone)
        ? zones
        : [{ value: value.timezone, label: value.timezone }, ...zones],
    [zones, value.timezone],
  );

  return (
    <Modal
      opened
      onClose={onClose}
      title={schedule ? 'Edit schedule' : 'Schedule a report'}
      centered
      size="lg"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(value, { onSuccess: onClose });
        }}
      >
        <Stack>
          <Select
            label="Report"
            required
            data={reports.map((report) => ({ value: String(report.report_id), label: report.report_name }))}
            value={value.report_id ? String(value.report_id) : null}
            onChange={(id) => id && set({ report_id: Number(id) })}
            allowDeselect={false}
            searchable
            error={fieldError('report_id')}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="frequency-label" component="span">
              How often
            </Text>
            <SegmentedControl
              value={value.frequency}
              onChange={(frequency) => set({ frequency: frequency as Schedule['frequency'] })}
              data={Object.entries(FREQUENCY_LABELS).map(([key, label]) => ({ value: key, label }))}
              aria-labelledby="frequency-label"
            />
            <Text size="xs" c="dimmed">
              {WHEN[value.frequency]}
            </Text>
          </Stack>
          <Group grow align="flex-start">
            <TimeInput
              label="At (local time)"
              required
              value={value.send_time}
              onChange={(event) => set({ send_time: event.currentTarget.value })}
              error={fieldError('send_time')}
            />
            <Select
              label="Recipients’ time zone"
              required
              data={zoneData}
              value={value.timezone}
              onChange={(zone) => zone && set({ timezone: zone })}
              allowDeselect={false}
              searchable
              error={fieldError('timezone')}
            />
          </Group>
          <TagsInput
            label="Recipients"
            description="E-mail addresses; press Enter or a comma after each"
            required
            value={value.recipients}
            onChange={(recipients) => set({ recipients })}
            splitChars={[',', ' ', ';']}
            maxTags={50}
            clearable
            error={
              badRecipients.length > 0
                ? `Not an e-mail address: ${badRecipients.join(', ')}`
                : fieldError('recipients')
            }
          />
          <Checkbox.Group
            label="Attachments"
            description="With none, the e-mail has the summary only"
            value={value.formats}
            onChange={(formats) => set({ formats: formats as Schedule['formats'] })}
          >
            <Group mt={6}>
              {ATTACHMENTS.map((attachment) => (
                <Checkbox key={attachment.value} value={attachment.value} label={attachment.label} />
              ))}
            </Group>
          </Checkbox.Group>
          <Switch
            label="Active"
            description="An inactive schedule sends nothing until it is switched on again"
            checked={value.schedule_status === 'active'}
            onChange={(event) =>
              set({ schedule_status: event.currentTarget.checked ? 'active' : 'inactive' })
            }
          />
          {save.error && !error?.concernsAny(['report_id', 'send_time', 'timezone', 'recipients']) && (
            <Alert color="red" icon={<IconAlertTriangle />}>
              {save.error.message}
            </Alert>
          )}
          {remove.error && (
            <Alert color="red" icon={<IconAlertTriangle />}>
              {remove.error.message}
            </Alert>
          )}
          <Group justify="space-between">
            {schedule ? (
              <Button
                color="red"
                variant="subtle"
                loading={remove.isPending}
                onClick={() => remove.mutate(schedule.schedule_id, { onSuccess: onClose })}
              >
                Delete schedule
              </Button>
            ) : (
              <span />
            )}
            <Group gap="xs">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button
                type="submit"
                loading={save.isPending}
                disabled={value.recipients.length === 0 || badRecipients.length > 0 || !value.report_id}
              >
                {schedule ? 'Save' : 'Schedule'}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

import {
  Alert,
  Button,
  Card,
  Group,
  Menu,
  Modal,
  SegmentedControl,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconDeviceFloppy,
  IconDownload,
  IconFileSpreadsheet,
  IconFileText,
  IconFileTypePdf,
  IconInfoCircle,
  IconPhoto,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import { DateRangeControl, defaultRange } from '../../components/DateRangeControl';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { zoneLabel } from '../../lib/format';
import { useCurrentGroup } from '../groups/queries';
import { BrandLogoDialog } from './BrandLogoDialog';
import {
  downloadUrl,
  type FileFormat,
  type Interval,
  type ReportDefinition,
  reportQuery,
  type SavedReport,
  savedReportsQuery,
  useSaveReport,
} from './queries';
import { ReportsNav } from './ReportsNav';
import {
  BreakdownTable,
  Heatmap,
  REPORT_TYPES,
  ScoresCard,
  SeriesChart,
  TextsCard,
  Totals,
} from './ReportView';
import type { ReportsSearch } from './search';
import { zoneOptions } from './zones';
import './reports.css';

export const INTERVALS: Interval[] = ['hour', 'day', 'week', 'month'];

const FORMATS: { format: FileFormat; label: string; icon: typeof IconFileText }[] = [
  { format: 'csv', label: 'CSV', icon: IconFileText },
  { format: 'xlsx', label: 'Excel (XLSX)', icon: IconFileSpreadsheet },
  { format: 'pdf', label: 'PDF with charts', icon: IconFileTypePdf },
];

function ReportSkeleton() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading the report">
      <SimpleGrid cols={{ base: 2, sm: 4, xl: 8 }} spacing="sm">
        {['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((key) => (
          <Skeleton key={key} h={92} radius="md" />
        ))}
      </SimpleGrid>
      <Skeleton h={340} radius="md" />
      <Skeleton h={240} radius="md" />
    </Stack>
  );
}

function SaveReportModal({
  opened,
  onClose,
  definition,
  saved,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  definition: ReportDefinition;
  saved: SavedReport | undefined;
  onSaved: (report: SavedReport) => void;
}) {
  const save = useSaveReport();
  const [name, setName] = useState(saved?.report_name ?? '');
  const body = {
    report_name: name.trim(),
    group_id: definition.group_id,
    timezone: definition.timezone,
    interval: definition.interval,
    dimensions: definition.dimensions,
  };
  const submit = (asNew: boolean) =>
    save.mutate(asNew || !saved ? body : { ...body, report_id: saved.report_id }, {
      onSuccess: (report) => {
        onSaved(report);
        onClose();
      },
    });
  const error = save.error instanceof ApiError ? save.error : undefined;
  return (
    <Modal opened={opened} onClose={onClose} title="Save this report" centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit(false);
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            A saved report keeps its type, zone and interval; pick its dates each time, or schedule it to be
            e-mailed every day, week or month.
          </Text>
          <TextInput
            label="Name"
            required
            data-autofocus
            value={name}
            maxLength={200}
            onChange={(event) => setName(event.currentTarget.value)}
            error={error?.errorFor('report_name')}
          />
          {save.error && !error?.errorFor('report_name') && (
            <Alert color="red" icon={<IconAlertTriangle />}>
              {save.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            {saved && (
              <Button
                variant="default"
                onClick={() => submit(true)}
                loading={save.isPending}
                disabled={!body.report_name}
              >
                Save as new
              </Button>
            )}
            <Button type="submit" loading={save.isPending} disabled={!body.report_name}>
              {saved ? 'Update' : 'Save'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function ReportsPage() {
  const { groupId, group, groups, timeZone, me } = useCurrentGroup();
  const search = useSearch({ from: '/app/reports' });
  const navigate = useNavigate({ from: '/reports' });
  const saved = useQuery(savedReportsQuery());
  const [saving, setSaving] = useState(false);
  const [branding, setBranding] = useState(false);
  const fallback = defaultRange(timeZone);
  const type = REPORT_TYPES.find((candidate) => candidate.value === search.type) ?? REPORT_TYPES[0];
  const zone = search.tz ?? timeZone;
  const range = { from: search.from ?? fallback.from, to: search.to ?? fallback.to };
  const interval: Interval = search.interval ?? (range.from === range.to ? 'hour' : 'day');
  const definition: ReportDefinition = {
    group_id: groupId,
    start_date: range.from,
    end_date: range.to,
    timezone: zone,
    interval,
    dimensions: (type?.dimensions ?? []).join(','),
  };
  const report = useQuery(reportQuery(definition));
  const zones = useMemo(() => zoneOptions(timeZone), [timeZone]);
  const selectedSaved = saved.data?.find((candidate) => candidate.report_id === search.report);
  const update = (next: Partial<ReportsSearch>) =>
    navigate({ search: (previous) => ({ ...previous, group: groupId, ...next }) });

  /** A saved report puts its group, zone, interval and breakdowns on the page; the dates stay. */
  function openSaved(reportId: string | null) {
    const picked = saved.data?.find((candidate) => String(candidate.report_id) === reportId);
    if (!picked) return update({ report: undefined });
    const savedType =
      REPORT_TYPES.find((candidate) => candidate.dimensions.join(',') === picked.dimensions) ?? type;
    void navigate({
      search: (previous) => ({
        ...previous,
        report: picked.report_id,
        group: groups.some((g) => g.group_id === picked.group_id) ? picked.group_id : groupId,
        tz: picked.timezone,
        interval: picked.interval,
        type: savedType?.value,
      }),
    });
  }

  return (
    <Stack gap="md" maw={1600} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <div>
          <Title order={1} size="h2">
            Reports
          </Title>
          <Text c="dimmed" size="sm">
            {group?.group_name} and the groups below it · days and hours in {zoneLabel(zone)}
          </Text>
        </div>
        <Group gap="xs">
          <Menu position="bottom-end" width={200}>
            <Menu.Target>
              <Button variant="default" leftSection={<IconDownload size={16} aria-hidden />}>
                Download
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {FORMATS.map(({ format, label, icon: Icon }) => (
                <Menu.Item
                  key={format}
                  component="a"
                  href={downloadUrl(definition, format)}
                  download
                  leftSection={<Icon size={16} aria-hidden />}
                >
                  {label}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          <Button
            variant="default"
            leftSection={<IconPhoto size={16} aria-hidden />}
            onClick={() => setBranding(true)}
          >
            Brand logo
          </Button>
          <WriteGuard canEdit={me.can_edit}>
            {(blocked) => (
              <Button
                leftSection={<IconDeviceFloppy size={16} aria-hidden />}
                onClick={blocked ? undefined : () => setSaving(true)}
                {...(blocked ? BLOCKED_PROPS : {})}
              >
                Save report
              </Button>
            )}
          </WriteGuard>
        </Group>
      </Group>

      <ReportsNav active="report" groupId={groupId} />

      <Card p="md">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label="Saved report"
            placeholder={saved.data?.length === 0 ? 'None saved yet' : 'Pick one'}
            data={(saved.data ?? []).map((candidate) => ({
              value: String(candidate.report_id),
              label: candidate.report_name,
            }))}
            value={selectedSaved ? String(selectedSaved.report_id) : null}
            onChange={openSaved}
            clearable
            searchable
            w={220}
          />
          <Select
            label="Report"
            data={REPORT_TYPES.map(({ value, label }) => ({ value, label }))}
            value={type?.value ?? null}
            onChange={(value) => update({ type: value ?? undefined })}
            allowDeselect={false}
            w={250}
          />
          <Select
            // not "Group": the header's group switcher is named so, and this one only picks the report's
            label="Report for"
            data={groups.map((candidate) => ({
              value: String(candidate.group_id),
              label: candidate.group_name,
            }))}
            value={String(groupId)}
            onChange={(value) => value && update({ group: Number(value) })}
            allowDeselect={false}
            searchable
            w={220}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} component="span">
              Dates
            </Text>
            <DateRangeControl value={range} timeZone={zone} onChange={(next) => update(next)} />
          </Stack>
          <Select
            label="Time zone"
            data={zones}
            value={zone}
            onChange={(value) => value && update({ tz: value })}
            allowDeselect={false}
            searchable
            w={220}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="interval-label" component="span">
              Interval
            </Text>
            <SegmentedControl
              value={interval}
              onChange={(value) => update({ interval: value as Interval })}
              data={INTERVALS.map((value) => ({ value, label: value[0]?.toUpperCase() + value.slice(1) }))}
              aria-labelledby="interval-label"
            />
          </Stack>
        </Group>
      </Card>

      {report.isError && (
        <Alert color="red" icon={<IconAlertTriangle />} title="This report could not be made">
          {report.error.message}
        </Alert>
      )}
      {report.isPending && <ReportSkeleton />}
      {report.data && (
        <Stack gap="md" style={{ opacity: report.isPlaceholderData ? 0.6 : 1 }} data-testid="report">
          {report.data.totals.calls === 0 && (
            <Alert variant="light" icon={<IconInfoCircle />} title="No calls in this range">
              Pick a longer range or another group; calls to its tracking numbers show up here as they end.
            </Alert>
          )}
          <Totals totals={report.data.totals} />
          <SeriesChart report={report.data} />
          <Heatmap report={report.data} />
          <ScoresCard scores={report.data.scores} />
          <TextsCard texts={report.data.texts} />
          <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="md">
            {report.data.breakdowns.map((breakdown) => (
              <BreakdownTable key={breakdown.dimension} breakdown={breakdown} />
            ))}
          </SimpleGrid>
        </Stack>
      )}

      {branding && (
        <BrandLogoDialog
          groupId={groupId}
          groupName={group?.group_name ?? ''}
          canEdit={me.can_edit}
          onClose={() => setBranding(false)}
        />
      )}
      {saving && (
        <SaveReportModal
          opened
          onClose={() => setSaving(false)}
          definition={definition}
          saved={selectedSaved}
          onSaved={(savedReport) => update({ report: savedReport.report_id })}
        />
      )}
    </Stack>
  );
}

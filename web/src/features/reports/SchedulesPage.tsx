import {
  Alert,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { IconAlertTriangle, IconInfoCircle, IconPencil, IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatCount, formatDateTime, formatDay } from '../../lib/format';
import { useCurrentGroup } from '../groups/queries';
import { type Run, runsQuery, type Schedule, savedReportsQuery, schedulesQuery } from './queries';
import { ReportsNav } from './ReportsNav';
import { FREQUENCY_LABELS, ScheduleForm } from './ScheduleForm';
import { zoneOptions } from './zones';

const STATUS_COLORS: Record<Run['run_status'], string> = { sent: 'teal', pending: 'blue', failed: 'red' };

/** "Mondays at 8:00 AM" in the schedule's own words. */
function cadence(schedule: Schedule): string {
  const [hours, minutes] = schedule.send_time.split(':').map(Number) as [number, number];
  const time = `${hours % 12 === 0 ? 12 : hours % 12}:${String(minutes).padStart(2, '0')} ${hours < 12 ? 'AM' : 'PM'}`;
  const days = { daily: 'Every day', weekly: 'Mondays', monthly: 'On the 1st' }[schedule.frequency];
  return `${days} at ${time}`;
}

function period(run: Run): string {
  return run.period_start === run.period_end
    ? formatDay(run.period_start, true)
    : `${formatDay(run.period_start)} – ${formatDay(run.period_end, true)}`;
}

function change(summary: NonNullable<Run['summary']>): string {
  if (summary.previous_calls === 0) return summary.calls === 0 ? 'no change' : 'new';
  const percent = Math.round(((summary.calls - summary.previous_calls) / summary.previous_calls) * 100);
  return `${percent > 0 ? '+' : ''}${percent}% vs before`;
}

function RunHistory({ schedule, timeZone }: { schedule: Schedule; timeZone: string }) {
  const runs = useQuery({ ...runsQuery(schedule.schedule_id), refetchInterval: 30_000 });
  return (
    <Card p="md" data-testid="run-history">
      <Title order={2} size="h4" mb={4}>
        Run history
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        One run per period, sent once; a failed send is tried again before it is marked failed
      </Text>
      {runs.isPending && <Skeleton h={120} />}
      {runs.isError && (
        <Alert color="red" icon={<IconAlertTriangle />}>
          The runs could not be loaded: {runs.error.message}
        </Alert>
      )}
      {runs.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          Nothing sent yet.{' '}
          {schedule.next_send_at
            ? `The first e-mail goes out ${formatDateTime(schedule.next_send_at, schedule.timezone)} (${schedule.timezone.replace(/_/g, ' ')}).`
            : 'The schedule is inactive.'}
        </Text>
      )}
      {runs.data && runs.data.length > 0 && (
        <Table.ScrollContainer
          minWidth={560}
          scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': 'Run history' } }}
        >
          <Table verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Period</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th ta="right">Calls</Table.Th>
                <Table.Th ta="right">Answered</Table.Th>
                <Table.Th>Finished</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.map((run) => (
                <Table.Tr key={run.run_id} data-run-status={run.run_status}>
                  <Table.Td>{period(run)}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLORS[run.run_status]} variant="light" radius="sm">
                      {run.run_status}
                    </Badge>
                    {run.attempts > 1 && (
                      <Text span size="xs" c="dimmed" ml={6}>
                        {run.attempts} attempts
                      </Text>
                    )}
                    {run.last_error && (
                      <Text size="xs" c={run.run_status === 'failed' ? 'red.8' : 'dimmed'} lineClamp={2}>
                        {run.last_error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right" className="sb-tabular">
                    {run.summary ? (
                      <>
                        {formatCount(run.summary.calls)}
                        <Text size="xs" c="dimmed">
                          {change(run.summary)}
                        </Text>
                      </>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td ta="right" className="sb-tabular">
                    {run.summary ? `${Math.round(run.summary.answered_rate * 100)}%` : '—'}
                  </Table.Td>
                  <Table.Td>{formatDateTime(run.run_finished, timeZone)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

export function SchedulesPage() {
  const { groupId, group, me, timeZone } = useCurrentGroup();
  const search = useSearch({ from: '/app/reports/scheduled' });
  const navigate = useNavigate({ from: '/reports/scheduled' });
  const schedules = useQuery(schedulesQuery(groupId));
  const reports = useQuery(savedReportsQuery(groupId));
  const [editing, setEditing] = useState<{ schedule?: Schedule | undefined } | null>(null);
  const zones = useMemo(() => zoneOptions(timeZone), [timeZone]);
  const reportName = (id: number) =>
    reports.data?.find((report) => report.report_id === id)?.report_name ?? `Report ${id}`;
  const visible = schedules.data ?? [];
  const selected = visible.find((s) => s.schedule_id === search.schedule) ?? visible[0];
  const noReports = reports.data?.length === 0;

  return (
    <Stack gap="md" maw={1600} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            Reports
          </Title>
          <Text c="dimmed" size="sm">
            Saved reports e-mailed from {group?.group_name} every day, week or month
          </Text>
        </div>
        <WriteGuard canEdit={me.can_edit}>
          {(blocked) => (
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={blocked || noReports ? undefined : () => setEditing({})}
              {...(blocked || noReports ? BLOCKED_PROPS : {})}
            >
              Schedule a report
            </Button>
          )}
        </WriteGuard>
      </Group>

      <ReportsNav active="scheduled" groupId={groupId} />

      {(schedules.isError || reports.isError) && (
        <Alert color="red" icon={<IconAlertTriangle />} title="The schedules could not be loaded">
          {(schedules.error ?? reports.error)?.message}
        </Alert>
      )}
      {schedules.isPending && <Skeleton h={200} radius="md" />}
      {schedules.data?.length === 0 && (
        <Alert variant="light" icon={<IconInfoCircle />} title="No scheduled reports yet">
          {noReports ? (
            <>
              Save a report first:{' '}
              <Link to="/reports" search={{ group: groupId }}>
                make one on the Report tab
              </Link>{' '}
              and press Save report. Then schedule it here to e-mail your clients every Monday.
            </>
          ) : (
            'Schedule a saved report to e-mail it every day, week or month, at a time in the recipients’ zone, with a PDF, spreadsheet or CSV attached.'
          )}
        </Alert>
      )}

      {selected && (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <Card p={0}>
              <Table.ScrollContainer
                minWidth={520}
                scrollAreaProps={{
                  viewportProps: { tabIndex: 0, role: 'region', 'aria-label': 'Scheduled reports' },
                }}
              >
                <Table highlightOnHover verticalSpacing="sm" data-testid="schedule-list">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Report</Table.Th>
                      <Table.Th>When</Table.Th>
                      <Table.Th>Recipients</Table.Th>
                      <Table.Th />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {visible.map((schedule) => (
                      <Table.Tr
                        key={schedule.schedule_id}
                        data-schedule-id={schedule.schedule_id}
                        bg={schedule.schedule_id === selected.schedule_id ? 'switchboard.0' : undefined}
                      >
                        <Table.Td>
                          <UnstyledButton
                            onClick={() =>
                              navigate({ search: { group: groupId, schedule: schedule.schedule_id } })
                            }
                            aria-pressed={schedule.schedule_id === selected.schedule_id}
                          >
                            <Text size="sm" fw={600}>
                              {reportName(schedule.report_id)}
                            </Text>
                            <Group gap={4} mt={2}>
                              <Badge
                                color={schedule.schedule_status === 'active' ? 'teal' : 'gray'}
                                variant="light"
                                radius="sm"
                                size="sm"
                              >
                                {schedule.schedule_status}
                              </Badge>
                              {schedule.formats.map((format) => (
                                <Badge key={format} variant="outline" color="gray" radius="sm" size="sm">
                                  {format}
                                </Badge>
                              ))}
                            </Group>
                          </UnstyledButton>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {FREQUENCY_LABELS[schedule.frequency]} · {cadence(schedule)}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {schedule.timezone.replace(/_/g, ' ')}
                            {schedule.next_send_at &&
                              ` · next ${formatDateTime(schedule.next_send_at, schedule.timezone)}`}
                          </Text>
                        </Table.Td>
                        <Table.Td style={{ maxWidth: 220 }}>
                          <Text size="sm" truncate="end" title={schedule.recipients.join(', ')}>
                            {schedule.recipients.join(', ')}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">
                          <WriteGuard canEdit={me.can_edit}>
                            {(blocked) => (
                              <Button
                                size="xs"
                                variant="subtle"
                                leftSection={<IconPencil size={14} aria-hidden />}
                                aria-label={`Edit the schedule of ${reportName(schedule.report_id)}`}
                                onClick={blocked ? undefined : () => setEditing({ schedule })}
                                {...(blocked ? BLOCKED_PROPS : {})}
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
              </Table.ScrollContainer>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <RunHistory key={selected.schedule_id} schedule={selected} timeZone={timeZone} />
          </Grid.Col>
        </Grid>
      )}

      {editing && reports.data && (
        <ScheduleForm
          schedule={editing.schedule}
          reports={reports.data}
          zones={zones}
          defaultZone={timeZone}
          onClose={() => setEditing(null)}
        />
      )}
    </Stack>
  );
}

import {
  Alert,
  Button,
  Card,
  Code,
  Group,
  Pagination,
  Select,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconInfoCircle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { defaultRange } from '../../components/DateRangeControl';
import { formatCount, formatKeyPath, formatPhone, zoneLabel } from '../../lib/format';
import { useCurrentGroup } from '../groups/queries';
import { indicatorsQuery } from '../people/queries';
import { ActiveFilters, CallFiltersBar, type FilterChip } from './CallFiltersBar';
import { CallCards, CallTable } from './CallTable';
import { ColumnChooser } from './ColumnChooser';
import { CALL_COLUMNS, DEFAULT_COLUMNS } from './columns';
import { dispositionLabel } from './Disposition';
import { ExportButton } from './ExportButton';
import { callFlowsQuery, campaignsQuery } from './options';
import { callPageQuery, summaryQuery } from './queries';
import type { CallFilters, CallSearch } from './search';
import { OUTCOMES, toV2Filter } from './search';

const PAGE_SIZES = ['50', '100', '250', '500'];

/** The groups of `groupId`'s subtree, from the scope list (parents come before children). */
function subtreeOf(
  groupId: number,
  groups: { group_id: number; group_parent_id: number | null }[],
): Set<number> {
  const ids = new Set([groupId]);
  for (const group of groups)
    if (group.group_parent_id !== null && ids.has(group.group_parent_id)) ids.add(group.group_id);
  return ids;
}

export function CallLogPage() {
  const { groupId, group, groups, timeZone } = useCurrentGroup();
  const search = useSearch({ from: '/app/calls' });
  const navigate = useNavigate({ from: '/calls' });
  const isPhone = useMediaQuery('(max-width: 48em)');
  const [pageSize, setPageSize] = useState(100);
  const campaigns = useQuery(campaignsQuery);
  const flows = useQuery(callFlowsQuery);

  const fallback = defaultRange(timeZone);
  const range = { from: search.from ?? fallback.from, to: search.to ?? fallback.to };
  const { page = 0, cols, ...rest } = search;
  const filters: CallFilters = { ...rest, ...range };
  const indicators = useQuery({ ...indicatorsQuery, enabled: filters.indicator !== undefined });
  const visible = cols
    ? cols.split(',').filter((id) => CALL_COLUMNS.some((c) => c.id === id))
    : DEFAULT_COLUMNS;
  const scope = { groupId, filter: toV2Filter(filters), timeZone };
  const calls = useQuery(callPageQuery(scope, page, pageSize));
  const summary = useQuery(summaryQuery(scope));
  const total = summary.data?.calls;
  const groupIds = useMemo(() => subtreeOf(groupId, groups), [groupId, groups]);

  const update = (next: Partial<CallSearch>) =>
    navigate({
      search: (previous) => ({
        ...previous,
        ...next,
        group: groupId,
        page: 'page' in next ? next.page : undefined,
      }),
    });

  const chips: FilterChip[] = [];
  const campaignName = (id: number) =>
    campaigns.data?.find((c) => c.campaign_id === id)?.campaign_name ?? `#${id}`;
  const flowName = (id: number) => flows.data?.find((f) => f.call_flow_id === id)?.call_flow_name ?? `#${id}`;
  const indicatorName = (id: number) =>
    (Array.isArray(indicators.data) ? indicators.data : []).find((i) => i.indicator_id === id)
      ?.indicator_name ?? `Indicator #${id}`;
  if (filters.caller) chips.push({ key: 'caller', label: `Caller ${formatPhone(filters.caller)}` });
  if (filters.outcome)
    chips.push({
      key: 'outcome',
      label: OUTCOMES.find((o) => o.value === filters.outcome)?.label ?? filters.outcome,
    });
  if (filters.disposition)
    chips.push({ key: 'disposition', label: `Disposition: ${dispositionLabel(filters.disposition)}` });
  if (filters.campaign !== undefined)
    chips.push({ key: 'campaign', label: `Campaign: ${campaignName(filters.campaign)}` });
  if (filters.channel !== undefined) chips.push({ key: 'channel', label: `Channel #${filters.channel}` });
  if (filters.flow !== undefined) chips.push({ key: 'flow', label: `Call flow: ${flowName(filters.flow)}` });
  if (filters.number) chips.push({ key: 'number', label: `Number ${formatPhone(filters.number)}` });
  if (filters.minDuration !== undefined)
    chips.push({ key: 'minDuration', label: `${filters.minDuration} s or longer` });
  if (filters.maxDuration !== undefined)
    chips.push({ key: 'maxDuration', label: `${filters.maxDuration} s or shorter` });
  if (filters.tag) chips.push({ key: 'tag', label: `Tag: ${filters.tag}` });
  if (filters.repeat)
    chips.push({
      key: 'repeat',
      label: filters.repeat === 'first' ? 'First-time callers' : 'Repeat callers',
    });
  if (filters.source) chips.push({ key: 'source', label: `UTM source: ${filters.source}` });
  if (filters.landing) chips.push({ key: 'landing', label: `Landing page: ${filters.landing}` });
  if (filters.referrer) chips.push({ key: 'referrer', label: `Referrer: ${filters.referrer}` });
  if (filters.keys) chips.push({ key: 'keys', label: `Pressed ${formatKeyPath(filters.keys)}` });
  if (filters.indicator !== undefined)
    chips.push({ key: 'indicator', label: `${indicatorName(filters.indicator)}: scored 50 or more` });

  const pages = total === undefined ? undefined : Math.max(1, Math.ceil(total / pageSize));
  const first = page * pageSize + 1;
  const shown = calls.data?.length ?? 0;

  return (
    <Stack gap="md" maw={1600} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <div>
          <Title order={1} size="h2">
            Calls
          </Title>
          <Text c="dimmed" size="sm" data-testid="call-count" aria-live="polite">
            {total === undefined
              ? 'Counting calls…'
              : total === 0
                ? 'No calls'
                : `${formatCount(first)}–${formatCount(first + shown - 1)} of ${formatCount(total)} calls`}
            {' · '}
            {group?.group_name} and below · times in {zoneLabel(timeZone)}
          </Text>
        </div>
        <Group gap="xs">
          <ColumnChooser
            visible={visible}
            onChange={(columns) => update({ cols: columns.join(','), page })}
          />
          <ExportButton scope={scope} fileName={`calls-${range.from}-to-${range.to}.csv`} />
        </Group>
      </Group>

      <CallFiltersBar
        filters={filters}
        range={range}
        timeZone={timeZone}
        groupIds={groupIds}
        onChange={(next) => update(next)}
      />
      <ActiveFilters
        chips={chips}
        onRemove={(key) => update({ [key]: undefined })}
        onClear={() => navigate({ search: { group: groupId, from: search.from, to: search.to, cols } })}
      />

      {calls.isError ? (
        <Alert color="red" title="The calls could not be loaded" role="alert">
          {calls.error.message}
        </Alert>
      ) : calls.isPending ? (
        <Card p="md">
          <Stack gap="xs">
            {['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((key) => (
              <Skeleton key={key} h={36} />
            ))}
          </Stack>
        </Card>
      ) : calls.data.length === 0 ? (
        chips.length > 0 ? (
          <Alert
            variant="light"
            icon={<IconInfoCircle />}
            title="No calls match these filters"
            data-testid="no-calls"
          >
            <Text size="sm" mb="sm">
              Try a longer date range or remove a filter.
            </Text>
            <Button
              size="xs"
              variant="light"
              onClick={() => navigate({ search: { group: groupId, from: search.from, to: search.to } })}
            >
              Clear filters
            </Button>
          </Alert>
        ) : (
          <Alert
            variant="light"
            icon={<IconInfoCircle />}
            title="No calls yet in this range"
            data-testid="no-calls"
          >
            <Text size="sm">
              Point a tracking number at <Code>{window.location.origin}/telephony/twilio/voice</Code> in your
              carrier&apos;s console, or try a call without a carrier:{' '}
              <Code>npm run switchboard -- call --to &lt;tracking number&gt;</Code>.
            </Text>
          </Alert>
        )
      ) : (
        <Card p={0} style={{ overflow: 'hidden' }}>
          {isPhone ? (
            <CallCards calls={calls.data} timeZone={timeZone} groupId={groupId} />
          ) : (
            <CallTable
              calls={calls.data}
              visible={visible}
              timeZone={timeZone}
              groupId={groupId}
              firstRowIndex={page * pageSize}
            />
          )}
        </Card>
      )}

      {shown > 0 && (
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              Rows per page
            </Text>
            <Select
              aria-label="Rows per page"
              data={PAGE_SIZES}
              value={String(pageSize)}
              onChange={(value) => {
                setPageSize(Number(value ?? 100));
                update({});
              }}
              w={90}
              allowDeselect={false}
            />
          </Group>
          <Pagination
            total={pages ?? page + (shown === pageSize ? 2 : 1)}
            value={page + 1}
            onChange={(next) => update({ page: next - 1 })}
            siblings={1}
            boundaries={1}
            getControlProps={(control) => ({ 'aria-label': `${control} page` })}
            getItemProps={(item) => ({ 'aria-label': `Page ${item}` })}
          />
        </Group>
      )}
    </Stack>
  );
}

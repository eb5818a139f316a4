import { Card, Progress, Table, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { BreakdownDimension, BreakdownRow } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { formatCount, formatKeyPath, formatPercent, formatPhone } from '../../lib/format';
import { breakdownQuery, type CallScope } from '../calls/queries';
import type { CallFilters } from '../calls/search';

export interface DimensionView {
  by: BreakdownDimension;
  label: string;
  /** what a row without a value (no campaign, no website visit ...) is called */
  none: string;
}

/** The call-log filter a breakdown row drills down to; none for a row without a value. */
function drillDown(by: BreakdownDimension, key: string): Partial<CallFilters> | undefined {
  switch (by) {
    case 'campaign':
      return { campaign: Number(key) };
    case 'channel':
      return { channel: Number(key) };
    case 'call_flow':
      return { flow: Number(key) };
    case 'tracking_number':
      return { number: key };
    case 'landing_page':
      return { landing: key };
    case 'referrer':
      return { referrer: key };
    case 'utm_source':
      return { source: key };
    case 'key_path':
      return key === '' ? undefined : { keys: key };
    case 'disposition':
      return { disposition: key };
    case 'group':
      return undefined;
  }
}

function rowLabel(view: DimensionView, row: BreakdownRow): string {
  if (row.key === null || row.key === '') return view.none;
  if (view.by === 'tracking_number')
    return row.label ? `${row.label} · ${formatPhone(row.key)}` : formatPhone(row.key);
  if (view.by === 'key_path') return `Pressed ${formatKeyPath(row.key)}`;
  return row.label ?? row.key;
}

function BreakdownTable({
  view,
  scope,
  range,
}: {
  view: DimensionView;
  scope: CallScope;
  range: { from: string; to: string };
}) {
  const { data, isPending, isError } = useQuery(breakdownQuery(scope, view.by));
  if (isPending)
    return (
      <Text c="dimmed" size="sm" p="sm">
        Loading…
      </Text>
    );
  if (isError)
    return (
      <Text c="red" size="sm" p="sm">
        This breakdown could not be loaded.
      </Text>
    );
  if (data.length === 0)
    return (
      <Text c="dimmed" size="sm" p="sm">
        No calls in this range.
      </Text>
    );
  const top = Math.max(...data.map((row) => row.calls));
  return (
    <Table verticalSpacing={6} highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{view.label}</Table.Th>
          <Table.Th ta="right">Calls</Table.Th>
          <Table.Th ta="right" visibleFrom="xs">
            Answered
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {data.map((row) => {
          const filter = row.key === null ? undefined : drillDown(view.by, row.key);
          const label = rowLabel(view, row);
          return (
            <Table.Tr key={row.key ?? 'none'}>
              <Table.Td style={{ maxWidth: 0, width: '70%' }}>
                {filter ? (
                  <AnchorLink
                    to="/calls"
                    search={{ group: scope.groupId, from: range.from, to: range.to, ...filter }}
                    size="sm"
                    truncate="end"
                    display="block"
                    title={label}
                  >
                    {label}
                  </AnchorLink>
                ) : (
                  <Text size="sm" c="dimmed" truncate="end">
                    {label}
                  </Text>
                )}
                <Progress value={(row.calls / top) * 100} size={4} mt={4} aria-hidden />
              </Table.Td>
              <Table.Td ta="right" className="sb-tabular">
                {formatCount(row.calls)}
              </Table.Td>
              <Table.Td ta="right" className="sb-tabular" visibleFrom="xs">
                {formatPercent(row.answered, row.calls)}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

/** A card of top values by one or more dimensions (tabs), each row a link into the call log. */
export function Breakdown({
  title,
  views,
  scope,
  range,
}: {
  title: string;
  views: DimensionView[];
  scope: CallScope;
  range: { from: string; to: string };
}) {
  const first = views[0] as DimensionView;
  return (
    <Card p="md" h="100%">
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      {views.length === 1 ? (
        <BreakdownTable view={first} scope={scope} range={range} />
      ) : (
        <Tabs defaultValue={first.by} keepMounted={false}>
          <Tabs.List mb="xs">
            {views.map((view) => (
              <Tabs.Tab key={view.by} value={view.by}>
                {view.label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {views.map((view) => (
            <Tabs.Panel key={view.by} value={view.by}>
              <BreakdownTable view={view} scope={scope} range={range} />
            </Tabs.Panel>
          ))}
        </Tabs>
      )}
    </Card>
  );
}

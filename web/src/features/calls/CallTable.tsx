import { Box, Group, Stack, Table, Text } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { flexRender, getCoreRowModel, useReactTable, type VisibilityState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import type { CallRecord } from '../../api/types';
import { AnchorLink, CardLink } from '../../components/links';
import { formatDateTime, formatDuration, formatPhone } from '../../lib/format';
import { CALL_COLUMNS, columnDefs } from './columns';
import { DispositionBadge } from './Disposition';

const ROW_HEIGHT = 52;

/**
 * One page of calls as a table whose rows are virtualised (only the rows in view are in the
 * DOM, so a page of 500 scrolls as smoothly as one of 50). Each row opens the call.
 */
export function CallTable({
  calls,
  visible,
  timeZone,
  groupId,
  firstRowIndex,
}: {
  calls: CallRecord[];
  visible: string[];
  timeZone: string;
  groupId: number;
  firstRowIndex: number;
}) {
  const navigate = useNavigate();
  const columns = useMemo(() => columnDefs(timeZone), [timeZone]);
  const columnVisibility = useMemo<VisibilityState>(
    () => Object.fromEntries(CALL_COLUMNS.map((column) => [column.id, visible.includes(column.id)])),
    [visible],
  );
  const table = useReactTable({
    data: calls,
    columns,
    state: { columnVisibility },
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => String(row.call_id),
  });
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const width = table.getVisibleLeafColumns().reduce((sum, column) => sum + column.getSize(), 0);
  const open = (callId: number) =>
    navigate({ to: '/calls/$callId', params: { callId: String(callId) }, search: { group: groupId } });

  return (
    <Box
      ref={scrollRef}
      style={{ overflow: 'auto', maxHeight: 'calc(100vh - 260px)', minHeight: 320 }}
      data-testid="call-table"
      tabIndex={-1}
    >
      <Table
        stickyHeader
        highlightOnHover
        verticalSpacing={6}
        style={{ minWidth: width, tableLayout: 'fixed' }}
        aria-rowcount={calls.length + 1}
      >
        <Table.Thead>
          {table.getHeaderGroups().map((headerGroup) => (
            <Table.Tr key={headerGroup.id}>
              {headerGroup.headers.map((header) => (
                <Table.Th key={header.id} style={{ width: header.getSize() }}>
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </Table.Th>
              ))}
            </Table.Tr>
          ))}
        </Table.Thead>
        <Table.Tbody>
          {paddingTop > 0 && (
            <tr aria-hidden>
              <td style={{ height: paddingTop, padding: 0, border: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <Table.Tr
                key={row.id}
                aria-rowindex={firstRowIndex + item.index + 2}
                data-call-id={row.original.call_id}
                onClick={(event) => {
                  if (!(event.target as HTMLElement).closest('a')) void open(row.original.call_id);
                }}
                style={{ cursor: 'pointer', height: ROW_HEIGHT }}
              >
                {row.getVisibleCells().map((cell, index) => (
                  <Table.Td key={cell.id} style={{ overflow: 'hidden' }}>
                    {index === 0 ? (
                      <AnchorLink
                        to="/calls/$callId"
                        params={{ callId: String(row.original.call_id) }}
                        search={{ group: groupId }}
                        underline="never"
                        c="inherit"
                        aria-label={`Call from ${formatPhone(row.original.caller_id)} at ${formatDateTime(row.original.call_started, timeZone)}`}
                      >
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </AnchorLink>
                    ) : (
                      flexRender(cell.column.columnDef.cell, cell.getContext())
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
            );
          })}
          {paddingBottom > 0 && (
            <tr aria-hidden>
              <td style={{ height: paddingBottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
    </Box>
  );
}

/** The same page as cards, for a phone's width. */
export function CallCards({
  calls,
  timeZone,
  groupId,
}: {
  calls: CallRecord[];
  timeZone: string;
  groupId: number;
}) {
  return (
    <Stack gap="xs" data-testid="call-cards">
      {calls.map((call) => (
        <CardLink
          key={call.call_id}
          p="sm"
          to="/calls/$callId"
          params={{ callId: String(call.call_id) }}
          search={{ group: groupId }}
          data-call-id={call.call_id}
        >
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <div style={{ minWidth: 0 }}>
              <Text fw={600} size="sm" className="sb-tabular">
                {formatPhone(call.caller_id)}
              </Text>
              <Text size="xs" c="dimmed" truncate>
                {call.tracking_number_name ?? formatPhone(call.tracking_number)}
                {call.campaign_name ? ` · ${call.campaign_name}` : ''}
              </Text>
              <Text size="xs" c="dimmed">
                {formatDateTime(call.call_started, timeZone)}
              </Text>
            </div>
            <Stack gap={4} align="flex-end">
              <DispositionBadge disposition={call.disposition} />
              <Text size="xs" className="sb-tabular">
                {formatDuration(call.duration)}
              </Text>
            </Stack>
          </Group>
        </CardLink>
      ))}
    </Stack>
  );
}

import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { IconMailbox, IconMicrophone } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import type { CallRecord } from '../../api/types';
import { formatDateTime, formatDuration, formatKeyPath, formatMoney, formatPhone } from '../../lib/format';
import { DispositionBadge } from './Disposition';

/** The call log's columns; `defaultVisible` ones show until the user chooses others. */
export interface CallColumn {
  id: string;
  label: string;
  defaultVisible: boolean;
  size: number;
}

export const CALL_COLUMNS: CallColumn[] = [
  { id: 'started', label: 'Date & time', defaultVisible: true, size: 180 },
  { id: 'caller', label: 'Caller', defaultVisible: true, size: 190 },
  { id: 'tracking', label: 'Tracking number', defaultVisible: true, size: 210 },
  { id: 'campaign', label: 'Campaign', defaultVisible: true, size: 170 },
  { id: 'source', label: 'Source', defaultVisible: true, size: 150 },
  { id: 'disposition', label: 'Outcome', defaultVisible: true, size: 130 },
  { id: 'duration', label: 'Duration', defaultVisible: true, size: 100 },
  { id: 'repeat', label: 'First / repeat', defaultVisible: true, size: 120 },
  { id: 'tags', label: 'Tags', defaultVisible: true, size: 180 },
  { id: 'recording', label: 'Audio', defaultVisible: true, size: 70 },
  { id: 'group', label: 'Group', defaultVisible: false, size: 160 },
  { id: 'channel', label: 'Channel', defaultVisible: false, size: 170 },
  { id: 'keys', label: 'Keys pressed', defaultVisible: false, size: 120 },
  { id: 'ring_to', label: 'Answered by', defaultVisible: false, size: 150 },
  { id: 'landing', label: 'Landing page', defaultVisible: false, size: 220 },
  { id: 'value', label: 'Value', defaultVisible: false, size: 100 },
  { id: 'call_id', label: 'Call ID', defaultVisible: false, size: 90 },
];

export const DEFAULT_COLUMNS = CALL_COLUMNS.filter((c) => c.defaultVisible).map((c) => c.id);

function cellFor(id: string, timeZone: string): ColumnDef<CallRecord>['cell'] {
  switch (id) {
    case 'started':
      return ({ row }) => (
        <Text size="sm" className="sb-tabular">
          {formatDateTime(row.original.call_started, timeZone)}
        </Text>
      );
    case 'caller':
      return ({ row }) => (
        <div>
          <Text size="sm" fw={600} className="sb-tabular">
            {formatPhone(row.original.caller_id)}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {[
              row.original.caller_name,
              [row.original.caller_city, row.original.caller_state].filter(Boolean).join(', '),
            ]
              .filter(Boolean)
              .join(' · ') || '\u00a0'}
          </Text>
        </div>
      );
    case 'tracking':
      return ({ row }) => (
        <div>
          <Text size="sm" truncate>
            {row.original.tracking_number_name ?? '—'}
          </Text>
          <Text size="xs" c="dimmed" className="sb-tabular">
            {formatPhone(row.original.tracking_number)}
          </Text>
        </div>
      );
    case 'campaign':
      return ({ row }) => (
        <Text size="sm" truncate>
          {row.original.campaign_name ?? '—'}
        </Text>
      );
    case 'source':
      return ({ row }) => (
        <Text size="sm" truncate>
          {row.original.attribution?.utm_source ?? row.original.channel?.split(': ')[1] ?? '—'}
        </Text>
      );
    case 'disposition':
      return ({ row }) => <DispositionBadge disposition={row.original.disposition} />;
    case 'duration':
      return ({ row }) => (
        <Text size="sm" className="sb-tabular">
          {formatDuration(row.original.duration)}
        </Text>
      );
    case 'repeat':
      return ({ row }) =>
        row.original.repeat_call ? (
          <Badge variant="outline" color="gray" radius="sm" style={{ textTransform: 'none' }}>
            Repeat
          </Badge>
        ) : (
          <Badge variant="light" color="switchboard" radius="sm" style={{ textTransform: 'none' }}>
            First-time
          </Badge>
        );
    case 'tags':
      return ({ row }) => (
        <Group gap={4} wrap="nowrap" style={{ overflow: 'hidden' }}>
          {row.original.tags.length === 0 ? (
            <Text size="sm" c="dimmed">
              —
            </Text>
          ) : (
            row.original.tags.map((tag) => (
              <Badge
                key={tag.tag_id}
                variant="default"
                radius="sm"
                style={{ textTransform: 'none', flexShrink: 0 }}
              >
                {tag.tag_name}
              </Badge>
            ))
          )}
        </Group>
      );
    case 'recording':
      return ({ row }) =>
        row.original.recording_url ? (
          <Tooltip label="Recorded">
            <IconMicrophone size={18} aria-label="Recorded" color="var(--mantine-color-switchboard-7)" />
          </Tooltip>
        ) : row.original.voicemail_url ? (
          <Tooltip label="Voicemail">
            <IconMailbox size={18} aria-label="Voicemail" color="var(--mantine-color-blue-7)" />
          </Tooltip>
        ) : null;
    case 'group':
      return ({ row }) => (
        <Text size="sm" truncate>
          {row.original.group_name ?? '—'}
        </Text>
      );
    case 'channel':
      return ({ row }) => (
        <Text size="sm" truncate>
          {row.original.channel ?? '—'}
        </Text>
      );
    case 'keys':
      return ({ row }) => <Text size="sm">{formatKeyPath(row.original.key_path) || '—'}</Text>;
    case 'ring_to':
      return ({ row }) => (
        <Text size="sm" className="sb-tabular">
          {formatPhone(row.original.ring_to) || '—'}
        </Text>
      );
    case 'landing':
      return ({ row }) => (
        <Text size="sm" truncate>
          {row.original.attribution?.landing_page ?? '—'}
        </Text>
      );
    case 'value':
      return ({ row }) => (
        <Text size="sm" className="sb-tabular">
          {formatMoney(row.original.call_value)}
        </Text>
      );
    default:
      return ({ row }) => (
        <Text size="sm" className="sb-tabular">
          {row.original.call_id}
        </Text>
      );
  }
}

export function columnDefs(timeZone: string): ColumnDef<CallRecord>[] {
  return CALL_COLUMNS.map((column) => ({
    id: column.id,
    header: column.label,
    size: column.size,
    cell: cellFor(column.id, timeZone),
  }));
}

import { stringify } from 'csv-stringify/sync';
import { LIMITED_METERS, type LimitedMeter, type Limits } from './subscriptions.repo.js';

/**
 * The usage of an agency's clients in a month as a file to invoice from: CSV or XLSX, one row per
 * client group (its subtree counted), its usage then its plan's limits. Both read the same rows
 * Get Client Usage answers, so the files and the JSON agree by construction.
 */

export interface ClientUsageRow {
  group_id: number;
  group_name: string;
  plan_name: string | null;
  period: string;
  usage: Record<LimitedMeter | 'inbound_calls' | 'outbound_calls' | 'segments', number>;
  limits: Limits;
}

export const USAGE_FORMATS = ['csv', 'xlsx'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];

export const USAGE_MEDIA_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

const USAGE_COLUMNS = [
  { key: 'numbers', header: 'Numbers' },
  { key: 'inbound_minutes', header: 'Inbound minutes' },
  { key: 'outbound_minutes', header: 'Outbound minutes' },
  { key: 'inbound_calls', header: 'Inbound calls' },
  { key: 'outbound_calls', header: 'Outbound calls' },
  { key: 'texts', header: 'Texts' },
  { key: 'segments', header: 'Segments' },
  { key: 'transcription_minutes', header: 'Transcription minutes' },
  { key: 'users', header: 'Users' },
] as const;

const LIMIT_HEADERS: Record<LimitedMeter, string> = {
  numbers: 'Numbers limit',
  inbound_minutes: 'Inbound minutes limit',
  outbound_minutes: 'Outbound minutes limit',
  texts: 'Texts limit',
  transcription_minutes: 'Transcription minutes limit',
  users: 'Users limit',
};

const HEADERS = [
  'Group ID',
  'Group',
  'Plan',
  'Period',
  ...USAGE_COLUMNS.map((column) => column.header),
  ...LIMITED_METERS.map((meter) => LIMIT_HEADERS[meter]),
];

const cells = (row: ClientUsageRow) => [
  row.group_id,
  row.group_name,
  row.plan_name ?? '',
  row.period,
  ...USAGE_COLUMNS.map(({ key }) => row.usage[key]),
  ...LIMITED_METERS.map((meter) => row.limits[meter]),
];

/** The file name: the agency's group and the month, in safe characters. */
export function usageFileName(groupName: string, period: string, format: UsageFormat) {
  const group = groupName.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'group';
  return `usage-${group}-${period}.${format}`;
}

export async function renderUsage(rows: ClientUsageRow[], format: UsageFormat): Promise<Buffer> {
  if (format === 'csv')
    return Buffer.from(stringify([HEADERS, ...rows.map((row) => cells(row).map((c) => c ?? ''))]));
  const { default: Excel } = await import('exceljs');
  const book = new Excel.Workbook();
  book.creator = 'Switchboard';
  const sheet = book.addWorksheet('Usage');
  sheet.columns = HEADERS.map((header, index) => ({
    header,
    key: `c${index}`,
    width: Math.max(10, header.length + 2),
    ...(index >= 4 || index === 0 ? { style: { numFmt: '#,##0' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  // a limit left out is an empty cell, not 0 (no limit)
  for (const row of rows) sheet.addRow(cells(row).map((value) => value ?? undefined));
  return Buffer.from(await book.xlsx.writeBuffer());
}

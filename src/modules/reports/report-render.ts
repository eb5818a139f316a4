import { stringify } from 'csv-stringify/sync';
import type ExcelJS from 'exceljs';
import type { BreakdownDimension, ReportFigures } from '../calls/call-reports.repo.js';
import type { ReportDocument } from './report.service.js';
import type { ScoreBreakdown, ScoreRow, TextFigures } from './report-sections.repo.js';

/**
 * A report document as a file: CSV (one table of every section), XLSX (a sheet per section, cells
 * typed) and PDF (figures, a chart of the series, tables and the heatmap, drawn as vectors). All
 * three read the same document, so their numbers agree with the JSON by construction; the tests
 * read each file back to prove it. ExcelJS and PDFKit are loaded when a file is first made: they
 * are half a second of every process start otherwise.
 */

/** The figures of every row, in column order. */
export const FIGURE_COLUMNS: readonly { key: keyof ReportFigures; header: string }[] = [
  { key: 'calls', header: 'Calls' },
  { key: 'answered', header: 'Answered' },
  { key: 'missed', header: 'Missed' },
  { key: 'voicemails', header: 'Voicemails' },
  { key: 'blocked', header: 'Blocked' },
  { key: 'first_time', header: 'First-time' },
  { key: 'repeat_calls', header: 'Repeat' },
  { key: 'talk_seconds', header: 'Talk (s)' },
  { key: 'answer_seconds', header: 'Answer wait (s)' },
  { key: 'call_value', header: 'Value' },
];

/** Totals only: the CSV's last columns, empty on every other row. */
const TOTAL_COLUMNS = [
  { key: 'unique_callers', header: 'Unique callers' },
  { key: 'total_duration', header: 'Duration (s)' },
  { key: 'billable_minutes', header: 'Billable minutes' },
  { key: 'answered_rate', header: 'Answered rate' },
  { key: 'average_answer_seconds', header: 'Avg answer (s)' },
  { key: 'average_talk_seconds', header: 'Avg talk (s)' },
] as const;

const SCORE_COLUMN = { key: 'average_score', header: 'Average score' } as const;

export const DIMENSION_TITLES: Record<BreakdownDimension, string> = {
  campaign: 'Campaign',
  channel: 'Channel',
  tracking_number: 'Tracking number',
  call_flow: 'Call flow',
  group: 'Group',
  landing_page: 'Landing page',
  referrer: 'Referrer',
  utm_source: 'UTM source',
  utm_medium: 'UTM medium',
  utm_source_medium: 'UTM source / medium',
  key_path: 'Key path',
  ring_to: 'Ring-to number',
  disposition: 'Disposition',
};

/** `By campaign`, `By UTM source / medium`: lower case unless the title starts with an acronym. */
const byTitle = (dimension: BreakdownDimension) => {
  const title = DIMENSION_TITLES[dimension];
  return `By ${/^[A-Z]{2}/.test(title) ? title : title.toLowerCase()}`;
};

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export const REPORT_MEDIA_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

/** A file name for the report: its group, range and format, in safe characters. */
export function reportFileName(report: ReportDocument, format: keyof typeof REPORT_MEDIA_TYPES) {
  const group = report.group_name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'group';
  return `calls-${group}-${report.start_date}-to-${report.end_date}.${format}`;
}

const figures = (row: ReportFigures) => FIGURE_COLUMNS.map(({ key }) => row[key]);

/** The text figures, in column order (the CSV's last columns, the Texts sheet's). */
export const TEXT_COLUMNS: readonly { key: keyof TextFigures; header: string }[] = [
  { key: 'texts', header: 'Texts' },
  { key: 'inbound', header: 'Inbound texts' },
  { key: 'outbound', header: 'Outbound texts' },
  { key: 'delivered', header: 'Delivered texts' },
  { key: 'failed', header: 'Failed texts' },
  { key: 'conversations', header: 'Conversations' },
];

const SOURCE_TITLES = { indicator: 'Indicator', scorecard: 'Scorecard' } as const;
const BREAKDOWN_TITLES: Record<ScoreBreakdown, string> = {
  total: 'All calls',
  call_flow: 'Call flow',
  agent: 'Agent',
};

/** A score row's key in the CSV: `total`, `call_flow 12`, `agent 8015550100`. */
const scoreKey = (row: ScoreRow) =>
  row.breakdown === 'total' ? 'total' : `${row.breakdown} ${row.key ?? ''}`;

/**
 * CSV: `Section, Key, Label`, the figures, then the totals-only columns, the average score (score
 * rows) and the text figures (text rows).
 */
export function reportCsv(report: ReportDocument): string {
  const blankTotals = [...TOTAL_COLUMNS, SCORE_COLUMN, ...TEXT_COLUMNS].map(() => '');
  const blankFigures = FIGURE_COLUMNS.map(() => '');
  const blankAfterFigures = TOTAL_COLUMNS.map(() => '');
  const rows: unknown[][] = [
    [
      'Totals',
      `${report.start_date} to ${report.end_date}`,
      report.group_name,
      ...figures(report.totals),
      ...TOTAL_COLUMNS.map(({ key }) => report.totals[key]),
      '',
      ...TEXT_COLUMNS.map(() => ''),
    ],
  ];
  for (const bucket of report.series)
    rows.push([`Series (${report.interval})`, bucket.bucket, '', ...figures(bucket), ...blankTotals]);
  for (const { dimension, rows: breakdown } of report.breakdowns)
    for (const row of breakdown)
      rows.push([byTitle(dimension), row.key ?? '', row.label ?? '', ...figures(row), ...blankTotals]);
  for (const cell of report.heatmap) {
    const key = `${WEEKDAYS[cell.weekday - 1]} ${String(cell.hour).padStart(2, '0')}:00`;
    const values = FIGURE_COLUMNS.map(({ key: figure }) =>
      figure === 'calls' ? cell.calls : figure === 'answered' ? cell.answered : '',
    );
    rows.push(['Heatmap', key, '', ...values, ...blankTotals]);
  }
  for (const row of report.scores) {
    const values = FIGURE_COLUMNS.map(({ key }) => (key === 'calls' ? row.calls : ''));
    rows.push([
      `${SOURCE_TITLES[row.source]}: ${row.source_name}`,
      scoreKey(row),
      row.label ?? '',
      ...values,
      ...blankAfterFigures,
      row.average_score,
      ...TEXT_COLUMNS.map(() => ''),
    ]);
  }
  const textRow = (section: string, key: string, figures: TextFigures) => [
    section,
    key,
    '',
    ...blankFigures,
    ...blankAfterFigures,
    '',
    ...TEXT_COLUMNS.map(({ key: figure }) => figures[figure]),
  ];
  rows.push(textRow('Texts', `${report.start_date} to ${report.end_date}`, report.texts.totals));
  for (const bucket of report.texts.series)
    rows.push(textRow(`Texts (${report.interval})`, bucket.bucket, bucket));
  return stringify(rows, {
    header: true,
    columns: [
      'Section',
      'Key',
      'Label',
      ...FIGURE_COLUMNS.map((c) => c.header),
      ...TOTAL_COLUMNS.map((c) => c.header),
      SCORE_COLUMN.header,
      ...TEXT_COLUMNS.map((c) => c.header),
    ],
  });
}

/** A bucket's local wall time as an Excel date (Excel dates have no zone). */
const wallTime = (bucket: string) => {
  const [date = '', time = '00:00'] = bucket.split('T');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, hh ?? 0, mm ?? 0));
};

/** An Excel sheet name: at most 31 characters, none of []:*?/\ */
const sheetName = (name: string) => name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);

function figureColumns(sheet: ExcelJS.Worksheet, first: { header: string; key: string; width: number }[]) {
  sheet.columns = [
    ...first,
    ...FIGURE_COLUMNS.map(({ key, header }) => ({
      header,
      key,
      width: Math.max(10, header.length + 2),
      style: { numFmt: key === 'call_value' ? '#,##0.00' : '#,##0' },
    })),
  ];
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
}

/** XLSX: Summary, Series, a sheet per breakdown and the heatmap; numbers, dates and rates typed. */
export async function reportXlsx(report: ReportDocument): Promise<Buffer> {
  const { default: Excel } = await import('exceljs');
  const book = new Excel.Workbook();
  book.creator = 'Switchboard';
  book.title = `Call report: ${report.group_name}`;

  const summary = book.addWorksheet('Summary');
  summary.columns = [
    { header: 'Figure', key: 'name', width: 24 },
    { header: 'Value', key: 'value', width: 28 },
  ];
  summary.getRow(1).font = { bold: true };
  const totals = report.totals;
  const summaryRows: [string, string | number | Date, string?][] = [
    ['Group', report.group_name],
    ['From', wallTime(report.start_date), 'yyyy-mm-dd'],
    ['To', wallTime(report.end_date), 'yyyy-mm-dd'],
    ['Time zone', report.timezone],
    ...FIGURE_COLUMNS.map(({ key, header }): [string, number, string] => [
      header,
      totals[key],
      key === 'call_value' ? '#,##0.00' : '#,##0',
    ]),
    ['Unique callers', totals.unique_callers, '#,##0'],
    ['Duration (s)', totals.total_duration, '#,##0'],
    ['Billable minutes', totals.billable_minutes, '#,##0'],
    ['Answered rate', totals.answered_rate, '0.0%'],
    ['Avg answer (s)', totals.average_answer_seconds, '0.0'],
    ['Avg talk (s)', totals.average_talk_seconds, '0.0'],
  ];
  for (const [name, value, numFmt] of summaryRows) {
    const row = summary.addRow({ name, value });
    if (numFmt) row.getCell('value').numFmt = numFmt;
  }

  const series = book.addWorksheet('Series');
  figureColumns(series, [{ header: 'Bucket', key: 'bucket', width: 18 }]);
  series.getColumn('bucket').numFmt = report.interval === 'hour' ? 'yyyy-mm-dd hh:mm' : 'yyyy-mm-dd';
  for (const row of report.series) series.addRow({ ...row, bucket: wallTime(row.bucket) });

  for (const { dimension, rows } of report.breakdowns) {
    const sheet = book.addWorksheet(sheetName(byTitle(dimension)));
    figureColumns(sheet, [
      { header: 'Key', key: 'key', width: 18 },
      { header: 'Label', key: 'label', width: 32 },
    ]);
    for (const row of rows) sheet.addRow(row);
  }

  const scores = book.addWorksheet('Scores');
  scores.columns = [
    { header: 'Source', key: 'source', width: 12 },
    { header: 'Id', key: 'source_id', width: 8 },
    { header: 'Name', key: 'source_name', width: 28 },
    { header: 'By', key: 'breakdown', width: 12 },
    { header: 'Key', key: 'key', width: 18 },
    { header: 'Label', key: 'label', width: 28 },
    { header: 'Calls', key: 'calls', width: 10, style: { numFmt: '#,##0' } },
    { header: 'Average score', key: 'average_score', width: 14, style: { numFmt: '0.00' } },
  ];
  scores.getRow(1).font = { bold: true };
  scores.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of report.scores)
    scores.addRow({
      ...row,
      source: SOURCE_TITLES[row.source],
      breakdown: BREAKDOWN_TITLES[row.breakdown],
    });

  const texts = book.addWorksheet('Texts');
  texts.columns = [
    { header: 'Bucket', key: 'bucket', width: 18 },
    ...TEXT_COLUMNS.map(({ key, header }) => ({
      header,
      key,
      width: Math.max(10, header.length + 2),
      style: { numFmt: '#,##0' },
    })),
  ];
  texts.getRow(1).font = { bold: true };
  texts.views = [{ state: 'frozen', ySplit: 1 }];
  texts.getColumn('bucket').numFmt = report.interval === 'hour' ? 'yyyy-mm-dd hh:mm' : 'yyyy-mm-dd';
  // the first row holds the range's totals, its bucket a label; the buckets follow as dates
  texts.addRow({ ...report.texts.totals, bucket: 'Total' });
  for (const row of report.texts.series) texts.addRow({ ...row, bucket: wallTime(row.bucket) });

  const heatmap = book.addWorksheet('Heatmap');
  heatmap.columns = [
    { header: 'Day', key: 'day', width: 8 },
    ...Array.from({ length: 24 }, (_, hour) => ({ header: `${hour}:00`, key: `h${hour}`, width: 6 })),
  ];
  heatmap.getRow(1).font = { bold: true };
  WEEKDAYS.forEach((day, index) => {
    const values: Record<string, string | number> = { day };
    for (let hour = 0; hour < 24; hour++) values[`h${hour}`] = 0;
    for (const cell of report.heatmap) if (cell.weekday === index + 1) values[`h${cell.hour}`] = cell.calls;
    heatmap.addRow(values);
  });

  return Buffer.from(await book.xlsx.writeBuffer());
}

const PAGE_MARGIN = 48;
const INK = '#1f2933';
const MUTED = '#616e7c';
const ACCENT = '#2563eb';
const ACCENT_LIGHT = '#93b4f5';

const LOGO_WIDTH = 120;
const LOGO_HEIGHT = 40;

export interface RenderOptions {
  /** a PNG or JPEG drawn in the PDF's header beside the group's name */
  logo?: Buffer | undefined;
}

const formatNumber = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** PDF: branded with the group's name and logo (when set); the figures, a bar chart of the series, tables, the heatmap. */
export async function reportPdf(report: ReportDocument, { logo }: RenderOptions = {}): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: PAGE_MARGIN,
    info: { Title: `Call report: ${report.group_name}`, Author: 'Switchboard' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - PAGE_MARGIN * 2;
  const bottom = () => doc.page.height - PAGE_MARGIN;
  const ensureRoom = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };

  // the logo at the left of the header, fitted in a box as tall as two lines, the name beside it
  let nameX = PAGE_MARGIN;
  const headerTop = doc.y;
  if (logo) {
    try {
      doc.image(logo, PAGE_MARGIN, headerTop, { fit: [LOGO_WIDTH, LOGO_HEIGHT], valign: 'center' });
      nameX = PAGE_MARGIN + LOGO_WIDTH + 12;
    } catch {
      // an image pdfkit cannot read (checked at upload, so rare): the report goes out without it
    }
  }
  doc
    .fillColor(INK)
    .font('Helvetica-Bold')
    .fontSize(20)
    .text(report.group_name || 'Call report', nameX, headerTop, { width: width - (nameX - PAGE_MARGIN) });
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor(MUTED)
    .text(`Call report, ${report.start_date} to ${report.end_date} (${report.timezone})`, nameX);
  doc.x = PAGE_MARGIN;
  if (logo && nameX > PAGE_MARGIN) doc.y = Math.max(doc.y, headerTop + LOGO_HEIGHT);
  doc.moveDown();

  drawFigures(doc, report, width);
  doc.moveDown();
  drawSeriesChart(doc, report, width, ensureRoom);
  drawHeatmap(doc, report, width, ensureRoom);
  drawTexts(doc, report, width, ensureRoom);
  drawScores(doc, report, width, ensureRoom);

  for (const { dimension, rows } of report.breakdowns) {
    ensureRoom(60);
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(byTitle(dimension), PAGE_MARGIN);
    const columns = ['Calls', 'Answered', 'Missed', 'Voicemails', 'Talk (s)'];
    const labelWidth = width - columns.length * 62;
    const header = doc.y + 2;
    doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED);
    doc.text(DIMENSION_TITLES[dimension], PAGE_MARGIN, header, { width: labelWidth });
    for (const [i, name] of columns.entries())
      doc.text(name, PAGE_MARGIN + labelWidth + i * 62, header, { width: 58, align: 'right' });
    doc.font('Helvetica').fillColor(INK);
    if (rows.length === 0) doc.text('No calls', PAGE_MARGIN, doc.y + 2);
    for (const row of rows) {
      ensureRoom(14);
      const y = doc.y + 2;
      const label = row.label ?? row.key ?? '(none)';
      doc.text(label, PAGE_MARGIN, y, { width: labelWidth - 6, lineBreak: false, ellipsis: true });
      const values = [row.calls, row.answered, row.missed, row.voicemails, row.talk_seconds];
      for (const [i, value] of values.entries())
        doc.text(formatNumber(value), PAGE_MARGIN + labelWidth + i * 62, y, { width: 58, align: 'right' });
    }
  }

  doc.end();
  return done;
}

type Pdf = PDFKit.PDFDocument;

function drawFigures(doc: Pdf, report: ReportDocument, width: number) {
  const t = report.totals;
  const tiles: [string, string][] = [
    ['Calls', formatNumber(t.calls)],
    ['Answered', formatNumber(t.answered)],
    ['Answered rate', `${formatNumber(t.answered_rate * 100, 1)}%`],
    ['Missed', formatNumber(t.missed)],
    ['Voicemails', formatNumber(t.voicemails)],
    ['First-time', formatNumber(t.first_time)],
    ['Repeat', formatNumber(t.repeat_calls)],
    ['Avg answer (s)', formatNumber(t.average_answer_seconds, 1)],
    ['Avg talk (s)', formatNumber(t.average_talk_seconds, 1)],
    ['Billable minutes', formatNumber(t.billable_minutes)],
  ];
  const perRow = 5;
  const tileWidth = width / perRow;
  const top = doc.y;
  tiles.forEach(([name, value], i) => {
    const x = PAGE_MARGIN + (i % perRow) * tileWidth;
    const y = top + Math.floor(i / perRow) * 42;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(name, x, y, { width: tileWidth - 8 });
    doc
      .font('Helvetica-Bold')
      .fontSize(16)
      .fillColor(INK)
      .text(value, x, y + 11, { width: tileWidth - 8 });
  });
  doc.x = PAGE_MARGIN;
  doc.y = top + Math.ceil(tiles.length / perRow) * 42;
}

/** Calls per bucket as bars (answered in the darker part), drawn as vector rectangles. */
function drawSeriesChart(doc: Pdf, report: ReportDocument, width: number, ensureRoom: (h: number) => void) {
  const height = 150;
  ensureRoom(height + 40);
  doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(`Calls by ${report.interval}`, PAGE_MARGIN);
  const top = doc.y + 6;
  const max = Math.max(1, ...report.series.map((row) => row.calls));
  const slot = width / Math.max(1, report.series.length);
  const barWidth = Math.max(1, slot * 0.7);
  doc.save();
  doc.strokeColor(MUTED).lineWidth(0.5);
  doc
    .moveTo(PAGE_MARGIN, top + height)
    .lineTo(PAGE_MARGIN + width, top + height)
    .stroke();
  report.series.forEach((row, i) => {
    const x = PAGE_MARGIN + i * slot + (slot - barWidth) / 2;
    const total = (row.calls / max) * height;
    const answered = (row.answered / max) * height;
    doc.rect(x, top + height - total, barWidth, total).fill(ACCENT_LIGHT);
    doc.rect(x, top + height - answered, barWidth, answered).fill(ACCENT);
  });
  doc.restore();
  doc.font('Helvetica').fontSize(7).fillColor(MUTED);
  doc.text(String(max), PAGE_MARGIN - 30, top - 3, { width: 26, align: 'right' });
  const first = report.series[0];
  const last = report.series.at(-1);
  if (first) doc.text(first.bucket.replace('T00:00', ''), PAGE_MARGIN, top + height + 3);
  if (last && report.series.length > 1)
    doc.text(last.bucket.replace('T00:00', ''), PAGE_MARGIN, top + height + 3, { width, align: 'right' });
  doc.text('dark: answered; light: all calls', PAGE_MARGIN, top + height + 13, { width, align: 'center' });
  doc.x = PAGE_MARGIN;
  doc.y = top + height + 30;
}

/** Calls per hour and weekday as a shaded grid. */
function drawHeatmap(doc: Pdf, report: ReportDocument, width: number, ensureRoom: (h: number) => void) {
  const labelWidth = 30;
  const cell = (width - labelWidth) / 24;
  ensureRoom(cell * 7 + 40);
  doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text('Calls by hour and weekday', PAGE_MARGIN);
  const top = doc.y + 12;
  const max = Math.max(1, ...report.heatmap.map((c) => c.calls));
  const counts = new Map(report.heatmap.map((c) => [`${c.weekday}-${c.hour}`, c.calls]));
  doc.font('Helvetica').fontSize(6).fillColor(MUTED);
  for (let hour = 0; hour < 24; hour += 3)
    doc.text(String(hour), PAGE_MARGIN + labelWidth + hour * cell, top - 9, { width: cell, align: 'center' });
  WEEKDAYS.forEach((day, row) => {
    const y = top + row * cell;
    doc
      .fillColor(MUTED)
      .fontSize(7)
      .text(day, PAGE_MARGIN, y + cell / 2 - 3, { width: labelWidth - 4 });
    for (let hour = 0; hour < 24; hour++) {
      const calls = counts.get(`${row + 1}-${hour}`) ?? 0;
      const x = PAGE_MARGIN + labelWidth + hour * cell;
      doc.save();
      doc
        .rect(x + 0.5, y + 0.5, cell - 1, cell - 1)
        .fillOpacity(calls === 0 ? 0.06 : 0.15 + 0.85 * (calls / max))
        .fill(ACCENT);
      doc.restore();
    }
  });
  doc.x = PAGE_MARGIN;
  doc.y = top + 7 * cell + 12;
}

/** The texts' figures as tiles, like the calls'. */
function drawTexts(doc: Pdf, report: ReportDocument, width: number, ensureRoom: (h: number) => void) {
  ensureRoom(80);
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text('Texts', PAGE_MARGIN);
  const top = doc.y + 4;
  const tileWidth = width / TEXT_COLUMNS.length;
  TEXT_COLUMNS.forEach(({ key, header }, i) => {
    const x = PAGE_MARGIN + i * tileWidth;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(header, x, top, { width: tileWidth - 8 });
    doc
      .font('Helvetica-Bold')
      .fontSize(16)
      .fillColor(INK)
      .text(formatNumber(report.texts.totals[key]), x, top + 11, { width: tileWidth - 8 });
  });
  doc.x = PAGE_MARGIN;
  doc.y = top + 42;
}

/** A table per indicator and scorecard: all its calls, then per call flow and per agent. */
function drawScores(doc: Pdf, report: ReportDocument, width: number, ensureRoom: (h: number) => void) {
  ensureRoom(60);
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text('Scores', PAGE_MARGIN);
  if (report.scores.length === 0) {
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(INK)
      .text('No scored calls', PAGE_MARGIN, doc.y + 2);
    return;
  }
  const columns = ['Calls', 'Avg score'];
  const byWidth = 70;
  const labelWidth = width - byWidth - columns.length * 62;
  let current = '';
  for (const row of report.scores) {
    const title = `${SOURCE_TITLES[row.source]}: ${row.source_name}`;
    if (title !== current) {
      current = title;
      ensureRoom(40);
      const header = doc.y + 6;
      doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED);
      doc.text(title, PAGE_MARGIN, header, { width: labelWidth - 6, lineBreak: false, ellipsis: true });
      doc.text('By', PAGE_MARGIN + labelWidth, header, { width: byWidth });
      for (const [i, name] of columns.entries())
        doc.text(name, PAGE_MARGIN + labelWidth + byWidth + i * 62, header, { width: 58, align: 'right' });
      doc.font('Helvetica').fillColor(INK);
    }
    ensureRoom(14);
    const y = doc.y + 2;
    const label = row.breakdown === 'total' ? 'All scored calls' : (row.label ?? row.key ?? '(none)');
    doc.text(label, PAGE_MARGIN, y, { width: labelWidth - 6, lineBreak: false, ellipsis: true });
    doc.text(BREAKDOWN_TITLES[row.breakdown], PAGE_MARGIN + labelWidth, y, { width: byWidth });
    const values = [formatNumber(row.calls), formatNumber(row.average_score, 2)];
    for (const [i, value] of values.entries())
      doc.text(value, PAGE_MARGIN + labelWidth + byWidth + i * 62, y, { width: 58, align: 'right' });
  }
  doc.x = PAGE_MARGIN;
}

/** The report as a file in one of the download formats. */
export async function renderReport(
  report: ReportDocument,
  format: keyof typeof REPORT_MEDIA_TYPES,
  options: RenderOptions = {},
): Promise<Buffer> {
  if (format === 'csv') return Buffer.from(reportCsv(report), 'utf8');
  if (format === 'xlsx') return reportXlsx(report);
  return reportPdf(report, options);
}

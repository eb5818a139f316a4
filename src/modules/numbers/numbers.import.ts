import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import type { Queryable } from '../../db/index.js';
import { invalidInput } from '../../errors.js';
import { toNanp10 } from '../../lib/phone.js';
import { isRegionCode } from '../misc/geo.js';
import { createNumbersRepo, type NewInventoryNumber } from './numbers.repo.js';

/**
 * `switchboard numbers import <file.csv>`: loads numbers into the inventory from a CSV file with a
 * header row naming number, rate_center, state and ocn (any order; other columns are ignored).
 * Rows are checked one by one; bad rows are reported with their line number and skipped, good
 * ones are inserted in batches, and numbers already in the inventory are skipped. Each batch
 * commits on its own, so an interrupted import can simply be run again.
 */

export const IMPORT_COLUMNS = ['number', 'rate_center', 'state', 'ocn'] as const;

export interface InvalidRow {
  /** 1-based line of the file (the last line, for a record spanning several) */
  line: number;
  reason: string;
}

export interface ImportSummary {
  /** data rows read, valid or not */
  rows: number;
  inserted: number;
  /** valid rows whose number was already in the inventory (or earlier in the file) */
  duplicates: number;
  invalid: InvalidRow[];
}

export interface ImportProgress {
  bytes: number;
  rows: number;
}

export interface ImportOptions {
  /** rows per INSERT (default 1000) */
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
}

type RowResult = { ok: true; value: NewInventoryNumber } | { ok: false; reason: string };

/** Checks and normalises one CSV record (keys are the lower-cased header names). */
export function parseInventoryRow(record: Readonly<Record<string, string | undefined>>): RowResult {
  const rawNumber = (record.number ?? '').trim();
  const number = rawNumber === '' ? undefined : toNanp10(rawNumber);
  if (number === undefined)
    return { ok: false, reason: `number "${rawNumber}" is not a valid 10-digit number` };
  const rateCenter = (record.rate_center ?? '').trim().toUpperCase();
  if (rateCenter === '') return { ok: false, reason: 'rate_center is empty' };
  if (rateCenter.length > 64) return { ok: false, reason: 'rate_center is longer than 64 characters' };
  const state = (record.state ?? '').trim().toUpperCase();
  if (!isRegionCode(state)) {
    return { ok: false, reason: `state "${state}" is not a US state, US territory or Canadian province` };
  }
  const ocn = (record.ocn ?? '').trim().toUpperCase();
  if (!/^[0-9A-Z]{0,8}$/.test(ocn))
    return { ok: false, reason: `ocn "${ocn}" must be up to 8 letters or digits` };
  return { ok: true, value: { number, rate_center: rateCenter, state, ocn } };
}

function checkHeader(header: string[]): string[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const missing = IMPORT_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw invalidInput(
      `the header row lacks ${missing.join(', ')}: it must name the columns ${IMPORT_COLUMNS.join(',')}`,
    );
  }
  return names;
}

/** Imports numbers from a CSV stream. */
export async function importNumbers(
  db: Queryable,
  input: Readable,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 1000;
  const repo = createNumbersRepo(db);
  const summary: ImportSummary = { rows: 0, inserted: 0, duplicates: 0, invalid: [] };
  let sawHeader = false;
  let bytes = 0;
  let batch = new Map<string, NewInventoryNumber>();

  const flush = async () => {
    if (batch.size === 0) return;
    const inserted = await repo.insertBatch([...batch.values()]);
    summary.inserted += inserted.length;
    summary.duplicates += batch.size - inserted.length;
    batch = new Map();
    options.onProgress?.({ bytes, rows: summary.rows });
  };

  const parser = parse({
    columns: (header: string[]) => {
      sawHeader = true;
      return checkHeader(header);
    },
    info: true,
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    // A malformed record (e.g. a stray quote) is reported like any invalid row.
    skip_records_with_error: true,
  });
  parser.on('skip', (error: CsvError) => {
    summary.rows += 1;
    summary.invalid.push({ line: Number(error.lines), reason: error.message });
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);

  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string | undefined>;
    info: { lines: number; bytes: number };
  }>) {
    summary.rows += 1;
    bytes = info.bytes;
    const row = parseInventoryRow(record);
    if (!row.ok) {
      summary.invalid.push({ line: info.lines, reason: row.reason });
      continue;
    }
    if (batch.has(row.value.number)) summary.duplicates += 1;
    else batch.set(row.value.number, row.value);
    if (batch.size >= batchSize) await flush();
  }
  if (!sawHeader) {
    throw invalidInput(`the file is empty: it needs a header row naming ${IMPORT_COLUMNS.join(',')}`);
  }
  await flush();
  summary.invalid.sort((a, b) => a.line - b.line);
  return summary;
}

/** Imports a CSV file; `onStart` learns its size, the total of the progress reports' `bytes`. */
export async function importNumbersFile(
  db: Queryable,
  filePath: string,
  options: ImportOptions & { onStart?: (totalBytes: number) => void } = {},
): Promise<ImportSummary> {
  const size = await stat(filePath).then(
    (stats) => stats.size,
    (error: NodeJS.ErrnoException) => {
      throw invalidInput(`cannot read the file (${error.code ?? error.message})`);
    },
  );
  options.onStart?.(size);
  return importNumbers(db, createReadStream(filePath), options);
}

/** The report the CLI prints: counts, then each invalid row with its line. */
export function formatImportSummary(summary: ImportSummary): string {
  const lines = [
    `${summary.inserted} imported, ${summary.duplicates} duplicates skipped, ${summary.invalid.length} invalid (${summary.rows} rows read)`,
    ...summary.invalid.map((row) => `  line ${row.line}: ${row.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}

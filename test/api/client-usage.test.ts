import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/**
 * Get Client Usage and its download: an agency's usage per client group for a month, the same
 * numbers in JSON, CSV and XLSX, each client's subtree counted, against each client's plan.
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let second: number;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_POLL_INTERVAL_MS: '0' });
  h = await ctx.factory.hierarchy();
  second = await ctx.factory.group(h.agency, 'Another client');
  await insertCalls(ctx, [
    { group_id: h.company, started_at: '2026-03-02T15:00:00Z', duration: 61 }, // 2 minutes
    { group_id: h.location, started_at: '2026-03-03T15:00:00Z', duration: 30 }, // 1, counted for company
    { group_id: second, started_at: '2026-03-04T15:00:00Z', duration: 600 }, // 10
    { group_id: second, started_at: '2026-04-01T00:00:00Z', duration: 600 }, // April
    { group_id: h.agency, started_at: '2026-03-05T15:00:00Z', duration: 600 }, // the agency's own: no client's
  ]);
  await ctx.request('PUT', '/v2/misc/subscription', {
    token: h.agencyAdmin.token,
    body: { group_id: second, plan_name: 'Starter', max_inbound_minutes: 20, max_numbers: 5 },
  });
}, 300_000);

afterAll(async () => {
  await ctx?.close();
});

const clients = (token: string, query: string) =>
  ctx.request('GET', `/v2/misc/subscription/clients${query}`, { token });
const download = (token: string, query: string) =>
  ctx.app.inject({
    method: 'GET',
    url: `/v2/misc/subscription/clients/download${query}`,
    headers: { authorization: `Bearer ${token}` },
  });

describe('client usage', { timeout: 120_000 }, () => {
  it('counts each client’s subtree for the month, with its plan and limits', async () => {
    const { status, body } = await clients(h.agencyAdmin.token, '?period=2026-03');
    expect(status).toBe(200);
    expect(body.data.group_id).toBe(h.agency);
    expect(body.data.period).toBe('2026-03');
    const rows = body.data.clients as {
      group_id: number;
      plan_name: string | null;
      usage: Record<string, number>;
      limits: Record<string, number | null>;
      used_percent: Record<string, number | null>;
    }[];
    expect(rows.map((row) => row.group_id)).toEqual([second, h.company]); // by name
    const [other, company] = rows;
    expect(company?.usage).toMatchObject({ inbound_minutes: 3, inbound_calls: 2 });
    expect(company?.plan_name).toBeNull();
    expect(other?.usage).toMatchObject({ inbound_minutes: 10, inbound_calls: 1 });
    expect(other?.plan_name).toBe('Starter');
    expect(other?.limits.inbound_minutes).toBe(20);
    expect(other?.used_percent.inbound_minutes).toBe(50);
  });

  it('answers the same numbers as CSV and XLSX', async () => {
    const json = (await clients(h.agencyAdmin.token, '?period=2026-03')).body.data.clients as {
      group_id: number;
      usage: { inbound_minutes: number; inbound_calls: number };
    }[];
    const csv = await download(h.agencyAdmin.token, '?period=2026-03&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="usage-Agency-.+-2026-03\.csv"$/,
    );
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => Number(row['Group ID']))).toEqual(json.map((row) => row.group_id));
    expect(rows.map((row) => Number(row['Inbound minutes']))).toEqual(
      json.map((row) => row.usage.inbound_minutes),
    );
    expect(rows[0]?.['Inbound minutes limit']).toBe('20');
    expect(rows[1]?.['Inbound minutes limit']).toBe('');

    const xlsx = await download(h.agencyAdmin.token, '?period=2026-03&format=xlsx');
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Usage') as ExcelJS.Worksheet;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    const column = (name: string) => headers.indexOf(name) + 1;
    expect(sheet.getRow(2).getCell(column('Inbound minutes')).value).toBe(json[0]?.usage.inbound_minutes);
    expect(sheet.getRow(3).getCell(column('Inbound calls')).value).toBe(json[1]?.usage.inbound_calls);
    // typed: numbers are numbers, a missing limit an empty cell
    expect(typeof sheet.getRow(2).getCell(column('Inbound minutes limit')).value).toBe('number');
    expect(sheet.getRow(3).getCell(column('Inbound minutes limit')).value).toBeNull();
  });

  it('reads only the caller’s scope and answers bad input with V2 errors', async () => {
    const company = await clients(h.companyAdmin.token, '');
    expect(company.status).toBe(200);
    expect(company.body.data.clients.map((row: { group_id: number }) => row.group_id)).toEqual([h.location]);
    expect((await clients(h.companyAdmin.token, `?group_id=${h.agency}`)).status).toBe(400);
    expect((await clients(h.agencyAdmin.token, '?period=2026-13')).status).toBe(400);
    expect((await download(h.agencyAdmin.token, '?format=pdf')).statusCode).toBe(400);
    expect((await download(h.agencyAdmin.token, '')).statusCode).toBe(400);
    expect((await clients(h.agencyAdmin.token, '?bananas=1')).status).toBe(400);
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { multipart } from '../helpers/audio.js';

/**
 * A group's brand logo: Upload, Get, Download and Delete Group Logo, the nearest ancestor's logo
 * for a group without one, and the logo in the PDF report's header.
 */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let dataDir: string;

/** A real 1 × 1 PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** A baseline JPEG's frame header (1 × 1, three components): what pdfkit reads of a JPEG. */
const jpeg = Buffer.from([
  0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x01, 0x00, 0x01, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x00,
  0x03, 0x11, 0x00, 0xff, 0xd9,
]);
const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(40, 1)]);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-logos-'));
  ctx = await createTestContext({ DATA_DIR: dataDir });
  h = await ctx.factory.hierarchy();
});
afterAll(async () => {
  await ctx?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The files under logos/ in the data folder (the object store of these tests). */
const storedLogos = async () => {
  try {
    return (await readdir(path.join(dataDir, 'logos'), { recursive: true })).filter((f) =>
      /\.(png|jpg)$/.test(f),
    );
  } catch {
    return [];
  }
};

async function upload(user: TestUser, data: Buffer, fields: Record<string, string> = {}, name = 'logo.png') {
  const { payload, headers } = await multipart(fields, [{ field: 'file', name, data }]);
  const response = await ctx.app.inject({
    method: 'POST',
    url: '/v2/group/logo',
    headers: { ...headers, authorization: `Bearer ${user.token}` },
    payload,
  });
  return { status: response.statusCode, body: response.json() };
}

const logoOf = (user: TestUser, groupId?: number) =>
  ctx.request('GET', `/v2/group/logo${groupId ? `?group_id=${groupId}` : ''}`, { token: user.token });

const fileOf = (user: TestUser, groupId?: number) =>
  ctx.app.inject({
    method: 'GET',
    url: `/v2/group/logo/file${groupId ? `?group_id=${groupId}` : ''}`,
    headers: { authorization: `Bearer ${user.token}` },
  });

const removeLogo = (user: TestUser, groupId?: number) =>
  ctx.request('DELETE', `/v2/group/logo${groupId ? `?group_id=${groupId}` : ''}`, { token: user.token });

describe('group logo', () => {
  it('stores a PNG for the caller’s group and answers its metadata and bytes', async () => {
    const { status, body } = await upload(h.companyAdmin, png);
    expect(status).toBe(200);
    const metadata = {
      group_id: h.company,
      content_type: 'image/png',
      bytes: png.length,
      updated_at: ctx.clock.now().toISOString(),
      inherited: false,
    };
    expect(body).toEqual({ result: 'success', err: null, data: metadata });
    expect((await logoOf(h.companyAdmin)).body.data).toEqual(metadata);
    const file = await fileOf(h.companyAdmin);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.rawPayload.equals(png)).toBe(true);
    expect(await storedLogos()).toEqual([
      expect.stringMatching(new RegExp(`^${h.company}/[0-9a-f-]+\\.png$`)),
    ]);
  });

  it('uses the nearest ancestor’s logo for a group without one, its own once set', async () => {
    const inherited = await logoOf(h.locationAdmin);
    expect(inherited.body.data).toMatchObject({
      group_id: h.company,
      content_type: 'image/png',
      inherited: true,
    });
    expect((await fileOf(h.locationAdmin)).rawPayload.equals(png)).toBe(true);

    const own = await upload(h.companyAdmin, jpeg, { group_id: String(h.location) }, 'logo.jpeg');
    expect(own.status).toBe(200);
    expect(own.body.data).toMatchObject({
      group_id: h.location,
      content_type: 'image/jpeg',
      inherited: false,
    });
    const file = await fileOf(h.locationAdmin);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.rawPayload.equals(jpeg)).toBe(true);
    // the company keeps its own
    expect((await logoOf(h.companyAdmin)).body.data.content_type).toBe('image/png');

    const removed = await removeLogo(h.companyAdmin, h.location);
    expect(removed.body).toEqual({ result: 'success', err: null, data: { group_id: h.location } });
    expect((await logoOf(h.locationAdmin)).body.data).toMatchObject({ group_id: h.company, inherited: true });
    // the replaced and removed images are gone from the store: only the company's is left
    expect(await storedLogos()).toEqual([expect.stringMatching(new RegExp(`^${h.company}/`))]);
    const again = await removeLogo(h.companyAdmin, h.location);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ result: 'error', err: 'No logo found', data: null });
  });

  it('answers not found for a group with no logo above it', async () => {
    const other = await ctx.factory.hierarchy();
    const { status, body } = await logoOf(other.agencyAdmin);
    expect(status).toBe(404);
    expect(body).toEqual({ result: 'error', err: 'No logo found', data: null });
    expect((await fileOf(other.agencyAdmin)).statusCode).toBe(404);
  });

  it('refuses a GIF or text named .png, and stores nothing', async () => {
    const other = await ctx.factory.hierarchy();
    for (const data of [gif, Buffer.from('not an image, just text\n')]) {
      const { status, body } = await upload(other.companyAdmin, data, {}, 'logo.png');
      expect(status).toBe(400);
      expect(body).toEqual({ result: 'error', err: 'The logo must be a PNG or JPEG image', data: null });
    }
    expect((await logoOf(other.companyAdmin)).status).toBe(404);
    expect(await storedLogos()).toHaveLength(1);
  });

  it('refuses an image over 512 kB and keeps the logo it had', async () => {
    const big = Buffer.concat([png.subarray(0, 16), Buffer.alloc(512 * 1024, 0)]);
    const { status, body } = await upload(h.companyAdmin, big);
    expect(status).toBe(400);
    expect(body).toEqual({ result: 'error', err: 'The logo is larger than 512 kB', data: null });
    expect((await fileOf(h.companyAdmin)).rawPayload.equals(png)).toBe(true);
    expect(await storedLogos()).toHaveLength(1);
  });

  it('refuses a group outside the caller’s subtree', async () => {
    const outside = await upload(h.locationAdmin, png, { group_id: String(h.company) });
    expect(outside.status).toBe(400);
    expect(outside.body.err).toBe(`group_id ${h.company} is not a group you can access`);
    expect((await logoOf(h.locationAdmin, h.agency)).status).toBe(400);
    expect((await fileOf(h.locationAdmin, h.agency)).statusCode).toBe(400);
    expect((await removeLogo(h.locationAdmin, h.company)).status).toBe(400);
    expect((await logoOf(h.companyAdmin)).body.data.group_id).toBe(h.company);
  });

  it('refuses a body that is not multipart, a missing file and a read-only user', async () => {
    const json = await ctx.request('POST', '/v2/group/logo', { token: h.companyAdmin.token, body: {} });
    expect(json.status).toBe(400);
    expect(json.body.err).toBe('The request must be multipart/form-data with the image in the field "file"');
    const { payload, headers } = await multipart({ group_id: String(h.company) }, []);
    const empty = await ctx.app.inject({
      method: 'POST',
      url: '/v2/group/logo',
      headers: { ...headers, authorization: `Bearer ${h.companyAdmin.token}` },
      payload,
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().err).toBe('Please upload a PNG or JPEG image in the field "file"');
    const readOnly = await ctx.factory.user(h.company, 3);
    expect((await upload(readOnly, png)).status).toBe(403);
    expect((await removeLogo(readOnly)).status).toBe(403);
  });
});

describe('the PDF report', () => {
  const download = (user: TestUser, groupId: number) =>
    ctx.app.inject({
      method: 'GET',
      url: `/v2/report/call/download?group_id=${groupId}&start_date=2026-03-01&end_date=2026-03-07&format=pdf`,
      headers: { authorization: `Bearer ${user.token}` },
    });
  const hasImage = (pdf: Buffer) => pdf.toString('latin1').includes('/Subtype /Image');

  it('draws the group’s (or its ancestor’s) logo in its header', async () => {
    const withLogo = await download(h.locationAdmin, h.location);
    expect(withLogo.statusCode).toBe(200);
    expect(hasImage(withLogo.rawPayload)).toBe(true);

    const other = await ctx.factory.hierarchy();
    const without = await download(other.companyAdmin, other.company);
    expect(without.statusCode).toBe(200);
    expect(hasImage(without.rawPayload)).toBe(false);

    expect((await upload(other.agencyAdmin, jpeg)).status).toBe(200);
    const jpegPdf = (await download(other.companyAdmin, other.company)).rawPayload.toString('latin1');
    expect(jpegPdf).toContain('/Subtype /Image');
    expect(jpegPdf).toContain('/DCTDecode');
  });
});

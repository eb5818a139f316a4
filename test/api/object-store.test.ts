import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { copyStore, createFolderStore, type ObjectStore, storeFor } from '../../src/lib/object-store.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { multipart, wav } from '../helpers/audio.js';

/**
 * Recordings and audio in an S3-compatible bucket, against s3rver (an S3-compatible server from
 * npm, speaking the S3 REST API over HTTP) through the official AWS SDK.
 */
const BUCKET = 'switchboard-recordings';

let s3: S3rver;
let s3Dir: string;
let dataDir: string;
let storageEnv: Record<string, string>;
let ctx: TestContext;
let bucket: ObjectStore;

const read = async (store: ObjectStore, key: string) => {
  const object = await store.open(key);
  if (!object) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of object.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const all = async (store: ObjectStore, prefix: string) => {
  const keys: string[] = [];
  for await (const key of store.keys(prefix)) keys.push(key);
  return keys;
};

beforeAll(async () => {
  s3Dir = await mkdtemp(path.join(tmpdir(), 'switchboard-s3-'));
  dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-s3-data-'));
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await s3.run();
  storageEnv = {
    STORAGE_BUCKET: BUCKET,
    STORAGE_PREFIX: 'tenant-a',
    STORAGE_ENDPOINT: `http://127.0.0.1:${port}`,
    STORAGE_FORCE_PATH_STYLE: 'true',
    STORAGE_ACCESS_KEY_ID: 'S3RVER',
    STORAGE_SECRET_ACCESS_KEY: 'S3RVER',
  };
  bucket = storeFor(loadConfig({ ...storageEnv, DATA_DIR: dataDir }));
  ctx = await createTestContext({
    ...storageEnv,
    DATA_DIR: dataDir,
    PUBLIC_BASE_URL: 'https://calls.example.test',
  });
});

afterAll(async () => {
  await ctx?.close();
  await s3?.close();
  await rm(s3Dir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('the bucket store', () => {
  it('puts, opens, lists and removes objects under its prefix', async () => {
    await bucket.put('recordings/7/1-call.wav', Buffer.from('RIFF one'), 'audio/wav');
    await bucket.put('recordings/7/2-call.wav', Buffer.from('RIFF two'), 'audio/wav');
    expect((await read(bucket, 'recordings/7/1-call.wav'))?.toString()).toBe('RIFF one');
    expect(await all(bucket, 'recordings/')).toEqual(['recordings/7/1-call.wav', 'recordings/7/2-call.wav']);
    await bucket.remove('recordings/7/1-call.wav');
    expect(await bucket.open('recordings/7/1-call.wav')).toBeUndefined();
    // removing what is not there is not an error
    await bucket.remove('recordings/7/1-call.wav');
    await bucket.remove('recordings/7/2-call.wav');
  });

  it('refuses a key that would leave its folder', async () => {
    for (const key of ['../etc/passwd', '/abs', 'recordings//x', 'recordings/./x']) {
      await expect(bucket.put(key, Buffer.from('x'), 'audio/wav')).rejects.toThrow('invalid storage key');
      await expect(createFolderStore(dataDir).open(key)).rejects.toThrow('invalid storage key');
    }
  });
});

describe('with STORAGE_BUCKET set', () => {
  it('stores uploaded audio in the bucket, not on disk, and streams it back within scope only', async () => {
    const h = await ctx.factory.hierarchy();
    const { payload, headers } = await multipart({}, [{ field: 'file', name: 'hello.wav', data: wav() }]);
    const uploaded = await ctx.app.inject({
      method: 'POST',
      url: '/v2/misc/upload/prompt',
      headers: { ...headers, authorization: `Bearer ${h.companyAdmin.token}` },
      payload,
    });
    expect(uploaded.statusCode).toBe(200);
    const [file] = uploaded.json().data as { reference_id: string; recordURL: string }[];
    const key = `audio/${h.company}/${file?.reference_id}`;
    expect((await read(bucket, key))?.equals(wav())).toBe(true);
    expect(await readdir(dataDir)).not.toContain('audio');

    const url = new URL(file?.recordURL as string).pathname;
    const own = await ctx.app.inject({ url, headers: { authorization: `Bearer ${h.companyAdmin.token}` } });
    expect(own.statusCode).toBe(200);
    expect(own.rawPayload.equals(wav())).toBe(true);
    const other = await ctx.factory.hierarchy();
    const outside = await ctx.app.inject({
      url,
      headers: { authorization: `Bearer ${other.companyAdmin.token}` },
    });
    expect(outside.statusCode).toBe(404);
  });

  it('stores an uploaded call recording in the bucket and serves it from there', async () => {
    const h = await ctx.factory.hierarchy();
    const { payload, headers } = await multipart({ tracking_number: '8015550100', caller_id: '2125550100' }, [
      { field: 'file', name: 'call.wav', data: wav() },
    ]);
    const uploaded = await ctx.app.inject({
      method: 'POST',
      url: '/v2/call/upload',
      headers: { ...headers, authorization: `Bearer ${h.companyAdmin.token}` },
      payload,
    });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    const callId = (uploaded.json().data as { call_id: number }).call_id;
    const keys = await all(bucket, `recordings/${h.company}/`);
    expect(keys).toHaveLength(1);
    const download = await ctx.app.inject({
      url: `/v2/call/recording?id=${callId}`,
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
    });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals((await read(bucket, keys[0] as string)) as Buffer)).toBe(true);
  });
});

describe('group logos with STORAGE_BUCKET set', () => {
  it('stores a logo in the bucket under logos/, serves it from there and removes it', async () => {
    const h = await ctx.factory.hierarchy();
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const { payload, headers } = await multipart({}, [{ field: 'file', name: 'logo.png', data: png }]);
    const uploaded = await ctx.app.inject({
      method: 'POST',
      url: '/v2/group/logo',
      headers: { ...headers, authorization: `Bearer ${h.companyAdmin.token}` },
      payload,
    });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    const keys = await all(bucket, `logos/${h.company}/`);
    expect(keys).toHaveLength(1);
    expect((await read(bucket, keys[0] as string))?.equals(png)).toBe(true);
    expect(await readdir(dataDir)).not.toContain('logos');
    const file = await ctx.app.inject({
      url: '/v2/group/logo/file',
      headers: { authorization: `Bearer ${h.locationAdmin.token}` },
    });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(png)).toBe(true);
    const removed = await ctx.app.inject({
      method: 'DELETE',
      url: '/v2/group/logo',
      headers: { authorization: `Bearer ${h.companyAdmin.token}` },
    });
    expect(removed.statusCode).toBe(200);
    expect(await all(bucket, `logos/${h.company}/`)).toEqual([]);
  });
});

describe('moving the files of a data folder into the bucket', () => {
  it('copies every recording, audio file and logo once, and a second run copies nothing again', async () => {
    const folderDir = await mkdtemp(path.join(tmpdir(), 'switchboard-s3-move-'));
    const folder = createFolderStore(folderDir);
    await folder.put('recordings/3/10-call.wav', Buffer.from('RIFF ten'), 'audio/wav');
    await folder.put('recordings/3/11-voicemail.mp3', Buffer.from('ID3 eleven'), 'audio/mpeg');
    await folder.put('audio/3/greeting.wav', Buffer.from('RIFF greeting'), 'audio/wav');
    await folder.put('logos/3/brand.png', Buffer.from('PNG brand'), 'image/png');
    await folder.put('other/ignored.txt', Buffer.from('not audio'), 'text/plain');
    const target = storeFor(loadConfig({ ...storageEnv, STORAGE_PREFIX: 'moved', DATA_DIR: dataDir }));

    expect(await copyStore(folder, target)).toEqual({ copied: 4, skipped: 0 });
    expect((await read(target, 'logos/3/brand.png'))?.toString()).toBe('PNG brand');
    expect((await read(target, 'recordings/3/11-voicemail.mp3'))?.toString()).toBe('ID3 eleven');
    expect((await read(target, 'audio/3/greeting.wav'))?.toString()).toBe('RIFF greeting');
    expect(await target.open('other/ignored.txt')).toBeUndefined();
    expect(await copyStore(folder, target)).toEqual({ copied: 0, skipped: 4 });
    await rm(folderDir, { recursive: true, force: true });
  });

  it('is one command: switchboard storage migrate', async () => {
    const folderDir = await mkdtemp(path.join(tmpdir(), 'switchboard-s3-cli-'));
    await createFolderStore(folderDir).put(
      'recordings/4/12-call.wav',
      Buffer.from('RIFF twelve'),
      'audio/wav',
    );
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'storage', 'migrate'], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', ...storageEnv, STORAGE_PREFIX: 'cli', DATA_DIR: folderDir },
    });
    expect(stdout).toContain(`1 files copied to the bucket ${BUCKET}/cli at 127.0.0.1`);
    const target = storeFor(loadConfig({ ...storageEnv, STORAGE_PREFIX: 'cli', DATA_DIR: dataDir }));
    expect((await read(target, 'recordings/4/12-call.wav'))?.toString()).toBe('RIFF twelve');
    await rm(folderDir, { recursive: true, force: true });
  });
});

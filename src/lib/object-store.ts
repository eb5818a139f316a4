import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Where recordings, voicemails, uploaded audio and group logos live: a folder (DATA_DIR, the default) or an
 * S3-compatible bucket (AWS S3, Cloudflare R2, MinIO), so that many servers reach the same files.
 * Keys are relative paths with forward slashes (`recordings/<group>/<call>-call.wav`); the
 * database stores the key, so a file moves between stores without touching its row.
 */
export interface StoredObject {
  stream: Readable;
  size: number;
}

export interface ObjectStore {
  /** where the files are, for the banner and logs (never a credential) */
  readonly description: string;
  /** Stores `bytes` under `key`, whole or not at all. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The object's bytes as a stream, or undefined when there is none under `key`. */
  open(key: string): Promise<StoredObject | undefined>;
  /** Removes `key`; a key that is not there is not an error. */
  remove(key: string): Promise<void>;
  /** Every key under `prefix` (`recordings/`, `audio/`). */
  keys(prefix: string): AsyncGenerator<string>;
}

/** `make` runs once, on the first call; every call gets its promise. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

const isMissing = (error: unknown) =>
  (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR';

/** A key must stay inside its store: no absolute paths, no `..`, no empty segments. */
function checkedKey(key: string): string {
  if (key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`invalid storage key ${JSON.stringify(key)}`);
  }
  return key;
}

/** The files under a folder, as the default store. */
export function createFolderStore(root: string): ObjectStore {
  const fileOf = (key: string) => path.join(root, ...checkedKey(key).split('/'));
  return {
    description: `the folder ${root}`,

    async put(key, bytes) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      // Written aside and renamed, so a crash never leaves half a file under the final name.
      const partial = `${file}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, file).catch(async (error) => {
        await rm(partial, { force: true });
        throw error;
      });
    },

    async open(key) {
      const file = fileOf(key);
      try {
        const { size } = await stat(file);
        return { stream: createReadStream(file), size };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async remove(key) {
      await rm(fileOf(key), { force: true });
    },

    async *keys(prefix) {
      const walk = async function* (relative: string): AsyncGenerator<string> {
        let entries: import('node:fs').Dirent[];
        try {
          entries = await readdir(path.join(root, relative), { withFileTypes: true });
        } catch (error) {
          if (isMissing(error)) return;
          throw error;
        }
        for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
          const key = relative ? `${relative}/${entry.name}` : entry.name;
          if (entry.isDirectory()) yield* walk(key);
          else if (!entry.name.endsWith('.partial')) yield key;
        }
      };
      yield* walk(prefix.replace(/\/+$/, ''));
    },
  };
}

export interface BucketOptions {
  bucket: string;
  /** a folder inside the bucket, '' for its root */
  prefix: string;
  /** unset for AWS S3; `https://<account>.r2.cloudflarestorage.com`, `http://minio:9000` ... */
  endpoint?: string | undefined;
  region: string;
  /** path-style addressing (`endpoint/bucket/key`), which MinIO and most local servers need */
  forcePathStyle: boolean;
  /** unset: the AWS SDK's own chain (AWS_ACCESS_KEY_ID ..., a profile, an instance role) */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/**
 * An S3-compatible bucket through the official AWS SDK, which is loaded on first use: a server
 * that keeps its files in DATA_DIR never loads it.
 */
export function createBucketStore(options: BucketOptions): ObjectStore {
  const sdk = once(() => import('@aws-sdk/client-s3'));
  const connect = once(async () => {
    const { S3Client } = await sdk();
    return new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where S3 requires them: R2, MinIO and older S3-compatible servers refuse
      // the SDK's default aws-chunked uploads with trailing checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }) as S3Client;
  });
  const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
  const objectKey = (key: string) => (prefix ? `${prefix}/${checkedKey(key)}` : checkedKey(key));
  const isNotFound = (error: unknown) =>
    (error as { name?: string }).name === 'NoSuchKey' ||
    (error as { name?: string }).name === 'NotFound' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

  return {
    description: `the bucket ${options.bucket}${prefix ? `/${prefix}` : ''}${options.endpoint ? ` at ${new URL(options.endpoint).host}` : ''}`,

    async put(key, bytes, contentType) {
      // One PUT: S3 stores an object whole or not at all.
      const { PutObjectCommand } = await sdk();
      await (await connect()).send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: objectKey(key),
          Body: bytes,
          ContentType: contentType,
          ContentLength: bytes.length,
        }),
      );
    },

    async open(key) {
      const { GetObjectCommand } = await sdk();
      const client = await connect();
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
        );
        return { stream: object.Body as Readable, size: Number(object.ContentLength ?? 0) };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async remove(key) {
      const { DeleteObjectCommand } = await sdk();
      await (await connect()).send(new DeleteObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
    },

    async *keys(keyPrefix) {
      const { ListObjectsV2Command } = await sdk();
      const client = await connect();
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: options.bucket,
            Prefix: objectKey(keyPrefix.replace(/\/+$/, '')),
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key) yield prefix ? object.Key.slice(prefix.length + 1) : object.Key;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
  };
}

/** The whole object under `key`, or undefined when there is none. */
export async function readObject(store: ObjectStore, key: string): Promise<Buffer | undefined> {
  const object = await store.open(key);
  if (!object) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of object.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What choosing a store needs of the configuration. */
export interface StoreConfig {
  DATA_DIR: string;
  STORAGE_BUCKET?: string | undefined;
  STORAGE_PREFIX: string;
  STORAGE_ENDPOINT?: string | undefined;
  STORAGE_REGION: string;
  STORAGE_FORCE_PATH_STYLE: boolean;
  STORAGE_ACCESS_KEY_ID?: string | undefined;
  STORAGE_SECRET_ACCESS_KEY?: string | undefined;
}

/** The bucket when one is configured, else the data folder. */
export function storeFor(config: StoreConfig): ObjectStore {
  if (!config.STORAGE_BUCKET) return createFolderStore(config.DATA_DIR);
  return createBucketStore({
    bucket: config.STORAGE_BUCKET,
    prefix: config.STORAGE_PREFIX,
    endpoint: config.STORAGE_ENDPOINT,
    region: config.STORAGE_REGION,
    forcePathStyle: config.STORAGE_FORCE_PATH_STYLE,
    credentials:
      config.STORAGE_ACCESS_KEY_ID && config.STORAGE_SECRET_ACCESS_KEY
        ? { accessKeyId: config.STORAGE_ACCESS_KEY_ID, secretAccessKey: config.STORAGE_SECRET_ACCESS_KEY }
        : undefined,
  });
}

/**
 * Copies every recording, voicemail, uploaded audio file and group logo from `from` to `to` (a key already
 * there is left as it is, so a second run after an interruption finishes the job); the files
 * stay in `from` until the operator removes them.
 */
export async function copyStore(
  from: ObjectStore,
  to: ObjectStore,
  onFile: (copied: number, skipped: number) => void = () => {},
): Promise<{ copied: number; skipped: number }> {
  let copied = 0;
  let skipped = 0;
  for (const prefix of ['recordings/', 'audio/', 'logos/']) {
    for await (const key of from.keys(prefix)) {
      const there = await to.open(key);
      if (there) {
        there.stream.destroy();
        skipped += 1;
      } else {
        const bytes = await readObject(from, key);
        if (!bytes) continue;
        await to.put(key, bytes, contentTypeOf(key));
        copied += 1;
      }
      onFile(copied, skipped);
    }
  }
  return { copied, skipped };
}

const CONTENT_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  png: 'image/png',
  jpg: 'image/jpeg',
};
const contentTypeOf = (key: string) =>
  CONTENT_TYPES[key.split('.').pop() ?? ''] ?? 'application/octet-stream';

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Where asset files live. Keys are made by Wayline (`<workspace>/<asset id>/<variant>`), never
 * taken from a client, so no upload can name a path of its choosing.
 */
export interface AssetStorage {
  readonly kind: 'local' | 's3';
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The stored bytes, or null when the key holds nothing. */
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
}

const keyPattern = /^[0-9a-f-]{36}\/[0-9a-f-]{36}\/(original|thumbnail)$/;

function checkKey(key: string): string {
  if (!keyPattern.test(key)) throw new Error(`not an asset storage key: ${key}`);
  return key;
}

/** A folder on the local disk: the embedded mode's default, under the data folder. */
export function localStorage(root: string): AssetStorage {
  const fileOf = (key: string) => path.join(root, ...checkKey(key).split('/'));
  return {
    kind: 'local',
    async put(key, body) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, body);
    },
    async get(key) {
      try {
        return await readFile(fileOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}

export interface S3Settings {
  bucket: string;
  /** An S3-compatible endpoint (MinIO, R2, ...); AWS when absent. */
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `https://host/bucket/key` instead of `https://bucket.host/key` (most S3-compatible servers). */
  forcePathStyle: boolean;
  /** Prepended to every key, to share a bucket. */
  prefix?: string;
}

/** An S3 bucket (or any S3-compatible object storage). */
export function s3Storage(settings: S3Settings): AssetStorage {
  // The AWS SDK (a large module tree) is loaded on the first call, not at start.
  let opened: Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined;
  const s3 = () =>
    (opened ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: settings.region,
        endpoint: settings.endpoint,
        forcePathStyle: settings.forcePathStyle,
        credentials:
          settings.accessKeyId && settings.secretAccessKey
            ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
            : undefined,
        // S3-compatible servers differ in their support of the newer flexible checksums.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    })));
  const objectKey = (key: string) => `${settings.prefix ?? ''}${checkKey(key)}`;
  return {
    kind: 's3',
    async put(key, body, contentType) {
      const { client, sdk } = await s3();
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: settings.bucket,
          Key: objectKey(key),
          Body: body,
          ContentType: contentType,
        }),
      );
    },
    async get(key) {
      const { client, sdk } = await s3();
      try {
        const answer = await client.send(
          new sdk.GetObjectCommand({ Bucket: settings.bucket, Key: objectKey(key) }),
        );
        return answer.Body ? Buffer.from(await answer.Body.transformToByteArray()) : null;
      } catch (error) {
        if (error instanceof sdk.NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
        throw error;
      }
    },
    async delete(key) {
      const { client, sdk } = await s3();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: settings.bucket, Key: objectKey(key) }));
    },
  };
}

/** What the content routes need: where files go and how large one may be. */
export interface ContentDeps {
  storage: AssetStorage;
  maxAssetBytes: number;
}

/** Embedded defaults for an app built without content settings (tests, tools): a temporary folder. */
export function defaultContentDeps(): ContentDeps {
  return { storage: localStorage(path.join(tmpdir(), 'wayline-assets')), maxAssetBytes: 10 * 1024 * 1024 };
}

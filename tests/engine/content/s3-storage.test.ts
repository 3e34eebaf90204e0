import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from '@20minutes/s3rver';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { buildApp } from '../../../engine/api/app';
import { s3Storage } from '../../../engine/content/storage';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { appDeps } from '../../helpers/app';
import { testChannelDeps } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';
import { fileForm, testPng } from './content-fixtures';

describe('assets in S3-compatible storage (a real s3rver on 127.0.0.1, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let server: S3rver;
  let client: S3Client;

  beforeAll(async () => {
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: mkdtempSync(path.join(tmpdir(), 'wayline-s3rver-')),
      configureBuckets: [{ name: 'wayline-assets' }],
    });
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
    database = await openTestDb();
    temporal = await devServerTemporal();
    app = await buildApp(
      appDeps(database, temporal, {
        channels: testChannelDeps(database.db),
        content: {
          storage: s3Storage({
            bucket: 'wayline-assets',
            endpoint,
            region: 'us-east-1',
            ...credentials,
            forcePathStyle: true,
            prefix: 'tenant-files/',
          }),
          maxAssetBytes: 1024 * 1024,
        },
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
    await server?.close();
  });

  const object = async (key: string) => {
    try {
      const answer = await client.send(new GetObjectCommand({ Bucket: 'wayline-assets', Key: key }));
      return {
        contentType: answer.ContentType,
        body: Buffer.from(await answer.Body!.transformToByteArray()),
      };
    } catch (error) {
      return (error as { name: string }).name;
    }
  };

  it('puts the file and its thumbnail in the bucket, serves them back, and deletes them with the asset', async () => {
    const ws = await createWorkspace(database.db, 'S3');
    const headers = { authorization: `Bearer ${ws.secretKey}` };
    const png = await testPng(640, 480);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/assets',
      headers,
      payload: fileForm(png, 'promo.png', 'image/png'),
    });
    expect(res.statusCode).toBe(201);
    const asset = res.json();
    expect(asset.storageKey).toBe(`${ws.id}/${asset.id}/original`);

    const original = await object(`tenant-files/${ws.id}/${asset.id}/original`);
    expect(original).toMatchObject({ contentType: 'image/png' });
    expect(Buffer.compare((original as { body: Buffer }).body, png)).toBe(0);
    const thumb = await object(`tenant-files/${ws.id}/${asset.id}/thumbnail`);
    expect(thumb).toMatchObject({ contentType: 'image/webp' });
    // 640×480 → 320×240.
    const meta = await sharp((thumb as { body: Buffer }).body).metadata();
    expect([meta.width, meta.height]).toEqual([320, 240]);

    const served = await app.inject({ method: 'GET', url: `/p/assets/${asset.id}` });
    expect(served.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(served.rawPayload, png)).toBe(0);

    expect((await app.inject({ method: 'DELETE', url: `/v1/assets/${asset.id}`, headers })).statusCode).toBe(
      204,
    );
    expect(await object(`tenant-files/${ws.id}/${asset.id}/original`)).toBe('NoSuchKey');
    expect(await object(`tenant-files/${ws.id}/${asset.id}/thumbnail`)).toBe('NoSuchKey');
  });
});

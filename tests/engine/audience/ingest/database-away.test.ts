import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { testApp } from '../../../helpers/app';
import { databaseKinds, openTestDb } from '../../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../../helpers/temporal';
import { post } from './ingest-harness';

/**
 * The database goes away under a running API (here: its connections are closed). Tracking clients
 * must be told to retry — 503 with Retry-After — whichever query fails first, including the write
 * key check that runs before any event is stored (it answered 500 before). The fault suite's
 * postgres-down scenario does the same against a PostgreSQL server that crashes and comes back.
 */
describe.each(databaseKinds())('tracking while the database is away (%s)', (kind) => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let writeKey: string;

  beforeAll(async () => {
    database = await openTestDb(kind);
    temporal = await devServerTemporal();
    app = await testApp(database, temporal);
    writeKey = (await createWorkspace(database.db, 'Away')).writeKey;
    await database.close();
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
  });

  it('answers 503 ingest_unavailable with Retry-After on the single and batch endpoints', async () => {
    const event = { type: 'track', event: 'Viewed', userId: 'u-1', messageId: 'm-1' };
    for (const [path, body] of [
      ['/v1/track', event],
      ['/v1/batch', { batch: [event] }],
    ] as const) {
      const answer = await post(app, path, writeKey, body);
      expect(answer.statusCode, path).toBe(503);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(answer.json().error.code).toBe('ingest_unavailable');
    }
  });
});

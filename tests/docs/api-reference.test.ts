import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { buildApp } from '../../engine/api/app';
import { appDeps } from '../helpers/app';
import { testChannelDeps } from '../helpers/channels';
import { openTestDb } from '../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../helpers/temporal';

describe('docs/api.md (the real API on PGlite and the Temporal dev server)', () => {
  let database: Database;
  let temporal: TemporalHarness;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
  });
  afterAll(async () => {
    await temporal?.close();
    await database?.close();
  });

  it('lists every route of the OpenAPI description', async () => {
    const app = await buildApp(appDeps(database, temporal, { channels: testChannelDeps(database.db) }));
    await app.ready();
    const spec = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    await app.close();
    const doc = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'api.md'), 'utf8');
    const missing = Object.entries(spec.paths).flatMap(([route, operations]) =>
      Object.keys(operations)
        .map(
          (method) => `${method.toUpperCase()} ${route.replace(/\{\*\}/g, '*').replace(/\{(\w+)\}/g, ':$1')}`,
        )
        .filter((entry) => !doc.includes(`\`${entry}\``)),
    );
    expect(missing).toEqual([]);
  });
});

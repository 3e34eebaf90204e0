import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { buildApp } from '../../../engine/api/app';
import { createRegistry } from '../../../engine/automation/nodes';
import { testSecretBox } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';

/** The builder's files as a browser gets them: hashed assets kept for good, the page asked again. */
describe('serving the builder UI', () => {
  let database: Database;
  let app: FastifyInstance;
  const dist = mkdtempSync(path.join(os.tmpdir(), 'wayline-ui-'));

  beforeAll(async () => {
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(
      path.join(dist, 'index.html'),
      '<script type="module" src="/assets/index-Ab12Cd34.js"></script>',
    );
    writeFileSync(path.join(dist, 'assets', 'index-Ab12Cd34.js'), 'console.log("builder")');
    database = await openTestDb();
    app = await buildApp({
      db: database.db,
      database,
      // Serving files never calls Temporal.
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      taskQueue: 'ui',
      registry: createRegistry(),
      secretBox: testSecretBox,
      uiDist: dist,
    });
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('lets the browser keep a hashed asset for a year without asking again', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-Ab12Cd34.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("builder")');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('has the browser check the page again on every visit, at its root and at a deep link', async () => {
    for (const url of ['/', '/journeys/some-id']) {
      const page = await app.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('/assets/index-Ab12Cd34.js');
      expect(page.headers['cache-control']).not.toContain('immutable');
    }
  });

  it('answers 404 for an asset that does not exist, not the page', async () => {
    const missing = await app.inject({ method: 'GET', url: '/assets/gone-0000.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain('<script');
    expect(missing.headers['cache-control'] ?? '').not.toContain('immutable');
  });
});

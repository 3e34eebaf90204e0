import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { listJourneys } from '../../../engine/automation/journeys/journeys';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { ensureDemoWorkspace } from '../../../engine/operations/seed-demo';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';

describe('bad input gets a 4xx naming the field, never a 5xx (Fastify inject, real Temporal dev server, PGlite)', () => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let workspace: NewWorkspace;

  beforeAll(async () => {
    stack = await apiStack();
    ({ database, app } = stack);
    workspace = await createWorkspace(database.db, 'Fuzzed');
  });
  afterAll(() => stack?.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: string) =>
    app.inject({
      method,
      url,
      payload,
      headers: { ...bearer(workspace.secretKey), ...(payload ? { 'content-type': 'application/json' } : {}) },
    });

  it('refuses a NUL byte in a query string with 400 naming the parameter', async () => {
    const response = await call('GET', '/v1/contacts?q=a%00b');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.field).toBe('querystring.q');
  });

  it('refuses lone surrogates and NUL bytes in JSON bodies and stores nothing', async () => {
    const surrogate = await call(
      'POST',
      '/v1/journeys',
      '{"name":"bad \\ud800","nodes":[{"id":"start","type":"trigger.manual","config":{}}],"edges":[]}',
    );
    expect(surrogate.statusCode).toBe(400);
    expect(surrogate.json().error.field).toBe('body.name');
    const nul = await call(
      'POST',
      '/v1/templates',
      '{"name":"t\\u0000","channel":"email","subject":"x","body":"y"}',
    );
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.field).toBe('body.name');
    expect(await listJourneys(database.db, workspace.id)).toHaveLength(0);
  });

  it('refuses JSON nested absurdly deep', async () => {
    const deep = `{"name":"deep","nodes":[],"edges":[],"settings":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}`;
    const response = await call('POST', '/v1/journeys', deep);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/nested deeper/);
  });

  it('answers a version beyond the integer range with 400, not a database error', async () => {
    const journey = await call(
      'POST',
      '/v1/journeys',
      JSON.stringify({
        name: 'Versions',
        nodes: [{ id: 'start', type: 'trigger.manual', config: {} }],
        edges: [],
      }),
    );
    const response = await call('GET', `/v1/journeys/${journey.json().id}/versions/9007199254740990`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.field).toBe('params.version');
  });

  it('seeds the demo workspace into a data folder that does not exist yet', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'wayline-demo-'));
    try {
      const dataDir = path.join(parent, 'not', 'there', 'yet');
      const demo = await ensureDemoWorkspace(database.db, dataDir);
      const saved = JSON.parse(readFileSync(path.join(dataDir, 'demo-workspace.json'), 'utf8'));
      expect(saved.id).toBe(demo.id);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

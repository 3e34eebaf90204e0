import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import type { JourneyRunResult } from '../../../engine/automation/runs/types';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { bearer, testApp } from '../../helpers/app';
import { openTestDb } from '../../helpers/databases';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';

const tagJourney = {
  name: 'Tagger',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'seconds' } } },
    { id: 'tag', type: 'contact.update', config: { addTags: ['tagged'] } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'tag' },
  ],
};

describe('journeys API (Fastify inject, real Temporal dev server, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let stopWorker: () => Promise<void>;
  let workspace: NewWorkspace;
  let other: NewWorkspace;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    ({ stop: stopWorker } = await startWorker(temporal, database.db));
    app = await testApp(database, temporal);
    workspace = await createWorkspace(database.db, 'Main');
    other = await createWorkspace(database.db, 'Other');
  });
  afterAll(async () => {
    await app?.close();
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    key = workspace.secretKey,
  ) => app.inject({ method, url, payload: payload as never, headers: bearer(key) });

  it('answers /health with 200 when the database and Temporal both answer', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', database: { ok: true }, temporal: { ok: true } });
  });

  it('refuses requests without a valid secret key', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/journeys' })).statusCode).toBe(401);
    const wrong = await call('GET', '/v1/journeys', undefined, 'wl_sk_not-a-key');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    expect((await call('GET', '/v1/journeys', undefined, workspace.writeKey)).statusCode).toBe(401);
  });

  it('names the field of a malformed draft and stores nothing', async () => {
    const response = await call('POST', '/v1/journeys', {
      name: 'x',
      nodes: [{ id: 'a b', type: 'exit' }],
      edges: [],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'invalid_request', field: 'body.nodes.0.id' });
    expect((await call('GET', '/v1/journeys')).json().data).toEqual([]);
  });

  it('lists node types with ports and the JSON Schema of their config', async () => {
    const response = await call('GET', '/v1/node-types');
    const types = response.json().data as { type: string; ports: { id: string }[]; configSchema: any }[];
    const wait = types.find((t) => t.type === 'wait.event')!;
    expect(wait.ports.map((p) => p.id)).toEqual(['matched', 'timeout']);
    expect(wait.configSchema.properties.timeout.properties.unit.enum).toContain('hours');
    expect(types.map((t) => t.type)).toEqual(
      expect.arrayContaining(['trigger.event', 'email.send', 'split.random']),
    );
  });

  it('validates, refuses an invalid publish with the problems on their nodes, then publishes a fixed draft', async () => {
    const broken = {
      ...tagJourney,
      nodes: [
        tagJourney.nodes[0],
        { ...tagJourney.nodes[1], config: { duration: { amount: 0, unit: 'days' } } },
        tagJourney.nodes[2],
      ],
    };
    const created = await call('POST', '/v1/journeys', broken);
    expect(created.statusCode).toBe(201);
    const id = created.json().id;

    const validation = (await call('POST', `/v1/journeys/${id}/validate`)).json();
    expect(validation.valid).toBe(false);
    expect(validation.errors[0]).toMatchObject({
      code: 'config_invalid',
      nodeId: 'wait',
      field: 'duration.amount',
    });

    const refused = await call('POST', `/v1/journeys/${id}/publish`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.problems[0].nodeId).toBe('wait');
    expect((await call('GET', `/v1/journeys/${id}/versions`)).json().data).toEqual([]);

    expect((await call('PUT', `/v1/journeys/${id}`, tagJourney)).statusCode).toBe(200);
    const published = await call('POST', `/v1/journeys/${id}/publish`, { note: 'first' });
    expect(published.statusCode).toBe(201);
    expect(published.json()).toMatchObject({ version: 1, note: 'first' });
    const journey = (await call('GET', `/v1/journeys/${id}`)).json();
    expect(journey).toMatchObject({ status: 'active', activeVersion: 1 });
    // Publishing pins the node versions into the draft, so a later publish keeps them.
    expect(journey.draft.nodes.map((n: { version?: number }) => n.version)).toEqual([1, 1, 1]);
  });

  it('hides one workspace’s journeys from another’s key', async () => {
    const created = (await call('POST', '/v1/journeys', { ...tagJourney, name: 'Private' })).json();
    const response = await call('GET', `/v1/journeys/${created.id}`, undefined, other.secretKey);
    expect(response.statusCode).toBe(404);
    expect((await call('GET', '/v1/journeys', undefined, other.secretKey)).json().data).toEqual([]);
  });

  it('enrolls contacts, shows their runs with paths and per-node counts', async () => {
    const journey = (
      await call('POST', '/v1/journeys/from-template', { template: 'birthday-greeting', name: 'Bday' })
    ).json();
    expect(journey.name).toBe('Bday');
    const created = (await call('POST', '/v1/journeys', { ...tagJourney, name: 'Counted' })).json();
    await call('POST', `/v1/journeys/${created.id}/publish`);
    const contact = (
      await call('POST', '/v1/contacts', { userId: 'api-1', email: 'api@example.com' })
    ).json();

    const enrolled = await call('POST', `/v1/journeys/${created.id}/enroll`, {
      contactIds: [contact.id, contact.id],
    });
    const [first, second] = enrolled.json().data;
    expect(first).toMatchObject({ enrolled: true, entry: 1 });
    expect(second).toMatchObject({ enrolled: false });
    const result: JourneyRunResult = await temporal.client.workflow.getHandle(first.workflowId).result();
    expect(result.status).toBe('completed');

    const runs = (await call('GET', `/v1/journeys/${created.id}/runs`)).json().data;
    expect(runs).toHaveLength(1);
    expect(runs[0].path.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start', 'wait', 'tag']);
    const counts = (await call('GET', `/v1/journeys/${created.id}/counts`)).json();
    expect(counts).toMatchObject({
      entered: 1,
      running: 0,
      nodes: { start: { entered: 1 }, tag: { entered: 1, ports: { next: 1 } } },
    });
    const contactRuns = (await call('GET', `/v1/contacts/${contact.id}/runs`)).json().data;
    expect(contactRuns[0].workflowId).toBe(first.workflowId);
  });

  it('pauses a journey so it enrolls no one, and resumes it', async () => {
    const created = (await call('POST', '/v1/journeys', { ...tagJourney, name: 'Pausable' })).json();
    expect((await call('POST', `/v1/journeys/${created.id}/pause`)).statusCode).toBe(409);
    await call('POST', `/v1/journeys/${created.id}/publish`);
    expect((await call('POST', `/v1/journeys/${created.id}/pause`)).json().status).toBe('paused');
    const contact = (await call('POST', '/v1/contacts', { userId: 'paused-1' })).json();
    const refused = await call('POST', `/v1/journeys/${created.id}/enroll`, { contactIds: [contact.id] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('journey_not_active');
    expect((await call('POST', `/v1/journeys/${created.id}/resume`)).json().status).toBe('active');
  });

  it('describes the API in OpenAPI at /docs/json', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/journeys', '/v1/journeys/{id}/publish', '/health']),
    );
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { messages } from '../../../db/schema';
import { buildApp } from '../../../engine/api/app';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { appDeps } from '../../helpers/app';
import { testChannelDeps } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { sample } from '../../helpers/prometheus';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

describe('GET /metrics (the real API on PGlite and the Temporal dev server)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    app = await buildApp(appDeps(database, temporal, { channels: testChannelDeps(database.db) }));
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
  });

  it('reports ingest requests by endpoint and status, and sends by channel and outcome, in the Prometheus format', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Acme');
    const contact = await createContact(db, workspace.id, { userId: 'u-1', email: 'ada@example.com' });
    await db.insert(messages).values([
      {
        workspaceId: workspace.id,
        contactId: contact.id,
        idempotencyKey: 'k1',
        channel: 'email',
        status: 'sent',
      },
      {
        workspaceId: workspace.id,
        contactId: contact.id,
        idempotencyKey: 'k2',
        channel: 'email',
        status: 'unknown',
      },
      {
        workspaceId: workspace.id,
        contactId: contact.id,
        idempotencyKey: 'k3',
        channel: 'sms',
        status: 'sent',
      },
    ]);
    // No write key: refused, and counted.
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/track',
      payload: { event: 'x', userId: 'u-1' },
    });
    expect(refused.statusCode).toBe(401);

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(sample(text, 'wayline_ingest_requests_total', { endpoint: 'track', status: '401' })).toBe(1);
    expect(sample(text, 'wayline_messages', { channel: 'email', status: 'sent' })).toBe(1);
    expect(sample(text, 'wayline_messages', { channel: 'email', status: 'unknown' })).toBe(1);
    expect(sample(text, 'wayline_messages', { channel: 'sms', status: 'sent' })).toBe(1);
    expect(sample(text, 'wayline_dispatch_lag_seconds')).toBe(0);
    for (const name of [
      'wayline_journey_runs',
      'wayline_activity_failures_total',
      'wayline_http_requests_total',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    // Aggregates only: nothing of a workspace or contact in the labels.
    expect(text).not.toContain(workspace.id);
    expect(text).not.toContain(contact.id);
  });
});

import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts } from '../../../../db/schema';
import { bearer } from '../../../helpers/app';
import { line } from '../../../helpers/fixtures';
import { type IngestHarness, post, startIngestHarness } from './ingest-harness';

describe('identify → segment → journey (real API, outbox dispatcher, Temporal dev server, PGlite)', () => {
  let harness: IngestHarness;

  beforeAll(async () => {
    harness = await startIngestHarness();
  });
  afterAll(() => harness?.close());

  it('enrolls a contact in a segment-triggered journey within seconds of the identify that makes it match', async () => {
    const { app, workspace, database } = harness;
    const api = (method: 'POST' | 'GET', url: string, payload?: unknown) =>
      app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });
    const segment = await api('POST', '/v1/segments', {
      name: 'Enterprise',
      definition: { rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'enterprise' }] },
    });
    expect(segment.statusCode).toBe(201);
    const journey = await api(
      'POST',
      '/v1/journeys',
      line('Enterprise onboarding', [
        { id: 'start', type: 'trigger.segment', config: { segmentId: segment.json().id } },
        { id: 'mark', type: 'contact.update', config: { addTags: ['onboarding'] } },
      ]),
    );
    expect((await api('POST', `/v1/journeys/${journey.json().id}/publish`)).statusCode).toBe(201);

    expect(
      (await post(app, '/v1/identify', workspace.writeKey, { userId: 'acme-1', traits: { plan: 'free' } }))
        .statusCode,
    ).toBe(200);
    const accepted = await post(app, '/v1/identify', workspace.writeKey, {
      userId: 'acme-1',
      traits: { plan: 'enterprise', email: 'it@acme.example' },
    });
    expect([200, 202]).toContain(accepted.statusCode);

    const deadline = Date.now() + 10_000;
    let tags: string[] = [];
    while (Date.now() < deadline && !tags.includes('onboarding')) {
      const [row] = await database.db
        .select({ tags: contacts.tags })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, workspace.id), eq(contacts.externalId, 'acme-1')));
      tags = row?.tags ?? [];
      if (!tags.includes('onboarding')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(tags).toContain('onboarding');
  });
});

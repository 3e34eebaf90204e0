import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { events, journeyRuns, messages } from '../../../../db/schema';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { bearer, testApp } from '../../../helpers/app';
import { openTestDb } from '../../../helpers/databases';
import { line } from '../../../helpers/fixtures';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../../helpers/temporal';

describe('contacts API (Fastify inject, real Temporal dev server, PGlite)', () => {
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
    workspace = await createWorkspace(database.db, 'Contacts');
    other = await createWorkspace(database.db, 'Other');
  });
  afterAll(async () => {
    await app?.close();
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    key = workspace.secretKey,
  ) => app.inject({ method, url, payload: payload as never, headers: bearer(key) });

  async function finishedJob(id: string) {
    for (let i = 0; i < 200; i++) {
      const job = (await call('GET', `/v1/jobs/${id}`)).json();
      if (job.status === 'completed' || job.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} never finished`);
  }

  it('creates, updates (merge, unset, tags, subscriptions) and reads a contact', async () => {
    const created = await call('POST', '/v1/contacts', {
      userId: 'ada',
      email: 'ada@example.com',
      attributes: { plan: 'free', city: 'London' },
      tags: ['beta'],
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const updated = await call('PATCH', `/v1/contacts/${id}`, {
      attributes: { plan: 'pro' },
      unsetAttributes: ['city'],
      addTags: ['vip'],
      removeTags: ['beta'],
      timezone: 'Europe/London',
      phone: '+447700900123',
      subscriptions: { email: 'unsubscribed' },
    });
    expect(updated.statusCode).toBe(200);
    const contact = (await call('GET', `/v1/contacts/${id}`)).json();
    expect(contact).toMatchObject({
      email: 'ada@example.com',
      phone: '+447700900123',
      timezone: 'Europe/London',
      attributes: { plan: 'pro' },
      tags: ['vip'],
      subscriptions: { email: 'unsubscribed' },
    });
    expect(contact.attributes.city).toBeUndefined();
    expect((await call('GET', `/v1/contacts/${id}`, undefined, other.secretKey)).statusCode).toBe(404);
  });

  it('marks and unmarks a test contact', async () => {
    const created = await call('POST', '/v1/contacts', { userId: 'qa-bot', test: true });
    expect(created.json().isTest).toBe(true);
    const unmarked = await call('PATCH', `/v1/contacts/${created.json().id}`, { test: false });
    expect(unmarked.json().isTest).toBe(false);
  });

  it('refuses an invalid time zone, email or subscription status, naming the field', async () => {
    const id = (await call('POST', '/v1/contacts', { userId: 'bad-input' })).json().id;
    const zone = await call('PATCH', `/v1/contacts/${id}`, { timezone: 'Mars/Olympus' });
    expect(zone.statusCode).toBe(400);
    expect(zone.json().error.field).toBe('body.timezone');
    const status = await call('PATCH', `/v1/contacts/${id}`, { subscriptions: { email: 'maybe' } });
    expect(status.statusCode).toBe(400);
    expect(status.json().error.field).toBe('body.subscriptions.email');
    const email = await call('POST', '/v1/contacts', { email: 'not-an-email' });
    expect(email.json().error.field).toBe('body.email');
  });

  it('searches by email, tag, attribute and text, and pages with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await call('POST', '/v1/contacts', {
        userId: `page-${i}`,
        email: `page${i}@shop.test`,
        attributes: { tier: i % 2 === 0 ? 'gold' : 'silver' },
        tags: ['paged'],
      });
    }
    await call('POST', '/v1/contacts', { userId: 'page-other', tags: ['paged'] }, other.secretKey);
    const byEmail = (await call('GET', '/v1/contacts?email=PAGE3@shop.test')).json();
    expect(byEmail.data.map((c: { externalId: string }) => c.externalId)).toEqual(['page-3']);
    const gold = (await call('GET', '/v1/contacts?tag=paged&attr=tier:gold')).json();
    expect(gold.data.map((c: { externalId: string }) => c.externalId).sort()).toEqual([
      'page-0',
      'page-2',
      'page-4',
    ]);
    const text = (await call('GET', '/v1/contacts?q=silver')).json();
    expect(text.data).toHaveLength(2);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { externalId: string }[]; nextCursor: string | null } = (
        await call('GET', `/v1/contacts?tag=paged&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((c: { externalId: string }) => c.externalId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    const bad = await call('GET', '/v1/contacts?cursor=nonsense');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('cursor');
  });

  it("shows a contact's event timeline, newest first", async () => {
    const id = (await call('POST', '/v1/contacts', { userId: 'timeline' })).json().id;
    for (const [i, name] of ['Signed Up', 'Viewed', 'Ordered'].entries()) {
      await database.db.insert(events).values({
        workspaceId: workspace.id,
        contactId: id,
        messageId: `tl-${i}`,
        type: 'track',
        name,
        timestamp: new Date(),
        receivedAt: new Date(Date.now() + i * 1000),
      });
    }
    const page = (await call('GET', `/v1/contacts/${id}/events?limit=2`)).json();
    expect(page.data.map((e: { name: string }) => e.name)).toEqual(['Ordered', 'Viewed']);
    const rest = (await call('GET', `/v1/contacts/${id}/events?limit=2&cursor=${page.nextCursor}`)).json();
    expect(rest.data.map((e: { name: string }) => e.name)).toEqual(['Signed Up']);
    expect(rest.nextCursor).toBeNull();
  });

  it('imports a CSV in the background, reporting a bad line and importing the good ones', async () => {
    const csv = [
      'userId,email,timezone,tags,plan,"favourite, quoted"',
      'imp-1,imp1@example.com,Asia/Tokyo,a;b,pro,"x, y"',
      'imp-2,not-an-email,,,free,',
      'imp-3,imp3@example.com,,,free,',
      'ada,,,imported,,',
    ].join('\n');
    const started = await app.inject({
      method: 'POST',
      url: '/v1/contacts/imports',
      headers: { ...bearer(workspace.secretKey), 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(started.statusCode).toBe(202);
    const job = await finishedJob(started.json().id);
    expect(job).toMatchObject({ status: 'completed', total: 4, done: 4, succeeded: 3, failed: 1 });
    expect(job.errors).toEqual([{ line: 3, field: 'email', message: expect.any(String) }]);
    const imported = (await call('GET', '/v1/contacts?userId=imp-1')).json().data[0];
    expect(imported).toMatchObject({
      timezone: 'Asia/Tokyo',
      tags: ['a', 'b'],
      attributes: { plan: 'pro', 'favourite, quoted': 'x, y' },
    });
    const ada = (await call('GET', '/v1/contacts?userId=ada')).json().data[0];
    expect(ada.tags).toEqual(['imported', 'vip']);
    expect(ada.attributes.plan).toBe('pro');
  });

  it('imports NDJSON, reporting invalid JSON by line number', async () => {
    const ndjson = '{"userId":"nd-1","attributes":{"score":3}}\n{oops\n\n{"email":"nd3@example.com"}\n';
    const started = await app.inject({
      method: 'POST',
      url: '/v1/contacts/imports',
      headers: { ...bearer(workspace.secretKey), 'content-type': 'application/x-ndjson' },
      payload: ndjson,
    });
    const job = await finishedJob(started.json().id);
    expect(job).toMatchObject({ status: 'completed', total: 3, succeeded: 2, failed: 1 });
    expect(job.errors[0].line).toBe(2);
  });

  it('enrolls the members of a segment as a background job with progress', async () => {
    for (let i = 0; i < 3; i++) await call('POST', '/v1/contacts', { userId: `bulk-${i}`, tags: ['bulk'] });
    const segment = (
      await call('POST', '/v1/segments', {
        name: 'Bulk',
        definition: { rules: [{ kind: 'tag', tag: 'bulk' }] },
      })
    ).json();
    const journey = (
      await call(
        'POST',
        '/v1/journeys',
        line('Manual', [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'mark', type: 'contact.update', config: { set: { bulkDone: true } } },
        ]),
      )
    ).json();
    await call('POST', `/v1/journeys/${journey.id}/publish`);
    const started = await call('POST', `/v1/journeys/${journey.id}/enroll-segment`, {
      segmentId: segment.id,
    });
    expect(started.statusCode).toBe(202);
    const job = await finishedJob(started.json().id);
    expect(job).toMatchObject({ status: 'completed', total: 3, done: 3, succeeded: 3, failed: 0 });
    const runs = await database.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
    expect(runs).toHaveLength(3);
  });

  it('exports everything about a contact, then erases it: runs cancelled at once, personal fields wiped, counts kept', async () => {
    const id = (await call('POST', '/v1/contacts', { userId: 'gdpr', email: 'gdpr@example.com' })).json().id;
    const journey = (
      await call(
        'POST',
        '/v1/journeys',
        line('Long wait', [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 30, unit: 'days' } } },
          { id: 'mark', type: 'contact.update', config: { set: { late: true } } },
        ]),
      )
    ).json();
    await call('POST', `/v1/journeys/${journey.id}/publish`);
    const enrolled = (await call('POST', `/v1/journeys/${journey.id}/enroll`, { contactIds: [id] })).json();
    const workflowId = enrolled.data[0].workflowId;
    await database.db.insert(events).values({
      workspaceId: workspace.id,
      contactId: id,
      messageId: 'gdpr-1',
      type: 'track',
      name: 'Viewed',
      properties: { page: '/secret' },
      context: { ip: '203.0.113.9' },
      timestamp: new Date(),
    });
    await database.db.insert(messages).values({
      workspaceId: workspace.id,
      idempotencyKey: 'gdpr-msg',
      contactId: id,
      channel: 'email',
      status: 'sent',
      recipient: 'gdpr@example.com',
      subject: 'Hello Gdpr',
      body: 'Dear Gdpr',
      payload: { to: 'gdpr@example.com' },
    });

    const exported = (await call('GET', `/v1/contacts/${id}/export`)).json();
    expect(exported.contact.email).toBe('gdpr@example.com');
    expect(exported.events).toHaveLength(1);
    expect(exported.messages[0].subject).toBe('Hello Gdpr');
    expect(exported.runs[0].workflowId).toBe(workflowId);

    const erased = await call('POST', `/v1/contacts/${id}/erase`);
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ cancelledRuns: 1, erasedEvents: 1, erasedMessages: 1 });
    const description = await temporal.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('TERMINATED');
    expect((await call('GET', `/v1/contacts/${id}`)).statusCode).toBe(404);
    const [event] = await database.db.select().from(events).where(eq(events.messageId, 'gdpr-1'));
    expect(event).toMatchObject({ contactId: null, properties: {}, context: {}, name: 'Viewed' });
    const [message] = await database.db
      .select()
      .from(messages)
      .where(eq(messages.idempotencyKey, 'gdpr-msg'));
    expect(message).toMatchObject({
      recipient: null,
      subject: null,
      body: null,
      payload: null,
      status: 'sent',
    });
    // The journey still counts the run that entered it, now without a contact.
    const counts = (await call('GET', `/v1/journeys/${journey.id}/counts`)).json();
    expect(counts).toMatchObject({ entered: 1, running: 0 });
    const [run] = await database.db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowId));
    expect(run).toMatchObject({ contactId: null, status: 'cancelled' });
  });
});

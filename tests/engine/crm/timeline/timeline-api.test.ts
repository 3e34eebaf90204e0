import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { events, journeyRuns, journeys, messages, nodeVisits } from '../../../../db/schema';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../../helpers/app';
import { databaseKinds } from '../../../helpers/databases';
import { identityApp, member, signIn } from '../../identity/identity-app';

describe.each(databaseKinds())('contact timeline API (Fastify inject, %s)', (kind) => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let workspace: NewWorkspace;
  let other: NewWorkspace;
  let contactId: string;
  const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute));

  beforeAll(async () => {
    stack = await apiStack({ kind, app: identityApp });
    ({ database, app } = stack);
    workspace = await createWorkspace(database.db, 'Timeline');
    other = await createWorkspace(database.db, 'Other');
    const { db } = database;
    contactId = (
      await app.inject({
        method: 'POST',
        url: '/v1/contacts',
        payload: { userId: 'tl-1', email: 'tl@example.com' },
        headers: bearer(workspace.secretKey),
      })
    ).json().id;
    // One of each kind, a minute apart: 10:01 event, 10:02 deal, 10:03 message, 10:04 journey step, 10:05 ticket.
    const event = (minute: number, name: string, properties = {}) => ({
      workspaceId: workspace.id,
      contactId,
      messageId: `tl-${minute}`,
      type: 'track',
      name,
      properties,
      timestamp: at(minute),
    });
    await db
      .insert(events)
      .values([
        event(1, 'Order Completed', { total: 120 }),
        event(2, 'Deal Stage Changed', { stage: 'Won' }),
        event(5, 'Ticket Status Changed', { status: 'resolved' }),
      ]);
    const [message] = await db
      .insert(messages)
      .values({
        workspaceId: workspace.id,
        idempotencyKey: 'tl-message',
        contactId,
        channel: 'email',
        status: 'opened',
        subject: 'Welcome aboard',
        payload: { template: 'Welcome' },
        createdAt: at(3),
      })
      .returning();
    expect(message.status).toBe('opened');
    const [journey] = await db
      .insert(journeys)
      .values({ workspaceId: workspace.id, name: 'Onboarding', draft: {} })
      .returning();
    await db.insert(journeyRuns).values({
      workspaceId: workspace.id,
      journeyId: journey.id,
      version: 1,
      contactId,
      entry: 1,
      workflowId: 'wl:tl:run',
    });
    await db.insert(nodeVisits).values({
      workspaceId: workspace.id,
      journeyId: journey.id,
      version: 1,
      workflowId: 'wl:tl:run',
      nodeId: 'send-welcome',
      visit: 1,
      port: 'next',
      enteredAt: at(4),
    });
  });
  afterAll(() => stack?.close());

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    key = workspace.secretKey,
  ) => app.inject({ method, url, payload: payload as never, headers: bearer(key) });

  it('streams events, deal and ticket changes, messages, journey steps and logged activities newest first', async () => {
    const sales = await signIn(
      app,
      (await member(database, workspace.id, 'sales', 'seller@example.com')).email,
    );
    const call6 = await sales.call('POST', `/v1/contacts/${contactId}/activities`, {
      kind: 'call',
      subject: 'Discovery call',
      body: 'Wants the pro plan',
      occurredAt: at(6).toISOString(),
      durationMinutes: 25,
      outcome: 'interested',
    });
    expect(call6.statusCode, call6.body).toBe(201);
    expect(call6.json()).toMatchObject({ kind: 'call', durationMinutes: 25 });
    const note = await call('POST', `/v1/contacts/${contactId}/activities`, {
      kind: 'note',
      body: 'Prefers email',
      occurredAt: at(7).toISOString(),
    });
    expect(note.statusCode).toBe(201);

    const page = (await call('GET', `/v1/contacts/${contactId}/timeline`)).json();
    expect(page.data.map((i: { kind: string; title: string }) => [i.kind, i.title])).toEqual([
      ['note', 'Note'],
      ['call', 'Discovery call'],
      ['ticket', 'Ticket Status Changed'],
      ['journey', 'Onboarding: send-welcome'],
      ['message', 'email: Welcome aboard'],
      ['deal', 'Deal Stage Changed'],
      ['event', 'Order Completed'],
    ]);
    expect(page.data[1].detail).toMatchObject({
      author: 'sales',
      authorEmail: 'seller@example.com',
      outcome: 'interested',
    });
    expect(page.data[4].detail).toMatchObject({ status: 'opened', template: 'Welcome' });
    expect(page.data[6].detail).toMatchObject({ properties: { total: 120 } });

    const onlyPeople = (
      await call('GET', `/v1/contacts/${contactId}/timeline?kinds=note,call,meeting`)
    ).json();
    expect(onlyPeople.data.map((i: { kind: string }) => i.kind)).toEqual(['note', 'call']);
    const crm = (await call('GET', `/v1/contacts/${contactId}/timeline?kinds=deal,ticket`)).json();
    expect(crm.data.map((i: { kind: string }) => i.kind)).toEqual(['ticket', 'deal']);

    // Paging: 3 + 3 + 1, in the same order, nothing twice.
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const next: { data: { id: string }[]; nextCursor: string | null } = (
        await call('GET', `/v1/contacts/${contactId}/timeline?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...next.data.map((i: { id: string }) => i.id));
      cursor = next.nextCursor;
    }
    expect(seen).toEqual(page.data.map((i: { id: string }) => i.id));
  });

  it('refuses bad input naming the field, and hides one workspace from another', async () => {
    const empty = await call('POST', `/v1/contacts/${contactId}/activities`, { kind: 'note', body: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toMatchObject({ code: 'note_empty', field: 'body' });
    const badKind = await call('POST', `/v1/contacts/${contactId}/activities`, { kind: 'email', body: 'x' });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().error.field).toBe('body.kind');
    const badFilter = await call('GET', `/v1/contacts/${contactId}/timeline?kinds=note,gossip`);
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.json().error.field).toBe('querystring.kinds');
    expect((await call('GET', `/v1/contacts/${contactId}/timeline?cursor=nonsense`)).statusCode).toBe(400);
    expect(
      (await call('GET', `/v1/contacts/${contactId}/timeline`, undefined, other.secretKey)).statusCode,
    ).toBe(404);
    expect(
      (
        await call(
          'POST',
          `/v1/contacts/${contactId}/activities`,
          { kind: 'note', body: 'x' },
          other.secretKey,
        )
      ).statusCode,
    ).toBe(404);
  });

  it('edits and deletes a logged activity', async () => {
    const created = (
      await call('POST', `/v1/contacts/${contactId}/activities`, {
        kind: 'meeting',
        subject: 'Demo',
        body: '',
      })
    ).json();
    const changed = await call('PUT', `/v1/contacts/${contactId}/activities/${created.id}`, {
      kind: 'meeting',
      subject: 'Product demo',
      body: 'Went well',
    });
    expect(changed.json()).toMatchObject({ subject: 'Product demo', body: 'Went well' });
    expect((await call('DELETE', `/v1/contacts/${contactId}/activities/${created.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/contacts/${contactId}/activities/${created.id}`)).statusCode).toBe(404);
  });
});

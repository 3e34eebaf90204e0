import { gunzipSync } from 'node:zlib';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { channelSettings, contacts, events, journeys, segments, workspaces } from '../../../db/schema';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { exportWorkspace, importWorkspace } from '../../../engine/operations/workspace-archive';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';
import { type Browser, identityApp, member, signIn } from '../identity/identity-app';

async function collect(lines: AsyncIterable<string>) {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}
async function* replay(lines: string[]) {
  for (const line of lines) yield line.replace(/\n$/, '');
}

describe.each(databaseKinds())(
  'workspace archive: export and import (Fastify inject, Temporal dev server, %s)',
  (kind) => {
    let database: Database;
    let other: Database;
    let temporal: TemporalHarness;
    let app: FastifyInstance;
    let otherApp: FastifyInstance;
    let owner: Browser;
    let source: { id: string };
    let segmentId: string;

    beforeAll(async () => {
      database = await openTestDb(kind);
      other = await openTestDb();
      temporal = await devServerTemporal();
      app = await identityApp(database, temporal);
      otherApp = await identityApp(other, temporal);
      source = await createWorkspace(database.db, 'Shop');
      owner = await signIn(app, (await member(database, source.id, 'owner')).email);
      const created = async (path: string, body: unknown) => {
        const response = await owner.call('POST', path, body);
        expect(response.statusCode, `${path}: ${response.body}`).toBe(201);
        return response.json();
      };
      segmentId = (
        await created('/v1/segments', {
          name: 'Buyers',
          definition: { match: 'all', rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] },
        })
      ).id;
      await created('/v1/templates', {
        name: 'welcome',
        channel: 'email',
        subject: 'Hi {{ contact.first_name }}',
        body: 'Welcome',
      });
      const journey = await created('/v1/journeys', {
        name: 'Pro onboarding',
        nodes: [
          { id: 'start', type: 'trigger.segment', config: { segmentId, on: 'enter' } },
          { id: 'done', type: 'exit', config: {} },
        ],
        edges: [{ id: 'e1', source: 'start', target: 'done' }],
        settings: {},
      });
      await database.db.update(journeys).set({ status: 'active' }).where(eq(journeys.id, journey.id));
      const response = await owner.call('PUT', '/v1/channels/email', {
        provider: 'smtp',
        config: { host: '127.0.0.1', port: 2525, from: 'shop@example.com', password: 'hunter2' },
      });
      expect(response.statusCode, response.body).toBe(200);
      for (const [i, plan] of ['pro', 'free', 'pro'].entries()) {
        const contact = await created('/v1/contacts', {
          userId: `c${i}`,
          email: `c${i}@example.com`,
          attributes: { plan, first_name: `Ada ${i}` },
          tags: ['imported'],
        });
        await database.db.insert(events).values({
          workspaceId: source.id,
          contactId: contact.id,
          messageId: `order-${i}`,
          type: 'track',
          name: 'Order Completed',
          properties: { revenue: 10 * (i + 1), currency: 'EUR' },
          timestamp: new Date(Date.UTC(2026, 10, i + 1)),
        });
      }
    });
    afterAll(async () => {
      await app?.close();
      await otherApp?.close();
      await temporal?.close();
      await database?.close();
      await other?.close();
    });

    it('imports a workspace next to its source with new ids, references followed, secrets left out', async () => {
      const lines = await collect(exportWorkspace(database.db, source.id));
      const footer = JSON.parse(lines.at(-1) as string);
      expect(footer.counts).toMatchObject({ contacts: 3, events: 3, segments: 1, templates: 1, journeys: 1 });
      expect(lines.join('')).not.toContain('hunter2');

      const imported = await importWorkspace(database.db, replay(lines), { name: 'Shop (copy)' });
      expect(imported.counts).toEqual(Object.fromEntries(Object.entries(footer.counts).filter(([, n]) => n)));
      const { db } = database;
      const copied = await db.select().from(contacts).where(eq(contacts.workspaceId, imported.workspaceId));
      const originals = await db.select().from(contacts).where(eq(contacts.workspaceId, source.id));
      expect(copied.map((c) => c.externalId).sort()).toEqual(['c0', 'c1', 'c2']);
      expect(copied.some((c) => originals.some((o) => o.id === c.id))).toBe(false);
      expect(copied.find((c) => c.externalId === 'c1')?.attributes).toMatchObject({
        plan: 'free',
        first_name: 'Ada 1',
      });
      // Each event follows its contact.
      const copiedEvents = await db
        .select({ messageId: events.messageId, contact: contacts.externalId, properties: events.properties })
        .from(events)
        .innerJoin(contacts, eq(contacts.id, events.contactId))
        .where(eq(events.workspaceId, imported.workspaceId));
      expect(copiedEvents.map((e) => `${e.messageId}:${e.contact}`).sort()).toEqual([
        'order-0:c0',
        'order-1:c1',
        'order-2:c2',
      ]);
      // The journey's trigger names the copy's segment, and the journey waits to be resumed.
      const [segment] = await db
        .select()
        .from(segments)
        .where(eq(segments.workspaceId, imported.workspaceId));
      expect(segment.id).not.toBe(segmentId);
      const [journey] = await db
        .select()
        .from(journeys)
        .where(eq(journeys.workspaceId, imported.workspaceId));
      expect(journey.status).toBe('paused');
      expect(JSON.stringify(journey.draft)).toContain(segment.id);
      expect(JSON.stringify(journey.draft)).not.toContain(segmentId);
      const [email] = await db
        .select()
        .from(channelSettings)
        .where(
          and(eq(channelSettings.workspaceId, imported.workspaceId), eq(channelSettings.channel, 'email')),
        );
      expect(email.secrets).toBeNull();
      expect(email.config).toMatchObject({ host: '127.0.0.1', port: 2525 });
      // The source is as it was.
      const [sourceJourney] = await db.select().from(journeys).where(eq(journeys.workspaceId, source.id));
      expect(sourceJourney.status).toBe('active');
    });

    it('refuses a cut-off or altered archive and leaves nothing behind', async () => {
      const lines = await collect(exportWorkspace(database.db, source.id));
      const before = (await database.db.select().from(workspaces)).length;
      await expect(importWorkspace(database.db, replay(lines.slice(0, -1)))).rejects.toMatchObject({
        code: 'archive_invalid',
        field: 'archive',
      });
      const altered = lines.map((line) => line.replace('"Order Completed"', '"Order\\u0000Completed"'));
      await expect(importWorkspace(database.db, replay(altered))).rejects.toMatchObject({
        code: 'archive_invalid',
      });
      const unknownTable = [lines[0], '{"table":"no_such_table","row":{}}', ...lines.slice(1)];
      await expect(importWorkspace(database.db, replay(unknownTable))).rejects.toMatchObject({
        code: 'archive_invalid',
      });
      expect((await database.db.select().from(workspaces)).length).toBe(before);
    });

    it('downloads the archive over HTTP and imports it into another instance as its owner', async () => {
      const download = await owner.call('GET', '/v1/workspace/export');
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('application/gzip');
      const archive = download.rawPayload;
      expect(gunzipSync(archive).toString('utf8').split('\n')[0]).toContain('wayline-workspace-archive');

      const elsewhere = await createWorkspace(other.db, 'Elsewhere');
      const newOwner = await signIn(otherApp, (await member(other, elsewhere.id, 'owner')).email);
      const imported = await newOwner.call('POST', '/v1/workspaces/import?name=Moved', archive, {
        'content-type': 'application/gzip',
      });
      expect(imported.statusCode, imported.body).toBe(201);
      expect(imported.json()).toMatchObject({ name: 'Moved', counts: { contacts: 3, events: 3 } });
      const workspacesOfOwner = (await newOwner.call('GET', '/v1/workspaces')).json();
      expect(JSON.stringify(workspacesOfOwner)).toContain(imported.json().id);

      const garbage = await newOwner.call(
        'POST',
        '/v1/workspaces/import',
        Buffer.from([0x1f, 0x8b, 1, 2, 3]),
        {
          'content-type': 'application/gzip',
        },
      );
      expect(garbage.statusCode).toBe(400);
      expect(garbage.json().error.field).toBe('archive');
      const marketer = await signIn(app, (await member(database, source.id, 'marketer')).email);
      expect((await marketer.call('GET', '/v1/workspace/export')).statusCode).toBe(403);
    });
  },
);

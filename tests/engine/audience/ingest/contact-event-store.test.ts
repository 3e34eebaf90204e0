import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { events, outbox } from '../../../../db/schema';
import { applyContactChanges } from '../../../../engine/audience/contacts/contact-store';
import { storeContactEvent } from '../../../../engine/audience/ingest/contact-event';
import { databaseKinds, openTestDb } from '../../../helpers/databases';
import { workspaceWithContact } from '../../../helpers/fixtures';

/** An event Wayline produces is stored with its outbox row in one statement, once per message id. */
describe.each(databaseKinds())('storeContactEvent (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());
  /** The workspace's stored events and outbox rows. */
  const storedIn = async (workspaceId: string) => ({
    events: await database.db.select().from(events).where(eq(events.workspaceId, workspaceId)),
    outbox: await database.db.select().from(outbox).where(eq(outbox.workspaceId, workspaceId)),
  });

  it('stores the event and one pending outbox row for it; a repeated message id stores nothing', async () => {
    const { db } = database;
    const { workspace, contact } = await workspaceWithContact(db);
    const event = {
      workspaceId: workspace.id,
      contactId: contact.id,
      messageId: 'contact-updated:run-1:tag:1',
      name: 'Contact Updated',
      properties: { addTags: ['vip'] },
      context: { source: 'journey' },
      timestamp: new Date('2026-11-30T10:00:00Z'),
    };
    const first = await storeContactEvent(db, event);
    expect(first.stored).toBe(true);
    const second = await storeContactEvent(db, { ...event, properties: { addTags: ['other'] } });
    expect(second).toEqual({ stored: false });

    const { events: stored, outbox: rows } = await storedIn(workspace.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: first.eventId,
      contactId: contact.id,
      type: 'track',
      name: 'Contact Updated',
      // The first write of a message id wins.
      properties: { addTags: ['vip'] },
      context: { source: 'journey' },
    });
    expect(stored[0].timestamp.toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ eventId: first.eventId, contactId: contact.id, status: 'pending' });
  });

  it('stores a contact update and the event reporting it together, the event once per message id', async () => {
    const { db } = database;
    const { workspace, contact } = await workspaceWithContact(db);
    const change = {
      workspaceId: workspace.id,
      contactId: contact.id,
      messageId: 'run-2:node-1:contact-change:1',
      type: 'identify' as const,
      name: null,
      properties: { addTags: ['vip'], set: { plan: 'pro' } },
      context: { source: 'wayline-node' },
    };
    const updated = await applyContactChanges(
      db,
      workspace.id,
      contact.id,
      { addTags: ['vip'], set: { plan: 'pro' } },
      change,
    );
    expect(updated).toMatchObject({ id: contact.id, tags: ['vip'], attributes: { plan: 'pro' } });
    expect(updated?.updatedAt).toBeInstanceOf(Date);
    // A retried node: the change applies again (the same result), its event is not stored twice.
    const again = await applyContactChanges(
      db,
      workspace.id,
      contact.id,
      { addTags: ['vip'], set: { plan: 'pro' } },
      change,
    );
    expect(again).toMatchObject({ tags: ['vip'], attributes: { plan: 'pro' } });

    const { events: stored, outbox: rows } = await storedIn(workspace.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      contactId: contact.id,
      messageId: change.messageId,
      type: 'identify',
      name: null,
      properties: change.properties,
      context: change.context,
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ eventId: stored[0].id, contactId: contact.id, status: 'pending' });
  });

  it('stores no event for a contact that does not exist', async () => {
    const { db } = database;
    const { workspace } = await workspaceWithContact(db);
    const missing = randomUUID();
    const updated = await applyContactChanges(
      db,
      workspace.id,
      missing,
      { addTags: ['vip'] },
      {
        workspaceId: workspace.id,
        contactId: missing,
        messageId: 'run-3:node-1:contact-change:1',
        type: 'identify',
        name: null,
        properties: { addTags: ['vip'] },
      },
    );
    expect(updated).toBeUndefined();
    expect(await storedIn(workspace.id)).toEqual({ events: [], outbox: [] });
  });
});

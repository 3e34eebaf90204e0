import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { contacts, events, outbox } from '../../../db/schema';
import { ingestMessages } from '../../../engine/audience/ingest/ingest';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';

/**
 * A request's events are stored set-based in one transaction: one statement inserts the events
 * and, for those inserted, their outbox rows. What a client sees and what the dispatcher gets
 * must be what storing them one by one gave.
 */
describe.each(databaseKinds())('set-based store of a request (%s)', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  const track = (userId: string, event: string, messageId = randomUUID()) => ({
    type: 'track',
    userId,
    event,
    messageId,
  });

  async function stored(workspaceId: string) {
    const { db } = database;
    const rows = await db
      .select({
        outboxId: outbox.id,
        eventId: outbox.eventId,
        outboxContact: outbox.contactId,
        eventContact: events.contactId,
        name: events.name,
        messageId: events.messageId,
        userId: contacts.externalId,
      })
      .from(events)
      .leftJoin(outbox, eq(outbox.eventId, events.id))
      .leftJoin(contacts, eq(contacts.id, events.contactId))
      .where(eq(events.workspaceId, workspaceId))
      .orderBy(asc(outbox.id));
    return rows;
  }

  it('one outbox row per stored event, in arrival order, none for duplicates and rejections', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Outbox per event');
    const earlier = randomUUID();
    await ingestMessages(db, { workspaceId: workspace.id, messages: [track('ann', 'Earlier', earlier)] });

    const repeated = randomUUID();
    const outcomes = await ingestMessages(db, {
      workspaceId: workspace.id,
      messages: [
        track('ann', 'A1'), // 0 stored
        track('bob', 'B1'), // 1 stored (new contact)
        { type: 'track', userId: 'ann', messageId: randomUUID() }, // 2 rejected: no event name
        track('ann', 'A2', repeated), // 3 stored
        track('ann', 'A2 again', repeated), // 4 duplicate inside the batch
        track('ann', 'Earlier again', earlier), // 5 duplicate of an earlier request
        { type: 'shout', userId: 'bob', messageId: randomUUID() }, // 6 rejected: unknown type
        track('bob', 'B2'), // 7 stored
      ],
    });
    expect(outcomes.map((o) => o.status)).toEqual([
      'stored',
      'stored',
      'rejected',
      'stored',
      'duplicate',
      'duplicate',
      'rejected',
      'stored',
    ]);
    expect(outcomes[2]).toMatchObject({ index: 2, field: 'event' });
    expect(outcomes[6]).toMatchObject({ index: 6, code: 'invalid_type', field: 'type' });

    const rows = await stored(workspace.id);
    // 1 earlier + 4 stored now; each with exactly one outbox row on the event's own contact.
    expect(rows.map((r) => r.name)).toEqual(['Earlier', 'A1', 'B1', 'A2', 'B2']);
    expect(rows.every((r) => r.outboxId !== null && r.outboxContact === r.eventContact)).toBe(true);
    expect(rows.map((r) => r.userId)).toEqual(['ann', 'ann', 'bob', 'ann', 'bob']);
    // What the answer says is what was written.
    for (const outcome of outcomes) {
      if (outcome.status !== 'stored') continue;
      const row = rows.find((r) => r.eventId === outcome.eventId);
      expect(row).toMatchObject({ outboxId: outcome.outboxId, eventContact: outcome.contactId });
    }
  });

  it('concurrent requests resending overlapping ids: each id stored once with one outbox row, the answers adding up', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Concurrent overlap');
    // Three requests of 60 events over 100 ids: request k sends ids 20k .. 20k+59, so ids
    // 20..79 are sent twice and 40..59 three times; 100 distinct ids in all.
    const ids = Array.from({ length: 100 }, () => randomUUID());
    const answers = await Promise.all(
      [0, 1, 2].map((k) =>
        ingestMessages(db, {
          workspaceId: workspace.id,
          messages: ids.slice(20 * k, 20 * k + 60).map((id, i) => track(`u${i % 9}`, `R${k}`, id)),
        }),
      ),
    );
    const all = answers.flat();
    expect(all.filter((o) => o.status === 'stored')).toHaveLength(100);
    expect(all.filter((o) => o.status === 'duplicate')).toHaveLength(80);
    const rows = await stored(workspace.id);
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.messageId)).size).toBe(100);
    expect(rows.every((r) => r.outboxId !== null)).toBe(true);
    // Nine users, one contact each, however the requests interleaved.
    const people = await db.select().from(contacts).where(eq(contacts.workspaceId, workspace.id));
    expect(people.map((c) => c.externalId).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `u${i}`));
  });

  it('concurrent requests naming the same new users: one contact per user id and per anonymous id, every event on its own', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Concurrent new users');
    // Four requests of 30 events, all new ids: event i of request k is by user n${i % 6} when i is
    // even (n0, n2, n4: 5 events each per request, 20 in all), by anonymous visitor v${i % 5}
    // when odd (v0 … v4: 3 each per request, 12 in all). 8 contacts, 120 events.
    const answers = await Promise.all(
      [0, 1, 2, 3].map((k) =>
        ingestMessages(db, {
          workspaceId: workspace.id,
          messages: Array.from({ length: 30 }, (_, i) =>
            i % 2 === 0
              ? track(`n${i % 6}`, `R${k}`)
              : { type: 'track', anonymousId: `v${i % 5}`, event: `R${k}`, messageId: randomUUID() },
          ),
        }),
      ),
    );
    expect(answers.flat().filter((o) => o.status === 'stored')).toHaveLength(120);
    const people = await db.select().from(contacts).where(eq(contacts.workspaceId, workspace.id));
    expect(
      people
        .filter((c) => c.externalId)
        .map((c) => c.externalId)
        .sort(),
    ).toEqual(['n0', 'n2', 'n4']);
    expect(
      people
        .filter((c) => !c.externalId)
        .map((c) => c.anonymousId)
        .sort(),
    ).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    // Each event on the contact of its own id, with its outbox row on the same contact.
    const rows = await db
      .select({ contact: events.contactId, outboxContact: outbox.contactId })
      .from(events)
      .innerJoin(outbox, eq(outbox.eventId, events.id))
      .where(eq(events.workspaceId, workspace.id));
    expect(rows).toHaveLength(120);
    expect(rows.every((r) => r.contact !== null && r.contact === r.outboxContact)).toBe(true);
    const perContact = new Map<string, number>();
    for (const r of rows) perContact.set(r.contact as string, (perContact.get(r.contact as string) ?? 0) + 1);
    expect(
      Object.fromEntries(people.map((c) => [c.externalId ?? c.anonymousId, perContact.get(c.id)])),
    ).toEqual({ n0: 20, n2: 20, n4: 20, v0: 12, v1: 12, v2: 12, v3: 12, v4: 12 });
  });
});

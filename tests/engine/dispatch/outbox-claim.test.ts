import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { events, outbox } from '../../../db/schema';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { claimOutbox } from '../../../engine/dispatch/outbox-queue';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';

/**
 * Claiming outbox rows keeps each contact's events in order: a row is not claimed while an
 * earlier row of its contact is pending and not claimed with it (backing off, or outside the
 * ids handed over), and a claimed row is leased so it is not claimed again.
 */
describe.each(databaseKinds())('claiming outbox rows (%s)', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  it('skips a row behind an earlier pending row of its contact, and claims both once it is due', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Outbox claim');
    const ann = await createContact(db, workspace.id, { userId: 'ann' });
    const bob = await createContact(db, workspace.id, { userId: 'bob' });
    const row = async (contactId: string) => {
      const [event] = await db
        .insert(events)
        .values({
          workspaceId: workspace.id,
          contactId,
          messageId: randomUUID(),
          type: 'track',
          name: 'Viewed',
          timestamp: new Date(),
        })
        .returning({ id: events.id });
      const [inserted] = await db
        .insert(outbox)
        .values({ workspaceId: workspace.id, eventId: event.id, contactId })
        .returning({ id: outbox.id });
      return inserted.id;
    };
    const ann1 = await row(ann.id);
    const ann2 = await row(ann.id);
    const bob1 = await row(bob.id);
    // Ann's first row is backing off for an hour.
    await db.update(outbox).set({ nextAttemptAt: sql`now() + interval '1 hour'` }).where(eq(outbox.id, ann1));

    // Handed over alone, Ann's second row waits for her first.
    expect(await claimOutbox(db, { limit: 10, leaseMs: 60_000, ids: [ann2] })).toEqual([]);
    // The loop claims Bob's row only.
    const first = await claimOutbox(db, { limit: 10, leaseMs: 60_000 });
    expect(first.map((r) => r.id)).toEqual([bob1]);
    expect(first[0].attempts).toBe(1);
    expect(first[0].nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000);

    // Ann's first row is due again: both of hers are claimed together, in order; Bob's is leased.
    await db.update(outbox).set({ nextAttemptAt: sql`now()` }).where(eq(outbox.id, ann1));
    const second = await claimOutbox(db, { limit: 10, leaseMs: 60_000 });
    expect(second.map((r) => r.id)).toEqual([ann1, ann2]);
    expect(await claimOutbox(db, { limit: 10, leaseMs: 60_000 })).toEqual([]);
    const attempts = await db
      .select({ id: outbox.id, attempts: outbox.attempts })
      .from(outbox)
      .where(inArray(outbox.id, [ann1, ann2, bob1]));
    expect(Object.fromEntries(attempts.map((r) => [r.id, r.attempts]))).toEqual({
      [ann1]: 1,
      [ann2]: 1,
      [bob1]: 1,
    });
  });
});

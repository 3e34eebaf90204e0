import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, events, journeyRuns, outbox } from '../../../db/schema';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { deleteContact } from '../../../engine/operations/erase-contact';
import { databaseKinds } from '../../helpers/databases';
import { line, publishGraph } from '../../helpers/fixtures';
import { eventually, type IngestHarness, startIngestHarness } from '../audience/ingest/ingest-harness';

/**
 * Neither the outbox nor events have foreign keys (ingest writes a row of each per event, and
 * their checks were a good part of a batch's time): deleting a contact deletes its pending rows
 * and unlinks its events itself, and a row whose contact or event is gone anyway (written while
 * the contact was being deleted) is marked delivered on its first attempt, starting nothing,
 * instead of failing again and again.
 */
describe.each(databaseKinds())('outbox rows whose contact or event is gone (%s)', (kind) => {
  let h: IngestHarness;

  beforeAll(async () => {
    h = await startIngestHarness(kind);
  });
  afterAll(async () => h?.close());

  /** An event of `contactId` and its outbox row, backing off for an hour (out of the dispatcher's reach). */
  const pendingRow = async (contactId: string, eventId?: string) => {
    const { db } = h.database;
    const id =
      eventId ??
      (
        await db
          .insert(events)
          .values({
            workspaceId: h.workspace.id,
            contactId,
            messageId: randomUUID(),
            type: 'track',
            name: 'Viewed',
            timestamp: new Date(),
          })
          .returning({ id: events.id })
      )[0].id;
    const [row] = await db
      .insert(outbox)
      .values({
        workspaceId: h.workspace.id,
        eventId: id,
        contactId,
        nextAttemptAt: sql`now() + interval '1 hour'`,
      })
      .returning({ id: outbox.id });
    return row.id;
  };

  const rowsOf = (ids: number[]) =>
    h.database.db
      .select({
        id: outbox.id,
        status: outbox.status,
        attempts: outbox.attempts,
        lastError: outbox.lastError,
      })
      .from(outbox)
      .where(inArray(outbox.id, ids))
      .orderBy(outbox.id);

  it('rows of a deleted contact and of a missing event end delivered after one attempt, starting no run', async () => {
    const { db } = h.database;
    const { journey } = await publishGraph(
      db,
      h.workspace.id,
      line('Viewed', [
        { id: 'viewed', type: 'trigger.event', config: { event: 'Viewed' } },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
      ]),
    );
    const gone = await createContact(db, h.workspace.id, { userId: 'gone-soon' });
    const kept = await createContact(db, h.workspace.id, { userId: 'still-here' });
    const goneRows = [await pendingRow(gone.id), await pendingRow(gone.id)];
    // No foreign key: a row may name an event that does not exist.
    const missingEvent = await pendingRow(kept.id, randomUUID());
    // The contact is deleted behind the outbox's back (as when its row is written meanwhile).
    await db.delete(contacts).where(eq(contacts.id, gone.id));
    const ids = [...goneRows, missingEvent];
    await db.update(outbox).set({ nextAttemptAt: sql`now()` }).where(inArray(outbox.id, ids));
    h.dispatcher.kick();

    const rows = await eventually(async () => {
      const current = await rowsOf(ids);
      return current.every((row) => row.status !== 'pending') ? current : undefined;
    });
    expect(rows).toEqual(ids.map((id) => ({ id, status: 'delivered', attempts: 1, lastError: null })));
    const runs = await db
      .select({ id: journeyRuns.id })
      .from(journeyRuns)
      .where(eq(journeyRuns.journeyId, journey.id));
    expect(runs).toEqual([]);
  });

  it('deleting a contact deletes its pending rows, keeps its delivered ones and unlinks its events', async () => {
    const { db } = h.database;
    const contact = await createContact(db, h.workspace.id, { userId: 'deleted-by-hand' });
    const other = await createContact(db, h.workspace.id, { userId: 'bystander' });
    const [pending, delivered] = [await pendingRow(contact.id), await pendingRow(contact.id)];
    const othersRow = await pendingRow(other.id);
    await db.update(outbox).set({ status: 'delivered' }).where(eq(outbox.id, delivered));

    await deleteContact({ db, temporal: h.temporal.client }, h.workspace.id, contact.id);

    expect(await rowsOf([pending, delivered, othersRow])).toEqual([
      { id: delivered, status: 'delivered', attempts: 0, lastError: null },
      { id: othersRow, status: 'pending', attempts: 0, lastError: null },
    ]);
    const eventIds = (
      await db
        .select({ eventId: outbox.eventId })
        .from(outbox)
        .where(inArray(outbox.id, [delivered, othersRow]))
    ).map((row) => row.eventId);
    const linked = await db
      .select({ contactId: events.contactId })
      .from(events)
      .where(inArray(events.id, eventIds))
      .orderBy(events.contactId);
    // Its event is unlinked, the bystander's stays linked.
    expect(linked.map((row) => row.contactId).sort()).toEqual([other.id, null].sort());
  });
});

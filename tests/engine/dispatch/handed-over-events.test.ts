import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts, events, journeyRuns, outbox } from '../../../db/schema';
import { ingestMessages } from '../../../engine/audience/ingest/ingest';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds } from '../../helpers/databases';
import { dispatchSuite, handOverOnlyDispatcher, publishSignUpJourney } from './dispatch-helpers';

/**
 * The ingest routes hand their rows to the dispatcher with the events as they stored them
 * (`Dispatcher.deliver`'s `events`), so delivering a batch does not read its events back.
 */
describe.each(databaseKinds())('rows handed over with their events (%s)', (kind) => {
  const suite = dispatchSuite(kind);

  it('delivers the events as accepted, and none of a contact deleted before delivery', async () => {
    const { db } = suite.database;
    const workspace = await createWorkspace(db, `Handed ${randomUUID().slice(0, 8)}`);
    const journey = await publishSignUpJourney(db, workspace.id);
    const dispatcher = await handOverOnlyDispatcher(suite);
    const outcomes = await ingestMessages(db, {
      workspaceId: workspace.id,
      messages: ['ada', 'bob', 'cy'].map((userId) => ({
        type: 'track',
        userId,
        event: 'Signed Up',
        properties: { plan: 'pro' },
        context: { source: 'signup-form' },
        messageId: randomUUID(),
      })),
    });
    const stored = outcomes.flatMap((o) => (o.status === 'stored' ? [o] : []));
    expect(stored).toHaveLength(3);
    const [ada, bob, cy] = stored;
    expect(ada.event).toMatchObject({
      id: ada.eventId,
      workspaceId: workspace.id,
      contactId: ada.contactId,
      type: 'track',
      name: 'Signed Up',
      properties: { plan: 'pro' },
      source: 'signup-form',
    });

    // Bob's contact is deleted before delivery; Cy's stored event is renamed meanwhile, which a
    // delivery reading it back would see (and start no run for).
    await db.delete(contacts).where(eq(contacts.id, bob.contactId));
    await db.update(events).set({ name: 'Renamed' }).where(eq(events.id, cy.eventId));

    const ids = stored.map((o) => o.outboxId);
    expect(
      await dispatcher.deliver(
        ids,
        stored.map((o) => o.event),
      ),
    ).toBe(true);

    const rows = await db.select().from(outbox).where(inArray(outbox.id, ids));
    expect(rows.map((row) => row.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const runs = await db
      .select({ contactId: journeyRuns.contactId })
      .from(journeyRuns)
      .where(and(eq(journeyRuns.journeyId, journey.journey.id), eq(journeyRuns.workspaceId, workspace.id)));
    expect(runs.map((run) => run.contactId).sort()).toEqual([ada.contactId, cy.contactId].sort());
  });
});

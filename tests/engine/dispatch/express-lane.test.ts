import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { contacts, outbox } from '../../../db/schema';
import { ingestMessages } from '../../../engine/audience/ingest/ingest';
import { createJourney, publishJourney } from '../../../engine/automation/journeys/journeys';
import { createRegistry } from '../../../engine/automation/nodes';
import { runWorkflowId } from '../../../engine/automation/runs/types';
import { claimOutbox } from '../../../engine/dispatch/outbox-queue';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds } from '../../helpers/databases';
import { line } from '../../helpers/fixtures';
import { dispatchSuite, handOverOnlyDispatcher } from './dispatch-helpers';

/**
 * Small hand-overs (a single event) are delivered in a lane of their own beside the batches;
 * a contact's events still reach dispatch in the order they were stored, across the lanes.
 */
describe.each(databaseKinds())('the dispatcher’s lane for single events (%s)', (kind) => {
  const suite = dispatchSuite(kind);

  const stored = async (workspaceId: string, userIds: string[], event = 'Product Viewed') => {
    const outcomes = await ingestMessages(suite.database.db, {
      workspaceId,
      messages: userIds.map((userId) => ({
        type: 'track',
        userId,
        event,
        messageId: randomUUID(),
      })),
    });
    return outcomes.map((o) => (o.status === 'stored' ? o.outboxId : Number.NaN));
  };

  it('delivers a single event stored after its contact’s batch only after that batch’s row', async () => {
    const { db } = suite.database;
    const workspace = await createWorkspace(db, `Lanes ${randomUUID().slice(0, 8)}`);
    // No polling to speak of: only the lanes' kicks can hand the waiting row to the loop.
    const dispatcher = await handOverOnlyDispatcher(suite);
    // A 60-event batch (the batch lane) with the contact's first event, then its second alone.
    const batch = await stored(
      workspace.id,
      Array.from({ length: 60 }, (_, i) => (i === 30 ? 'both-lanes' : `shopper-${i}`)),
    );
    const [single] = await stored(workspace.id, ['both-lanes']);
    const first = batch[30];
    expect(single).toBeGreaterThan(first);
    const [batchDelivered] = await Promise.all([dispatcher.deliver(batch), dispatcher.deliver([single])]);
    expect(batchDelivered).toBe(true);
    await expect
      .poll(
        async () =>
          (
            await db
              .select()
              .from(outbox)
              .where(inArray(outbox.id, [first, single]))
          ).filter((row) => row.status === 'delivered').length,
        { timeout: 15_000, interval: 100 },
      )
      .toBe(2);
    const rows = await db
      .select()
      .from(outbox)
      .where(inArray(outbox.id, [first, single]));
    const deliveredAt = new Map(rows.map((row) => [row.id, row.deliveredAt?.getTime() ?? Number.NaN]));
    expect(deliveredAt.get(single)).toBeGreaterThanOrEqual(deliveredAt.get(first) as number);
    // Claimed once each: the single event waited for its turn instead of failing.
    expect(rows.map((row) => row.attempts)).toEqual([1, 1]);
  });

  // PostgreSQL only: holding one delivery on a lock needs a second connection, which PGlite (one
  // connection, one transaction at a time) does not have.
  if (kind === 'postgres') {
    it('delivers a single event while an earlier one’s delivery is held up', async () => {
      const { db } = suite.database;
      const workspace = await createWorkspace(db, `Held ${randomUUID().slice(0, 8)}`);
      const journey = await createJourney(
        db,
        workspace.id,
        line('Welcome', [
          { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' } },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
        ]),
      );
      await publishJourney(db, createRegistry(), workspace.id, journey.id);
      // Only the lane delivers.
      const dispatcher = await handOverOnlyDispatcher(suite);
      const [held] = await stored(workspace.id, ['held'], 'Signed Up');
      const [quick] = await stored(workspace.id, ['quick'], 'Signed Up');
      const [heldContact] = await db
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, workspace.id), eq(contacts.externalId, 'held')));
      // Another connection claims the held contact's run first and keeps its transaction open:
      // the enrolment's insert of the same run waits for it.
      const other = postgres(suite.database.url as string, { max: 1, onnotice: () => {} });
      const blocker = await other.reserve();
      await blocker`begin`;
      await blocker`insert into journey_runs (workspace_id, journey_id, version, contact_id, entry, workflow_id)
        values (${workspace.id}, ${journey.id}, 1, ${heldContact.id}, 1,
          ${runWorkflowId(workspace.id, journey.id, heldContact.id)})`;
      try {
        const heldDelivered = dispatcher.deliver([held]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        // The lane delivers the next event beside the one held up, not after it.
        expect(await dispatcher.deliver([quick])).toBe(true);
        const [heldRow] = await db.select().from(outbox).where(eq(outbox.id, held));
        expect(heldRow.status).toBe('pending');
        await blocker`rollback`;
        expect(await heldDelivered).toBe(true);
      } finally {
        blocker.release();
        await other.end();
        await dispatcher.stop();
        suite.dispatcher = undefined;
      }
    });
  }

  it('delivers the single events handed over while a batch delivers together, in one batch', async () => {
    const { db } = suite.database;
    const workspace = await createWorkspace(db, `Together ${randomUUID().slice(0, 8)}`);
    const dispatcher = await handOverOnlyDispatcher(suite);
    const ids = await stored(
      workspace.id,
      Array.from({ length: 12 }, (_, i) => `single-${i}`),
    );
    // Twelve requests' hand-overs at once: the first starts a batch, the rest arrive while it
    // delivers and wait for it instead of starting batches of their own beside it.
    const delivered = await Promise.all(ids.map((id) => dispatcher.deliver([id])));
    expect(delivered.every(Boolean)).toBe(true);
    const rows = await db.select().from(outbox).where(inArray(outbox.id, ids));
    const batches = new Set(rows.map((row) => row.deliveredAt?.getTime()));
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);
    // One mark per batch: the first event's, then the other eleven's.
    expect(batches.size).toBe(2);
  });

  it('starts a batch at most once per pace while single events keep coming', async () => {
    const { db } = suite.database;
    const workspace = await createWorkspace(db, `Paced ${randomUUID().slice(0, 8)}`);
    // A pace far longer than the stream below, so the count cannot depend on the machine.
    const dispatcher = await handOverOnlyDispatcher(suite, { expressPaceMs: 2_000 });
    const ids = await stored(
      workspace.id,
      Array.from({ length: 20 }, (_, i) => `stream-${i}`),
    );
    // Twenty requests' hand-overs, one every 5 ms: the first goes at once (no batch started
    // before it), the other nineteen arrive within the pace and go together when it has passed,
    // though the first batch delivered long before.
    const delivered: Promise<boolean>[] = [];
    for (const id of ids) {
      delivered.push(dispatcher.deliver([id]));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await Promise.all(delivered)).every(Boolean)).toBe(true);
    const rows = await db.select().from(outbox).where(inArray(outbox.id, ids));
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);
    const batches = new Map<number | undefined, number[]>();
    for (const row of rows) {
      const at = row.deliveredAt?.getTime();
      batches.set(at, [...(batches.get(at) ?? []), row.id]);
    }
    // One mark per batch: the first event's, then the other nineteen's together.
    expect([...batches.values()].map((batch) => batch.length).sort((a, b) => a - b)).toEqual([1, 19]);
  });

  it('the loop leaves alone the rows waiting in a lane', async () => {
    const { db } = suite.database;
    const workspace = await createWorkspace(db, `Loop ${randomUUID().slice(0, 8)}`);
    const [inLane, other] = await stored(workspace.id, ['handed-over', 'left-over']);
    const claimed = await claimOutbox(db, {
      limit: 10,
      leaseMs: 60_000,
      ids: [inLane, other],
      exclude: [inLane],
    });
    expect(claimed.map((row) => row.id)).toEqual([other]);
    // Not leased by that claim: its lane claims it.
    expect(
      (await claimOutbox(db, { limit: 10, leaseMs: 60_000, ids: [inLane] })).map((row) => row.id),
    ).toEqual([inLane]);
  });
});

import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../../db';
import { events, journeyRuns, outbox } from '../../../db/schema';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { type Dispatcher, startDispatcher } from '../../../engine/dispatch/dispatcher';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { pendingRows } from '../../helpers/outbox';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';
import { publishSignUpJourney } from './dispatch-helpers';

const CONTACTS = 200;

/**
 * Two API processes each run a dispatcher against one database: `FOR UPDATE SKIP LOCKED` must
 * hand each outbox row to one of them, so every event starts its journey run once. On PostgreSQL
 * each dispatcher has its own connection pool, as two processes would; PGlite is one connection,
 * so there the two take turns on it.
 */
describe.each(databaseKinds())(
  'two dispatchers sharing one outbox (%s, Temporal dev server, worker)',
  (kind) => {
    let first: Database & { url?: string };
    let second: Database;
    let temporal: TemporalHarness;
    let stopWorker: () => Promise<void>;
    let dispatchers: Dispatcher[] = [];

    beforeAll(async () => {
      first = await openTestDb(kind);
      second = first.url ? await createDb({ url: first.url, maxConnections: 5 }) : first;
      temporal = await devServerTemporal();
      ({ stop: stopWorker } = await startWorker(temporal, first.db));
    });
    afterAll(async () => {
      for (const dispatcher of dispatchers) await dispatcher.stop();
      await stopWorker?.();
      await temporal?.close();
      if (second !== first) await second?.close();
      await first?.close();
    });

    it('delivers every row once and starts one run per event', async () => {
      const { db } = first;
      const workspace = await createWorkspace(db, 'Two dispatchers');
      const { journey } = await publishSignUpJourney(db, workspace.id);
      // What ingest writes: the event and its outbox row, committed before any dispatcher looks.
      for (let i = 0; i < CONTACTS; i++) {
        const contact = await createContact(db, workspace.id, { userId: `u${i}` });
        await db.transaction(async (tx) => {
          const [event] = await tx
            .insert(events)
            .values({
              workspaceId: workspace.id,
              contactId: contact.id,
              messageId: randomUUID(),
              type: 'track',
              name: 'Signed Up',
              timestamp: new Date(),
            })
            .returning({ id: events.id });
          await tx
            .insert(outbox)
            .values({ workspaceId: workspace.id, eventId: event.id, contactId: contact.id });
        });
      }
      const deps = { temporal: temporal.client, taskQueue: temporal.taskQueue };
      // A delivery that fails (a Temporal call timing out on a busy machine) is retried, a second
      // claim that is correct; each is logged. The lease outlasts the test, so no row is claimed
      // again for having been slow.
      const failures: string[] = [];
      const log = { warn: (_fields: unknown, message: string) => failures.push(message) };
      const options = { pollMs: 20, batchSize: 10, concurrency: 4, leaseMs: 600_000, log };
      dispatchers = [first.db, second.db].map((pool) => startDispatcher({ ...deps, db: pool }, options));

      await expect.poll(() => pendingRows(db), { timeout: 120_000, interval: 250 }).toBe(0);
      const rows = await db
        .select({
          id: outbox.id,
          status: outbox.status,
          attempts: outbox.attempts,
          lastError: outbox.lastError,
        })
        .from(outbox);
      expect(rows).toHaveLength(CONTACTS);
      expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
      // Claimed once each: a row claimed by both would show two attempts. Only a logged failure
      // earns a row a second claim.
      const claimedAgain = rows.filter((r) => r.attempts !== 1);
      if (failures.length === 0) expect(claimedAgain).toEqual([]);
      const runs = await db
        .select({ contactId: journeyRuns.contactId })
        .from(journeyRuns)
        .where(eq(journeyRuns.journeyId, journey.id));
      expect(runs).toHaveLength(CONTACTS);
      expect(new Set(runs.map((r) => r.contactId)).size).toBe(CONTACTS);
    }, 180_000);
  },
);

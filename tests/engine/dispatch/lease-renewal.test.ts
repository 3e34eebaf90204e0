import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../../db';
import { journeyRuns, outbox } from '../../../db/schema';
import { ingestMessages } from '../../../engine/audience/ingest/ingest';
import { type Dispatcher, startDispatcher } from '../../../engine/dispatch/dispatcher';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { pendingRows } from '../../helpers/outbox';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';
import { publishSignUpJourney } from './dispatch-helpers';

const CONTACTS = 120;

/**
 * A claimed batch whose delivery outlasts the lease (many enrolments, one at a time) keeps its
 * rows leased while it is delivered: a second dispatcher polling the same outbox never claims
 * them again, so each row is delivered once.
 */
describe.each(databaseKinds())('a claimed batch keeps its lease while delivered (%s)', (kind) => {
  let first: Database & { url?: string };
  let second: Database;
  let temporal: TemporalHarness;
  const dispatchers: Dispatcher[] = [];

  beforeAll(async () => {
    first = await openTestDb(kind);
    second = first.url ? await createDb({ url: first.url, maxConnections: 3 }) : first;
    temporal = await devServerTemporal();
  });
  afterAll(async () => {
    for (const dispatcher of dispatchers) await dispatcher.stop();
    await temporal?.close();
    if (second !== first) await second?.close();
    await first?.close();
  });

  it('delivers every row once though the batch takes several leases', async () => {
    const { db } = first;
    const workspace = await createWorkspace(db, `Lease ${randomUUID().slice(0, 8)}`);
    const { journey } = await publishSignUpJourney(db, workspace.id);
    await ingestMessages(db, {
      workspaceId: workspace.id,
      messages: Array.from({ length: CONTACTS }, (_, i) => ({
        type: 'track',
        userId: `lease-${i}`,
        event: 'Signed Up',
        messageId: randomUUID(),
      })),
    });
    const deps = { temporal: temporal.client, taskQueue: temporal.taskQueue };
    // The first claims the whole batch and enrolls one contact after another (each a few
    // statements and a Temporal start: far longer than 500 ms in all); the second looks every
    // 20 ms for rows whose lease ran out.
    const failures: string[] = [];
    const log = { warn: (_fields: unknown, message: string) => failures.push(message) };
    dispatchers.push(
      startDispatcher({ ...deps, db }, { leaseMs: 500, concurrency: 1, batchSize: 200, pollMs: 20, log }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    dispatchers.push(startDispatcher({ ...deps, db: second.db }, { leaseMs: 500, pollMs: 20, log }));
    await expect.poll(() => pendingRows(db, workspace.id), { timeout: 60_000, interval: 100 }).toBe(0);
    const rows = await db
      .select({ attempts: outbox.attempts, status: outbox.status })
      .from(outbox)
      .where(eq(outbox.workspaceId, workspace.id));
    expect(rows).toHaveLength(CONTACTS);
    // Claimed once each (a logged failure would earn a row a second claim, rightly).
    if (failures.length === 0) expect(rows.filter((row) => row.attempts !== 1)).toEqual([]);
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);
    const runs = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
    expect(runs).toHaveLength(CONTACTS);
  }, 90_000);
});

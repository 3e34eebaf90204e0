import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { outbox } from '../../../db/schema';
import { startOutboxPruner } from '../../../engine/dispatch/outbox-retention';
import { databaseKinds, openTestDb } from '../../helpers/databases';

/**
 * Delivered outbox rows are deleted once past the retention, so the outbox does not grow with
 * every event ever accepted; pending rows, dead rows and rows delivered within the retention stay.
 */
describe.each(databaseKinds())('outbox retention (%s)', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  const workspaceId = randomUUID();

  /** An outbox row of the test's workspace in this state; its id. */
  const row = async (
    status: 'pending' | 'delivered' | 'dead',
    deliveredAt: 'long ago' | 'in an hour' | null,
  ) => {
    const [inserted] = await database.db
      .insert(outbox)
      .values({
        workspaceId,
        eventId: randomUUID(),
        contactId: randomUUID(),
        status,
        deliveredAt:
          deliveredAt === 'long ago'
            ? sql`now() - interval '2 hours'`
            : deliveredAt === 'in an hour'
              ? sql`now() + interval '1 hour'`
              : null,
      })
      .returning({ id: outbox.id });
    return inserted.id;
  };

  const left = async () =>
    (
      await database.db
        .select({ id: outbox.id })
        .from(outbox)
        .where(eq(outbox.workspaceId, workspaceId))
        .orderBy(asc(outbox.id))
    ).map((r) => r.id);

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('deletes delivered rows past the retention, in chunks, and keeps every other row', async () => {
    const old = [];
    for (let i = 0; i < 5; i++) old.push(await row('delivered', 'long ago'));
    const pending = await row('pending', null);
    const dead = await row('dead', 'long ago');
    const recent = await row('delivered', 'in an hour');
    // Chunks of two: five old rows take three statements in one look.
    const pruner = startOutboxPruner(database.db, { retentionMs: 50, everyMs: 3_600_000, chunk: 2 });
    try {
      // The first look only notes the newest id: nothing is a retention old yet.
      expect(await pruner.prune()).toBe(0);
      // Written after that note: not pruned until a later note covers it.
      const later = await row('delivered', 'long ago');
      await pause(80);
      expect(await pruner.prune()).toBe(5);
      expect(await left()).toEqual([pending, dead, recent, later]);
      await pause(80);
      expect(await pruner.prune()).toBe(1);
      expect(await left()).toEqual([pending, dead, recent]);
    } finally {
      await pruner.stop();
    }
  });
});

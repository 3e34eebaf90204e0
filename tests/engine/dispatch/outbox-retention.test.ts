import { randomUUID } from 'node:crypto';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { outbox } from '../../../db/schema';
import { newestOutboxIdBefore } from '../../../engine/dispatch/outbox-queue';
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

  /** An outbox row of the test's workspace in this state, created now or two hours ago; its id. */
  const row = async (
    status: 'pending' | 'delivered' | 'dead',
    deliveredAt: 'long ago' | 'now' | 'in an hour' | null,
    created: 'now' | 'long ago' = 'now',
  ) => {
    const [inserted] = await database.db
      .insert(outbox)
      .values({
        workspaceId,
        eventId: randomUUID(),
        contactId: randomUUID(),
        status,
        createdAt: created === 'long ago' ? sql`now() - interval '2 hours'` : undefined,
        deliveredAt:
          deliveredAt === 'long ago'
            ? sql`now() - interval '2 hours'`
            : deliveredAt === 'now'
              ? sql`now()`
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
    await database.db.delete(outbox);
    const old = [];
    for (let i = 0; i < 5; i++) old.push(await row('delivered', 'long ago'));
    const pending = await row('pending', null);
    const dead = await row('dead', 'long ago');
    const recent = await row('delivered', 'in an hour');
    // Chunks of two: five old rows take three statements in one look.
    const pruner = startOutboxPruner(database.db, { retentionMs: 50, everyMs: 3_600_000, chunk: 2 });
    try {
      await pause(80);
      // Created after the look's bound (the newest row a retention old): not pruned yet.
      const later = await row('delivered', 'long ago');
      expect(await pruner.prune()).toBe(5);
      expect(await left()).toEqual([pending, dead, recent, later]);
      await pause(80);
      expect(await pruner.prune()).toBe(1);
      expect(await left()).toEqual([pending, dead, recent]);
    } finally {
      await pruner.stop();
    }
  });

  it("prunes at a new process's first look what processes before it left", async () => {
    await database.db.delete(outbox);
    const leftBehind = [];
    for (let i = 0; i < 3; i++) leftBehind.push(await row('delivered', 'long ago', 'long ago'));
    const stillPending = await row('pending', null, 'long ago');
    const deliveredLate = await row('delivered', 'in an hour', 'long ago');
    // Rows of the last hour, delivered or not, stay whatever their ids.
    const lastHour = [await row('delivered', 'now'), await row('pending', null)];
    const pruner = startOutboxPruner(database.db, { retentionMs: 3_600_000, everyMs: 3_600_000 });
    try {
      expect(await pruner.prune()).toBe(3);
      expect(await left()).toEqual([stillPending, deliveredLate, ...lastHour]);
    } finally {
      await pruner.stop();
    }
  });

  it('finds the newest row created before a time by its ids, gaps and an empty outbox included', async () => {
    await database.db.delete(outbox);
    const cutoff = new Date(Date.now() - 3_600_000);
    expect(await newestOutboxIdBefore(database.db, cutoff)).toBe(0);
    const old = [];
    for (let i = 0; i < 9; i++) old.push(await row('pending', null, 'long ago'));
    const fresh = [];
    for (let i = 0; i < 6; i++) fresh.push(await row('pending', null));
    // Gaps on both sides of the boundary.
    await database.db.delete(outbox).where(inArray(outbox.id, [old[5], old[7], old[8], fresh[0], fresh[2]]));
    expect(await newestOutboxIdBefore(database.db, cutoff)).toBe(old[6]);
    expect(await newestOutboxIdBefore(database.db, new Date(Date.now() + 60_000))).toBe(fresh[5]);
    expect(await newestOutboxIdBefore(database.db, new Date(Date.now() - 3 * 3_600_000))).toBe(0);
  });
});

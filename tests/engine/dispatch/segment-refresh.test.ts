import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { contacts, outbox, segmentMembers } from '../../../db/schema';
import { ingestMessages } from '../../../engine/audience/ingest/ingest';
import { createSegment } from '../../../engine/audience/segments/segments';
import { type Dispatcher, startDispatcher } from '../../../engine/dispatch/dispatcher';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { refreshMemberships } from '../../../engine/operations/segment-membership';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

/**
 * Segment memberships are recomputed for many contacts at once (one evaluation, one delete,
 * one insert), by the dispatcher per batch of delivered rows instead of per contact.
 */
describe.each(databaseKinds())('segment memberships refreshed per batch of contacts (%s)', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  const identify = (userId: string, traits: Record<string, unknown>) => ({
    type: 'identify',
    userId,
    traits,
    messageId: randomUUID(),
  });
  const track = (userId: string, event: string) => ({
    type: 'track',
    userId,
    event,
    messageId: randomUUID(),
  });

  /** Segment id → user ids of its members, read from segment_members. */
  async function membersByUser(workspaceId: string, segmentIds: string[]) {
    const rows = await database.db
      .select({ segmentId: segmentMembers.segmentId, userId: contacts.externalId })
      .from(segmentMembers)
      .innerJoin(contacts, eq(contacts.id, segmentMembers.contactId))
      .where(and(eq(segmentMembers.workspaceId, workspaceId), inArray(segmentMembers.segmentId, segmentIds)));
    return Object.fromEntries(
      segmentIds.map((id) => [
        id,
        rows
          .filter((row) => row.segmentId === id)
          .map((row) => row.userId)
          .sort(),
      ]),
    );
  }

  it('evaluates every segment for many contacts in one call: entered answered, left removed, others untouched', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Refresh many');
    // u0..u5: plans pro, free, pro, team, pro, free; u0, u1, u2 bought once, u0 twice.
    const plans = ['pro', 'free', 'pro', 'team', 'pro', 'free'];
    await ingestMessages(db, {
      workspaceId: workspace.id,
      messages: [
        ...plans.map((plan, i) => identify(`u${i}`, { plan })),
        track('u0', 'Order Completed'),
        track('u0', 'Order Completed'),
        track('u1', 'Order Completed'),
        track('u2', 'Order Completed'),
      ],
    });
    const pro = await createSegment(db, workspace.id, {
      name: 'Pro',
      definition: { match: 'all', rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] },
    } as any);
    const buyers = await createSegment(db, workspace.id, {
      name: 'Pro buyers',
      definition: {
        match: 'all',
        rules: [
          { kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' },
          { kind: 'event', event: 'Order Completed', minCount: 1 },
        ],
      },
    } as any);
    const ids = Object.fromEntries(
      (await db.select().from(contacts).where(eq(contacts.workspaceId, workspace.id))).map((c) => [
        c.externalId,
        c.id,
      ]),
    );

    // Only u0..u3 are refreshed: u4 (pro) stays outside until it is refreshed itself.
    const entered = await refreshMemberships(
      db,
      workspace.id,
      ['u0', 'u1', 'u2', 'u3'].map((u) => ids[u]),
    );
    // Pro: u0, u2. Pro buyers: u0 (pro, 2 orders), u2 (pro, 1 order); u1 bought but is free.
    expect(Object.fromEntries([...entered].map(([id, segs]) => [id, [...segs].sort()]))).toEqual({
      [ids.u0]: [pro.id, buyers.id].sort(),
      [ids.u2]: [pro.id, buyers.id].sort(),
    });
    expect(await membersByUser(workspace.id, [pro.id, buyers.id])).toEqual({
      [pro.id]: ['u0', 'u2'],
      [buyers.id]: ['u0', 'u2'],
    });

    // u2 becomes free, u4 is refreshed for the first time: u2 leaves both, u4 enters Pro only
    // (no order), u0 is already in both and enters nothing.
    await ingestMessages(db, { workspaceId: workspace.id, messages: [identify('u2', { plan: 'free' })] });
    const again = await refreshMemberships(
      db,
      workspace.id,
      ['u0', 'u2', 'u4'].map((u) => ids[u]),
    );
    expect([...again]).toEqual([[ids.u4, [pro.id]]]);
    expect(await membersByUser(workspace.id, [pro.id, buyers.id])).toEqual({
      [pro.id]: ['u0', 'u4'],
      [buyers.id]: ['u0'],
    });
  });

  it('answers nothing for a workspace without segments or an empty list of contacts', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'No segments');
    await ingestMessages(db, { workspaceId: workspace.id, messages: [identify('solo', { plan: 'pro' })] });
    const [solo] = await db.select().from(contacts).where(eq(contacts.workspaceId, workspace.id));
    expect((await refreshMemberships(db, workspace.id, [solo.id])).size).toBe(0);
    expect((await refreshMemberships(db, workspace.id, [])).size).toBe(0);
  });

  describe('through the dispatcher (Temporal dev server)', () => {
    let temporal: TemporalHarness;
    let dispatcher: Dispatcher | undefined;

    beforeAll(async () => {
      temporal = await devServerTemporal();
    });
    afterAll(async () => {
      await dispatcher?.stop();
      await temporal?.close();
    });

    it('a delivered batch of events leaves its contacts in the segments their traits put them in, every row delivered once', async () => {
      const { db } = database;
      const workspace = await createWorkspace(db, 'Dispatch refresh');
      const vip = await createSegment(db, workspace.id, {
        name: 'Big spenders',
        definition: { match: 'all', rules: [{ kind: 'attribute', path: 'spent', op: 'gte', value: 100 }] },
      } as any);
      // 40 users, spent = 10 × i: u10..u39 spent ≥ 100 (30 members), u0..u9 below.
      const first = await ingestMessages(db, {
        workspaceId: workspace.id,
        messages: Array.from({ length: 40 }, (_, i) => identify(`u${i}`, { spent: 10 * i })),
      });
      expect(first.every((o) => o.status === 'stored')).toBe(true);
      dispatcher = startDispatcher(
        { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
        { pollMs: 50, batchSize: 25 },
      );
      const pending = async () =>
        (
          await db
            .select({ id: outbox.id, status: outbox.status, attempts: outbox.attempts })
            .from(outbox)
            .where(eq(outbox.workspaceId, workspace.id))
        ).filter((row) => row.status !== 'delivered').length;
      await expect.poll(pending, { timeout: 30_000, interval: 100 }).toBe(0);
      const expected = Array.from({ length: 30 }, (_, i) => `u${i + 10}`).sort();
      expect((await membersByUser(workspace.id, [vip.id]))[vip.id]).toEqual(expected);

      // A second batch: u10..u19 spend nothing more but are corrected down to 5, u0 goes up to 500.
      await ingestMessages(db, {
        workspaceId: workspace.id,
        messages: [
          ...Array.from({ length: 10 }, (_, i) => identify(`u${i + 10}`, { spent: 5 })),
          identify('u0', { spent: 500 }),
        ],
      });
      dispatcher.kick();
      await expect.poll(pending, { timeout: 30_000, interval: 100 }).toBe(0);
      expect((await membersByUser(workspace.id, [vip.id]))[vip.id]).toEqual(
        ['u0', ...Array.from({ length: 20 }, (_, i) => `u${i + 20}`)].sort(),
      );
      const rows = await db
        .select({ status: outbox.status, attempts: outbox.attempts })
        .from(outbox)
        .where(eq(outbox.workspaceId, workspace.id));
      expect(rows).toHaveLength(51);
      expect(rows.every((row) => row.status === 'delivered' && row.attempts === 1)).toBe(true);
    }, 60_000);
  });
});

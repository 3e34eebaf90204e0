import { randomUUID } from 'node:crypto';
import { and, eq, ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, outbox, segmentMembers } from '../../../db/schema';
import { createSegment } from '../../../engine/audience/segments/segments';
import { runsOfContact } from '../../../engine/automation/runs/queries';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds } from '../../helpers/databases';
import { line, publishGraph, segmentMemberUserIds } from '../../helpers/fixtures';
import {
  contactByUserId,
  eventually,
  type IngestHarness,
  post,
  startIngestHarness,
} from '../audience/ingest/ingest-harness';

/**
 * After delivering a batch, the dispatcher re-evaluates only the segments that can answer
 * differently after what the batch's rows changed: the event names delivered, the profile for
 * an identify, the list for a journey's list join. A membership row made wrong on purpose shows
 * whether a segment was evaluated: an evaluation corrects it, a skipped segment leaves it.
 */
describe.each(databaseKinds())(
  'the dispatcher re-evaluates the segments a delivered row can change (real API, %s, Temporal dev server, worker)',
  (kind) => {
    let h: IngestHarness;

    beforeAll(async () => {
      h = await startIngestHarness(kind);
    });
    afterAll(async () => h?.close());

    const workspaceOf = (name: string) => createWorkspace(h.database.db, name);
    const send = async (writeKey: string, message: Record<string, unknown>) => {
      const answer = await post(h.app, `/v1/${message.type}`, writeKey, {
        ...message,
        messageId: randomUUID(),
      });
      expect(answer.statusCode).toBe(200);
    };
    const track = (writeKey: string, userId: string, event: string, extra: Record<string, unknown> = {}) =>
      send(writeKey, { type: 'track', userId, event, ...extra });

    /** Every outbox row of the workspace delivered. */
    const settled = (workspaceId: string) =>
      eventually(async () => {
        const [row] = await h.database.db
          .select({ n: sql<number>`count(*)::int` })
          .from(outbox)
          .where(and(eq(outbox.workspaceId, workspaceId), ne(outbox.status, 'delivered')));
        return row.n === 0;
      });

    const segment = async (workspaceId: string, name: string, rules: unknown[]) =>
      (await createSegment(h.database.db, workspaceId, { name, definition: { match: 'all', rules } } as any))
        .id;

    const members = (segmentId: string) => segmentMemberUserIds(h.database.db, segmentId);

    /** An existing contact: last written an hour ago, so its next events change nothing but themselves. */
    const existing = (contactId: string) =>
      h.database.db
        .update(contacts)
        .set({ createdAt: sql`now() - interval '1 hour'`, updatedAt: sql`now() - interval '1 hour'` })
        .where(eq(contacts.id, contactId));
    const dropMembership = (segmentId: string, contactId: string) =>
      h.database.db
        .delete(segmentMembers)
        .where(and(eq(segmentMembers.segmentId, segmentId), eq(segmentMembers.contactId, contactId)));
    const forgeMembership = (workspaceId: string, segmentId: string, contactId: string) =>
      h.database.db.insert(segmentMembers).values({ workspaceId, segmentId, contactId });

    it('a segment counting event A is evaluated when A arrives, not when B does; a new contact gets every segment', async () => {
      const ws = await workspaceOf('Event names');
      const didA = await segment(ws.id, 'Did A', [{ kind: 'event', event: 'A', minCount: 1 }]);
      const didB = await segment(ws.id, 'Did B', [{ kind: 'event', event: 'B', minCount: 1 }]);
      const neverA = await segment(ws.id, 'Never did A', [{ kind: 'event', event: 'A', minCount: 0 }]);

      await track(ws.writeKey, 'ada', 'A');
      // bob is new: his first event B also evaluates "Never did A", which reads only A.
      await track(ws.writeKey, 'bob', 'B');
      await settled(ws.id);
      expect(await members(didA)).toEqual(['ada']);
      expect(await members(didB)).toEqual(['bob']);
      expect(await members(neverA)).toEqual(['bob']);

      const ada = await contactByUserId(h.database, ws.id, 'ada');
      await existing(ada.id);
      await dropMembership(didA, ada.id);
      await track(ws.writeKey, 'ada', 'B');
      await settled(ws.id);
      // B was evaluated (ada entered), A was not: the dropped row stays dropped.
      expect(await members(didB)).toEqual(['ada', 'bob']);
      expect(await members(didA)).toEqual([]);

      await track(ws.writeKey, 'ada', 'A');
      await settled(ws.id);
      expect(await members(didA)).toEqual(['ada']);
      expect(await members(neverA)).toEqual(['bob']);
    }, 60_000);

    it('an identify changes attribute segments (its traits were written while it was stored: every segment)', async () => {
      const ws = await workspaceOf('Identify');
      const pro = await segment(ws.id, 'Pro', [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }]);
      const didA = await segment(ws.id, 'Did A', [{ kind: 'event', event: 'A', minCount: 1 }]);
      await track(ws.writeKey, 'cy', 'A');
      await settled(ws.id);
      const cy = await contactByUserId(h.database, ws.id, 'cy');
      await existing(cy.id);
      await dropMembership(didA, cy.id);

      await send(ws.writeKey, { type: 'identify', userId: 'cy', traits: { plan: 'pro' } });
      await settled(ws.id);
      expect(await members(pro)).toEqual(['cy']);
      expect(await members(didA)).toEqual(['cy']);

      // A plain event afterwards leaves the attribute segment alone.
      await existing(cy.id);
      await dropMembership(pro, cy.id);
      await track(ws.writeKey, 'cy', 'A');
      await settled(ws.id);
      expect(await members(pro)).toEqual([]);
    }, 60_000);

    it("a journey's list join changes the list's segments only, and the journey that segment triggers starts", async () => {
      const ws = await workspaceOf('Lists');
      const inVip = await segment(ws.id, 'In VIP', [{ kind: 'list', list: 'VIP', member: true }]);
      const inOther = await segment(ws.id, 'In Other', [{ kind: 'list', list: 'Other', member: true }]);
      const pro = await segment(ws.id, 'Pro', [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }]);
      await publishGraph(
        h.database.db,
        ws.id,
        line('Join VIP', [
          { id: 'start', type: 'trigger.event', config: { event: 'Join' } },
          { id: 'add', type: 'list.add', config: { list: 'VIP' } },
        ]),
      );
      const { journey: welcome } = await publishGraph(
        h.database.db,
        ws.id,
        line('Welcome VIP', [
          { id: 'start', type: 'trigger.segment', config: { segmentId: inVip } },
          { id: 'done', type: 'exit', config: {} },
        ]),
      );
      await track(ws.writeKey, 'dee', 'Hello');
      await settled(ws.id);
      const dee = await contactByUserId(h.database, ws.id, 'dee');
      await existing(dee.id);
      // Neither is true of dee (no list Other, no plan): only an evaluation would remove them.
      await forgeMembership(ws.id, inOther, dee.id);
      await forgeMembership(ws.id, pro, dee.id);

      await track(ws.writeKey, 'dee', 'Join');
      // The list join's own row entered dee in "In VIP", which enrolled her.
      await eventually(async () =>
        (await runsOfContact(h.database.db, ws.id, dee.id)).some((run) => run.journeyId === welcome.id),
      );
      await settled(ws.id);
      expect(await members(inVip)).toEqual(['dee']);
      expect(await members(inOther)).toEqual(['dee']);
      expect(await members(pro)).toEqual(['dee']);
    }, 60_000);

    it("a visitor's identification merges its history: every segment of the known contact", async () => {
      const ws = await workspaceOf('Merge');
      const didA = await segment(ws.id, 'Did A', [{ kind: 'event', event: 'A', minCount: 1 }]);
      await track(ws.writeKey, 'kim', 'Hello');
      await send(ws.writeKey, { type: 'track', anonymousId: 'visitor-1', event: 'A' });
      await settled(ws.id);
      const kim = await contactByUserId(h.database, ws.id, 'kim');
      await existing(kim.id);
      expect(await members(didA)).toEqual([null]);

      // B, merging visitor-1 (with its A) into kim: kim's "Did A" is evaluated although only B arrived.
      await track(ws.writeKey, 'kim', 'B', { anonymousId: 'visitor-1' });
      await settled(ws.id);
      expect(await members(didA)).toEqual(['kim']);
    }, 60_000);
  },
);

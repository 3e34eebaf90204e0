import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { contacts, events, segmentMembers } from '../../../../db/schema';
import { addToList } from '../../../../engine/audience/contacts/contact-store';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { refreshContactSegments } from '../../../../engine/audience/segments/contact-refresh';
import { createSegment, deleteSegment, updateSegment } from '../../../../engine/audience/segments/segments';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../../helpers/databases';
import { segmentMemberUserIds } from '../../../helpers/fixtures';

/**
 * One contact's memberships after a change the caller describes: only the segments whose rules
 * read what changed are evaluated; the rules kept between calls are checked against the stored
 * segments in the same statement, so a segment created, edited or deleted elsewhere counts at once.
 */
describe.each(databaseKinds())('one contact re-evaluated after a described change (%s)', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  const members = (segmentId: string) => segmentMemberUserIds(database.db, segmentId);

  const order = (workspaceId: string, contactId: string, n: number) =>
    database.db.insert(events).values({
      workspaceId,
      contactId,
      messageId: `${contactId}-order-${n}`,
      type: 'track',
      name: 'Order Completed',
      properties: {},
      timestamp: new Date(),
    });

  it('evaluates only the segments whose rules read the change, and every segment without one', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Described changes');
    const ada = await createContact(db, workspace.id, { userId: 'ada', attributes: { plan: 'free' } });
    const pro = await createSegment(db, workspace.id, {
      name: 'Pro',
      definition: { match: 'all', rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] },
    } as any);
    const buyers = await createSegment(db, workspace.id, {
      name: 'Buyers',
      definition: { match: 'all', rules: [{ kind: 'event', event: 'Order Completed', minCount: 1 }] },
    } as any);
    const vip = await createSegment(db, workspace.id, {
      name: 'VIP list',
      definition: { match: 'all', rules: [{ kind: 'list', list: 'VIP', member: true }] },
    } as any);
    const refresh = (change?: Parameters<typeof refreshContactSegments>[3]) =>
      refreshContactSegments(db, workspace.id, [ada.id], change);

    expect((await refresh()).size).toBe(0);
    // Ada turns pro, orders and joins the VIP list, but the change described is only the order:
    // Buyers is evaluated (entered), Pro and VIP list are not (she stays outside them).
    await db
      .update(contacts)
      .set({ attributes: { plan: 'pro' } })
      .where(eq(contacts.id, ada.id));
    await order(workspace.id, ada.id, 1);
    await addToList(db, workspace.id, ada.id, 'VIP');
    expect(await refresh({ events: ['Order Completed'] })).toEqual(new Map([[ada.id, [buyers.id]]]));
    expect([await members(pro.id), await members(buyers.id), await members(vip.id)]).toEqual([
      [],
      ['ada'],
      [],
    ]);
    // An event no rule counts evaluates nothing.
    expect((await refresh({ events: ['Page Viewed'] })).size).toBe(0);
    expect(await members(pro.id)).toEqual([]);
    // The list change enters VIP list only; the profile change then enters Pro.
    expect(await refresh({ lists: ['VIP'] })).toEqual(new Map([[ada.id, [vip.id]]]));
    expect(await refresh({ profile: true })).toEqual(new Map([[ada.id, [pro.id]]]));

    // Leaving: back to free, described as a profile change; Buyers and VIP list stay as they were
    // (their rows are not rewritten: entry times unchanged).
    const before = await db.select().from(segmentMembers).where(eq(segmentMembers.segmentId, buyers.id));
    await db
      .update(contacts)
      .set({ attributes: { plan: 'free' } })
      .where(eq(contacts.id, ada.id));
    expect((await refresh({ profile: true })).size).toBe(0);
    expect([await members(pro.id), await members(buyers.id), await members(vip.id)]).toEqual([
      [],
      ['ada'],
      ['ada'],
    ]);
    expect(await db.select().from(segmentMembers).where(eq(segmentMembers.segmentId, buyers.id))).toEqual(
      before,
    );
  });

  it('always evaluates rules that move with time or with data no change describes', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Time windows');
    const bo = await createContact(db, workspace.id, { userId: 'bo' });
    const recent = await createSegment(db, workspace.id, {
      name: 'Ordered this week',
      definition: {
        match: 'all',
        rules: [
          { kind: 'event', event: 'Order Completed', minCount: 1, within: { amount: 7, unit: 'days' } },
        ],
      },
    } as any);
    await order(workspace.id, bo.id, 1);
    // Described as a profile change, yet the windowed rule is evaluated (it would be stale otherwise).
    expect(await refreshContactSegments(db, workspace.id, [bo.id], { profile: true })).toEqual(
      new Map([[bo.id, [recent.id]]]),
    );
  });

  it('sees segments created, edited or deleted since the rules were kept', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Edited segments');
    const cy = await createContact(db, workspace.id, { userId: 'cy', attributes: { plan: 'team' } });
    const plan = await createSegment(db, workspace.id, {
      name: 'Plan',
      definition: { match: 'all', rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] },
    } as any);
    const refresh = () => refreshContactSegments(db, workspace.id, [cy.id], { profile: true });
    expect((await refresh()).size).toBe(0);

    await updateSegment(db, workspace.id, plan.id, {
      definition: {
        match: 'all',
        rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'team' }],
      } as any,
    });
    expect(await refresh()).toEqual(new Map([[cy.id, [plan.id]]]));

    const named = await createSegment(db, workspace.id, {
      name: 'Named',
      definition: { match: 'all', rules: [{ kind: 'attribute', path: 'plan', op: 'exists' }] },
    } as any);
    expect(await refresh()).toEqual(new Map([[cy.id, [named.id]]]));

    // A deleted segment is no longer evaluated (its membership rows went with it).
    await deleteSegment(db, workspace.id, plan.id, []);
    await db.update(contacts).set({ attributes: {} }).where(eq(contacts.id, cy.id));
    expect((await refresh()).size).toBe(0);
    expect(
      await db
        .select()
        .from(segmentMembers)
        .where(and(eq(segmentMembers.workspaceId, workspace.id), eq(segmentMembers.contactId, cy.id))),
    ).toEqual([]);
  });
});

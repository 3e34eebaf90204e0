import { describe, expect, it } from 'vitest';
import { getContact } from '../../../../engine/audience/contacts/contacts';
import { publishJourney, saveDraft } from '../../../../engine/automation/journeys/journeys';
import { createRegistry } from '../../../../engine/automation/nodes';
import { journeyCounts, runsOfContact, runsOfJourney } from '../../../../engine/automation/runs/queries';
import { signalContactRuns } from '../../../../engine/automation/runs/run-control';
import type { JourneyRunResult } from '../../../../engine/automation/runs/types';
import { enroller, line, pathOf, publishGraph, workspaceWithContact } from '../../../helpers/fixtures';
import { journeyStack } from '../../../helpers/stack';

describe('entry rules: re-entry and keyed entry (real time-skipping test server, PGlite)', () => {
  const stack = journeyStack('time-skipping');
  const cartEvent = (id: string, name: string, cartId: string | number) => ({
    id,
    name,
    properties: { cart_id: cartId },
    timestamp: new Date().toISOString(),
  });

  it('re-entry "always" lets runs overlap once the minimum interval since the last entry has passed', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(
        'Repeat purchase',
        [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'hours' } } },
          { id: 'mark', type: 'contact.update', config: { addTags: ['thanked'] } },
        ],
        { reEntry: { mode: 'always', minInterval: { amount: 1, unit: 'seconds' } } },
      ),
    );
    const enroll = () =>
      enroller(db, temporal)({ workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id });
    const first = await enroll();
    expect(first.enrolled).toBe(true);
    expect(await enroll()).toMatchObject({
      enrolled: false,
      reason: 'the minimum re-entry interval has not passed',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await enroll();
    expect(second).toMatchObject({ enrolled: true, entry: 2 });
    const runs = await runsOfContact(db, workspace.id, contact.id);
    expect(runs.map((r) => r.status)).toEqual(['running', 'running']);
    for (const run of runs) {
      const result: JourneyRunResult = await temporal.client.workflow.getHandle(run.workflowId).result();
      expect(result.status).toBe('completed');
    }
  });

  it('a keyed trigger runs one run per key in parallel; an exit event with the same key ends only that run', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(
        'Cart recovery per cart',
        [
          {
            id: 'start',
            type: 'trigger.event',
            config: { event: 'Cart Abandoned', key: 'properties.cart_id' },
          },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
          { id: 'mark', type: 'contact.update', config: { addTags: ['reminded'] } },
        ],
        { exitCriteria: [{ event: 'Cart Recovered', sameKey: true }] },
      ),
    );
    const enroll = (trigger: ReturnType<typeof cartEvent> | null) =>
      enroller(
        db,
        temporal,
      )({ workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id, trigger });

    const cartA = await enroll(cartEvent('ev-a', 'Cart Abandoned', 'A'));
    const cartB = await enroll(cartEvent('ev-b', 'Cart Abandoned', 42));
    expect(cartA).toMatchObject({ enrolled: true, entryKey: 'A' });
    expect(cartB).toMatchObject({ enrolled: true, entryKey: '42' });
    // Re-entry `never` holds per key: cart A again is refused, and an event without a cart too.
    expect((await enroll(cartEvent('ev-a2', 'Cart Abandoned', 'A'))).enrolled).toBe(false);
    expect(await enroll(null)).toMatchObject({
      enrolled: false,
      reason: 'the entry event has no properties.cart_id',
    });
    if (!cartA.enrolled || !cartB.enrolled) throw new Error('not enrolled');
    expect(cartA.workflowId).not.toContain(':A');

    await signalContactRuns(
      db,
      temporal.client,
      workspace.id,
      contact.id,
      cartEvent('ev-r', 'Cart Recovered', 'A'),
    );
    const resultA: JourneyRunResult = await temporal.client.workflow.getHandle(cartA.workflowId).result();
    expect(resultA).toMatchObject({ status: 'exited', reason: 'exit criteria: Cart Recovered' });
    const resultB: JourneyRunResult = await temporal.client.workflow.getHandle(cartB.workflowId).result();
    expect(resultB.status).toBe('completed');
    expect((await getContact(db, workspace.id, contact.id)).tags).toContain('reminded');
    const runs = await runsOfContact(db, workspace.id, contact.id);
    expect(runs.map((r) => r.entryKey).sort()).toEqual(['42', 'A']);
    const cartARuns = await runsOfJourney(db, workspace.id, journey.id, { entryKey: 'A' });
    expect(cartARuns.map((r) => [r.entryKey, r.status])).toEqual([['A', 'exited']]);
    // Counts per key: two carts in all; cart A's own counts hold its one run, which never reached "mark".
    const all = await journeyCounts(db, workspace.id, journey.id);
    expect(all).toMatchObject({ entryKey: null, keys: 2, entered: 2 });
    expect(all.nodes.mark?.entered).toBe(1);
    const onlyA = await journeyCounts(db, workspace.id, journey.id, undefined, 'A');
    expect(onlyA).toMatchObject({ entryKey: 'A', keys: 1, entered: 1, converted: 0 });
    expect(onlyA.nodes.start?.entered).toBe(1);
    expect(onlyA.nodes.mark).toBeUndefined();
  });

  it('wait.event with "same key" resumes only on the event of its own key', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'Order per cart',
      nodes: [
        { id: 'start', type: 'trigger.event', config: { event: 'Cart Abandoned', key: 'cart_id' } },
        {
          id: 'await',
          type: 'wait.event',
          config: { event: 'Order Completed', sameKey: true, timeout: { amount: 2, unit: 'days' } },
        },
      ],
      edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'await' }],
    });
    const run = await enroller(
      db,
      temporal,
    )({
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      trigger: cartEvent('ev-c', 'Cart Abandoned', 'C'),
    });
    if (!run.enrolled) throw new Error(run.reason);
    const handle = temporal.client.workflow.getHandle(run.workflowId);
    await signalContactRuns(
      db,
      temporal.client,
      workspace.id,
      contact.id,
      cartEvent('o-1', 'Order Completed', 'D'),
    );
    await signalContactRuns(
      db,
      temporal.client,
      workspace.id,
      contact.id,
      cartEvent('o-2', 'Order Completed', 'C'),
    );
    await handle.result();
    expect(await pathOf(db, run.workflowId)).toEqual(['start:next', 'await:matched']);
  });

  it("a journey republished with another entry key enrolls under the new version's key", async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const keyedBy = (key: string) =>
      line('Order follow-up', [
        { id: 'start', type: 'trigger.event', config: { event: 'Cart Abandoned', key } },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
      ]);
    const { journey } = await publishGraph(db, workspace.id, keyedBy('properties.cart_id'));
    const event = (id: string, cartId: string, orderId: string) => ({
      ...cartEvent(id, 'Cart Abandoned', cartId),
      properties: { cart_id: cartId, order_id: orderId },
    });
    const enroll = (trigger: ReturnType<typeof event>) =>
      enroller(
        db,
        temporal,
      )({ workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id, trigger });

    expect(await enroll(event('ev-1', 'A', 'X'))).toMatchObject({ enrolled: true, entryKey: 'A' });
    await saveDraft(db, workspace.id, journey.id, keyedBy('properties.order_id'));
    await publishJourney(db, createRegistry(), workspace.id, journey.id);
    // Cart A again, but version 2 keys by order: order Y is new, so the contact enters it.
    const second = await enroll(event('ev-2', 'A', 'Y'));
    expect(second).toMatchObject({ enrolled: true, entryKey: 'Y' });
    expect((await enroll(event('ev-3', 'B', 'Y'))).enrolled).toBe(false);
    const runs = await runsOfJourney(db, workspace.id, journey.id);
    expect(runs.map((r) => [r.entryKey, r.version]).sort()).toEqual([
      ['A', 1],
      ['Y', 2],
    ]);
  });
});

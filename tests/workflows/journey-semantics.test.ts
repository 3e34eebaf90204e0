import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journeyRuns } from '../../db/schema';
import { createContact, getContact } from '../../engine/audience/contacts/contacts';
import { publishJourney, saveDraft } from '../../engine/automation/journeys/journeys';
import { createRegistry } from '../../engine/automation/nodes';
import { eventSignal, statusQuery } from '../../engine/automation/runs/signals';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import {
  enroller,
  line,
  pathOf,
  publishGraph,
  runRow,
  runToEnd,
  startRun,
  workspaceWithContact,
} from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

describe('journey semantics (real time-skipping test server, PGlite)', () => {
  const stack = journeyStack('time-skipping');

  const waitForOrder = (name: string) => ({
    name,
    nodes: [
      { id: 'start', type: 'trigger.manual', config: {} },
      {
        id: 'await-order',
        type: 'wait.event',
        config: {
          event: 'Order Completed',
          where: [{ path: 'total', op: 'gte', value: 10 }],
          timeout: { amount: 3, unit: 'days' },
        },
      },
      { id: 'thanks', type: 'contact.update', config: { set: { outcome: 'ordered' } } },
      { id: 'nudge', type: 'contact.update', config: { set: { outcome: 'nudged' } } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourceHandle: 'next', target: 'await-order' },
      { id: 'e2', source: 'await-order', sourceHandle: 'matched', target: 'thanks' },
      { id: 'e3', source: 'await-order', sourceHandle: 'timeout', target: 'nudge' },
    ],
  });

  it('resumes wait.event on a matching signalled event and ignores one that does not match the filter', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, waitForOrder('Order wait'));
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    const event = (id: string, total: number) => ({
      id,
      name: 'Order Completed',
      properties: { total },
      timestamp: new Date().toISOString(),
    });
    await handle.signal(eventSignal, event('small-order', 5));
    await handle.signal(eventSignal, event('big-order', 50));
    await handle.signal(eventSignal, event('big-order', 50));
    const result: JourneyRunResult = await handle.result();

    expect(result.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'await-order:matched', 'thanks:next']);
    expect((await getContact(db, workspace.id, contact.id)).attributes.outcome).toBe('ordered');
  });

  it('takes the timeout port of wait.event when no event arrives', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, waitForOrder('Order wait, no order'));
    const { workflowId, result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    expect(result.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'await-order:timeout', 'nudge:next']);
    expect((await getContact(db, workspace.id, contact.id)).attributes.outcome).toBe('nudged');
  });

  it('ends a run early when the goal event arrives while it waits', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(
        'Goal during a wait',
        [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'long-wait', type: 'wait.duration', config: { duration: { amount: 30, unit: 'days' } } },
          { id: 'never', type: 'contact.update', config: { set: { reached: true } } },
        ],
        { goal: { event: 'Subscribed' } },
      ),
    );
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    // The goal is meant to arrive while the run waits: wait until it is at the long wait.
    for (let i = 0; i < 100 && (await handle.query(statusQuery)).cursor !== 'long-wait'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await handle.signal(eventSignal, {
      id: 'goal-1',
      name: 'Subscribed',
      properties: {},
      timestamp: new Date().toISOString(),
    });
    const result: JourneyRunResult = await handle.result();

    expect(result.status).toBe('converted');
    expect((await getContact(db, workspace.id, contact.id)).attributes.reached).toBeUndefined();
    expect((await runRow(db, workflowId)).status).toBe('converted');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'long-wait']);
  });

  it('keeps a waiting run on the version it entered when v2 is published; new entries get v2', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const registry = createRegistry();
    const graph = (label: string) =>
      line(`Versioned`, [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
        { id: 'mark', type: 'contact.update', config: { set: { version: label } } },
      ]);
    const { journey } = await publishGraph(db, workspace.id, graph('v1'), registry);
    const enroll = enroller(db, temporal);
    const first = await enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id });

    await saveDraft(db, workspace.id, journey.id, graph('v2'));
    const v2 = await publishJourney(db, registry, workspace.id, journey.id, 'second');
    expect(v2.version).toBe(2);
    const other = await createContact(db, workspace.id, { userId: 'late' });
    const second = await enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: other.id });
    if (!first.enrolled || !second.enrolled) throw new Error('not enrolled');
    expect([first.version, second.version]).toEqual([1, 2]);

    await temporal.client.workflow.getHandle(first.workflowId).result();
    await temporal.client.workflow.getHandle(second.workflowId).result();
    expect((await getContact(db, workspace.id, contact.id)).attributes.version).toBe('v1');
    expect((await getContact(db, workspace.id, other.id)).attributes.version).toBe('v2');
  });

  it('yields one run when the same contact is enrolled concurrently and re-entry is never', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Once', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'mark', type: 'contact.update', config: { addTags: ['entered'] } },
      ]),
    );
    const enroll = enroller(db, temporal);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id }),
      ),
    );
    expect(results.filter((r) => r.enrolled)).toHaveLength(1);
    const [{ n }] = await db
      .select({ n: count() })
      .from(journeyRuns)
      .where(and(eq(journeyRuns.journeyId, journey.id), eq(journeyRuns.contactId, contact.id)));
    expect(Number(n)).toBe(1);
    const again = await enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id });
    expect(again).toMatchObject({ enrolled: false });
  });

  it('continues as new past a small history threshold and still finishes the path', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const nodes = [{ id: 'start', type: 'trigger.manual', config: {} }];
    for (let i = 1; i <= 4; i++) {
      nodes.push(
        { id: `wait-${i}`, type: 'wait.duration', config: { duration: { amount: 1, unit: 'hours' } } } as any,
        { id: `step-${i}`, type: 'contact.update', config: { set: { [`step${i}`]: true } } } as any,
      );
    }
    const { journey } = await publishGraph(db, workspace.id, line('Long path', nodes));
    const { workflowId, result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      historyLimit: 12,
    });
    expect(result.status).toBe('completed');
    expect(result.continuedAsNew).toBeGreaterThan(0);
    expect((await getContact(db, workspace.id, contact.id)).attributes).toMatchObject({
      step1: true,
      step2: true,
      step3: true,
      step4: true,
    });
    const path = await pathOf(db, workflowId);
    expect(path.filter((p) => p.startsWith('step-'))).toEqual([
      'step-1:next',
      'step-2:next',
      'step-3:next',
      'step-4:next',
    ]);
    expect((await runRow(db, workflowId)).status).toBe('completed');
  });
  it('continues as new in the middle of a long wait.event and still matches the event afterwards', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, waitForOrder('Noisy wait'));
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      historyLimit: 20,
    });
    for (let i = 0; i < 30; i++) {
      await handle.signal(eventSignal, {
        id: `noise-${i}`,
        name: 'Page Viewed',
        properties: {},
        timestamp: new Date().toISOString(),
      });
    }
    await handle.signal(eventSignal, {
      id: 'order',
      name: 'Order Completed',
      properties: { total: 99 },
      timestamp: new Date().toISOString(),
    });
    const result: JourneyRunResult = await handle.result();
    expect(result.continuedAsNew).toBeGreaterThan(0);
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'await-order:matched', 'thanks:next']);
  });

  it('ignores events received before the node when wait.event is set to only while waiting', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const graph = line('Strict wait', [
      { id: 'start', type: 'trigger.manual', config: {} },
      { id: 'pause', type: 'wait.duration', config: { duration: { amount: 1, unit: 'hours' } } },
      {
        id: 'strict',
        type: 'wait.event',
        config: { event: 'Clicked', timeout: { amount: 1, unit: 'days' }, onlyWhileWaiting: true },
      },
    ]);
    graph.edges[1].sourceHandle = 'next';
    graph.nodes.push({ id: 'late', type: 'exit', config: {} });
    graph.edges.push({ id: 'e-timeout', source: 'strict', sourceHandle: 'timeout', target: 'late' });
    graph.nodes.push({ id: 'clicked', type: 'exit', config: {} });
    graph.edges.push({ id: 'e-matched', source: 'strict', sourceHandle: 'matched', target: 'clicked' });
    const { journey } = await publishGraph(db, workspace.id, graph);
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    await handle.signal(eventSignal, {
      id: 'early-click',
      name: 'Clicked',
      properties: {},
      timestamp: new Date().toISOString(),
    });
    await handle.result();
    expect((await pathOf(db, workflowId)).slice(-2)).toEqual(['strict:timeout', 'late']);
  });
  it('recovers a contact whose earlier enrollment claimed its run but never started the workflow', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Orphan', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'mark', type: 'contact.update', config: { addTags: ['entered'] } },
      ]),
    );
    await db.insert(journeyRuns).values({
      workspaceId: workspace.id,
      journeyId: journey.id,
      version: 1,
      contactId: contact.id,
      entry: 1,
      workflowId: `wl:${workspace.id}:${journey.id}:${contact.id}`,
      startedAt: new Date(Date.now() - 5 * 60_000),
    });
    const { result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    expect(result.status).toBe('completed');
    expect((await getContact(db, workspace.id, contact.id)).tags).toContain('entered');
  });
});

import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts } from '../../db/schema';
import { getContact } from '../../engine/audience/contacts/contacts';
import { pathOf, publishGraph, runToEnd, startRun, workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

/**
 * A run started now carries `interpreter` and the contact as the enrollment read it: it takes the
 * interpreter's behaviours without a patch marker each, and decides a condition met before any
 * wait or action on that snapshot (no local activity). After a wait it reads the contact afresh.
 */
describe('runs started with the current interpreter (time-skipping server, PGlite)', () => {
  const stack = journeyStack('time-skipping');

  /** The names of the markers in a run's history: `core_patch` for patches, `core_local_activity` for local activities. */
  const markersOf = async (workflowId: string) => {
    const history = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((e) =>
      e.markerRecordedEventAttributes ? [String(e.markerRecordedEventAttributes.markerName)] : [],
    );
  };

  /** The input a run started with, from its history. */
  const inputOf = async (workflowId: string) => {
    const history = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const [payload] = history.events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    return JSON.parse(Buffer.from(payload.data as Uint8Array).toString('utf8'));
  };

  it('decides the first condition on the enrollment snapshot and records no patch marker', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db, { userId: 'u-vip', tags: ['vip'] });
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'VIP welcome',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'vip', type: 'branch.condition', config: { conditions: [{ kind: 'tag', tag: 'vip' }] } },
        { id: 'tag', type: 'contact.update', config: { addTags: ['welcomed'] } },
        { id: 'done', type: 'exit', config: {} },
        { id: 'skip', type: 'exit', config: {} },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'vip' },
        { id: 'b', source: 'vip', sourceHandle: 'true', target: 'tag' },
        { id: 'c', source: 'vip', sourceHandle: 'false', target: 'skip' },
        { id: 'd', source: 'tag', target: 'done' },
      ],
    });
    const { workflowId, result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    expect(result.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'vip:true', 'tag:next', 'done']);
    expect((await getContact(db, workspace.id, contact.id)).tags).toContain('welcomed');
    // No marker at all: no `loadContact`, no patches, and no local activity recording the run's
    // end, which the update's activity recorded.
    expect(await markersOf(workflowId)).toEqual([]);
    expect((await inputOf(workflowId)).contact).toMatchObject({ found: true, tags: ['vip'] });
  });

  it('reads the contact afresh for a condition after a wait', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db, { userId: 'u-later' });
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'Check after a day',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
        { id: 'vip', type: 'branch.condition', config: { conditions: [{ kind: 'tag', tag: 'vip' }] } },
        { id: 'tag', type: 'contact.update', config: { addTags: ['late-vip'] } },
        { id: 'skip', type: 'exit', config: {} },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'wait' },
        { id: 'b', source: 'wait', target: 'vip' },
        { id: 'c', source: 'vip', sourceHandle: 'true', target: 'tag' },
        { id: 'd', source: 'vip', sourceHandle: 'false', target: 'skip' },
      ],
    });
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    // Tagged while the run waits, without any signal: the enrollment's snapshot says "not vip".
    await db
      .update(contacts)
      .set({ tags: ['vip'] })
      .where(eq(contacts.id, contact.id));
    expect((await handle.result()).status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'wait:next', 'vip:true', 'tag:next']);
    // Its first node waits: the snapshot would never be read, so the run does not carry one.
    expect((await inputOf(workflowId)).contact).toBeUndefined();
  });
});

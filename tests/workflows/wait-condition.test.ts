import { describe, expect, it } from 'vitest';
import { addToList } from '../../engine/audience/contacts/contact-store';
import { createContact } from '../../engine/audience/contacts/contacts';
import { statusQuery } from '../../engine/automation/runs/signals';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { updateContact } from '../../engine/operations/contacts';
import { contactChanged } from '../../engine/operations/segment-membership';
import { createSegment } from '../../engine/operations/segments';
import { pathOf, publishGraph, startRun, workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

describe('wait.condition (real time-skipping test server, PGlite, contactChanged)', () => {
  const stack = journeyStack('time-skipping');
  const deps = () => ({ db: stack.db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue });

  const waitingFor = (name: string, when: unknown) => ({
    name,
    nodes: [
      { id: 'start', type: 'trigger.manual', config: {} },
      { id: 'until-paid', type: 'wait.condition', config: { when, timeout: { amount: 3, unit: 'days' } } },
      { id: 'welcome', type: 'contact.update', config: { addTags: ['welcomed'] } },
      { id: 'chase', type: 'contact.update', config: { addTags: ['chased'] } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'until-paid' },
      { id: 'e2', source: 'until-paid', sourceHandle: 'matched', target: 'welcome' },
      { id: 'e3', source: 'until-paid', sourceHandle: 'timeout', target: 'chase' },
    ],
  });
  const paid = { match: 'all', conditions: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'paid' }] };

  async function runUntilWaiting(journeyId: string, workspaceId: string, contactId: string) {
    const { workflowId, handle } = await startRun(stack.db, stack.temporal, {
      workspaceId,
      journeyId,
      contactId,
    });
    for (let i = 0; i < 100 && (await handle.query(statusQuery)).cursor !== 'until-paid'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { workflowId, handle };
  }

  it('passes at once when the condition already holds', async () => {
    const { db } = stack;
    const { workspace } = await workspaceWithContact(db);
    const contact = await createContact(db, workspace.id, { userId: 'payer', attributes: { plan: 'paid' } });
    const { journey } = await publishGraph(db, workspace.id, waitingFor('Already paid', paid));
    const { workflowId, handle } = await startRun(db, stack.temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    await handle.result();
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'until-paid:matched', 'welcome:next']);
  });

  it('passes as soon as a change makes the condition hold, long before the timeout', async () => {
    const { db } = stack;
    const { workspace } = await workspaceWithContact(db);
    const contact = await createContact(db, workspace.id, { userId: 'later', attributes: { plan: 'free' } });
    const { journey } = await publishGraph(db, workspace.id, waitingFor('Becomes paid', paid));
    const { workflowId, handle } = await runUntilWaiting(journey.id, workspace.id, contact.id);

    await updateContact(deps(), workspace.id, contact.id, { attributes: { seats: 2 } });
    expect((await handle.query(statusQuery)).cursor).toBe('until-paid');
    await updateContact(deps(), workspace.id, contact.id, { attributes: { plan: 'paid' } });
    const result: JourneyRunResult = await handle.result();
    expect(result.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'until-paid:matched', 'welcome:next']);
  });

  it('takes the timeout port when the condition never holds', async () => {
    const { db } = stack;
    const { workspace } = await workspaceWithContact(db);
    const contact = await createContact(db, workspace.id, { userId: 'never', attributes: { plan: 'free' } });
    const { journey } = await publishGraph(db, workspace.id, waitingFor('Never pays', paid));
    const { workflowId, handle } = await runUntilWaiting(journey.id, workspace.id, contact.id);
    await handle.result();
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'until-paid:timeout', 'chase:next']);
  });

  it('waits for segment and list membership', async () => {
    const { db } = stack;
    const { workspace } = await workspaceWithContact(db);
    const segment = await createSegment(deps(), workspace.id, {
      name: 'Hot leads',
      definition: { match: 'all', rules: [{ kind: 'tag', tag: 'hot', present: true }] },
    });
    const contact = await createContact(db, workspace.id, { userId: 'lead' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      waitingFor('Hot and listed', {
        match: 'all',
        conditions: [
          { kind: 'segment', segmentId: segment.id },
          { kind: 'list', list: 'newsletter' },
        ],
      }),
    );
    const { workflowId, handle } = await runUntilWaiting(journey.id, workspace.id, contact.id);
    await updateContact(deps(), workspace.id, contact.id, { addTags: ['hot'] });
    expect((await handle.query(statusQuery)).cursor).toBe('until-paid');
    await addToList(db, workspace.id, contact.id, 'newsletter');
    await contactChanged(deps(), workspace.id, contact.id);
    await handle.result();
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'until-paid:matched', 'welcome:next']);
  });
});

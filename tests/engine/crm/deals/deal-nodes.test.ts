import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, journeyRuns } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createDeal, listDeals, listStageHistory, moveDeal } from '../../../../engine/crm/deals/deals';
import { createPipeline, type PipelineView } from '../../../../engine/crm/deals/pipelines';
import { assignOwnerInTurn } from '../../../../engine/crm/deals/round-robin';
import { type Dispatcher, startDispatcher } from '../../../../engine/dispatch/dispatcher';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { pathOf, publishGraph, runToEnd } from '../../../helpers/fixtures';
import { journeyStack } from '../../../helpers/stack';
import { member } from '../../identity/identity-app';

describe('deal journey nodes and the "deal entered stage" trigger (real Temporal dev server, PGlite)', () => {
  const stack = journeyStack('dev-server');
  let workspaceId: string;
  let pipeline: PipelineView;
  let firstSales: { id: string };
  let secondSales: { id: string };
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    workspaceId = (await createWorkspace(stack.db, 'Deal nodes')).id;
    firstSales = await member(stack.database, workspaceId, 'sales', 'first-sales@example.com');
    secondSales = await member(stack.database, workspaceId, 'sales', 'second-sales@example.com');
    await member(stack.database, workspaceId, 'support', 'support@example.com');
    pipeline = await createPipeline(stack.db, workspaceId, {
      name: 'Inbound',
      stages: [
        { name: 'New', winProbability: 5, closedWon: false, closedLost: false },
        { name: 'Qualified', winProbability: 40, closedWon: false, closedLost: false },
        { name: 'Won', winProbability: 100, closedWon: true, closedLost: false },
      ],
    });
    dispatcher = startDispatcher({
      db: stack.db,
      temporal: stack.temporal.client,
      taskQueue: stack.temporal.taskQueue,
    });
  });
  afterAll(async () => {
    await dispatcher?.stop();
  });

  it('creates a deal from the entry event, hands it out in turn and moves it', async () => {
    const { journey } = await publishGraph(stack.db, workspaceId, {
      name: 'Lead intake',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        {
          id: 'create',
          type: 'deal.create',
          config: {
            pipelineId: pipeline.id,
            title: 'Website lead',
            valueProperty: 'budget',
            currency: 'EUR',
          },
        },
        { id: 'assign', type: 'deal.assign-owner', config: { role: 'sales', pipelineId: pipeline.id } },
        {
          id: 'qualify',
          type: 'deal.update',
          config: { stageId: pipeline.stages[1].id, pipelineId: pipeline.id },
        },
        { id: 'done', type: 'exit', config: {} },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'create' },
        { id: 'b', source: 'create', target: 'assign' },
        { id: 'c', source: 'assign', target: 'qualify' },
        { id: 'd', source: 'qualify', target: 'done' },
      ],
    });
    const owners: (string | null)[] = [];
    for (const [i, budget] of [1200, 800, 300].entries()) {
      const contact = await createContact(stack.db, workspaceId, {
        userId: `lead-${i}`,
        email: `lead${i}@example.com`,
      });
      const { workflowId, result } = await runToEnd(stack.db, stack.temporal, {
        workspaceId,
        journeyId: journey.id,
        contactId: contact.id,
        trigger: {
          id: `form-${i}`,
          name: 'Form Submitted',
          properties: { budget },
          timestamp: new Date().toISOString(),
        },
      });
      expect(result.status).toBe('completed');
      expect(await pathOf(stack.db, workflowId)).toEqual([
        'start:next',
        'create:next',
        'assign:next',
        'qualify:next',
        'done',
      ]);
      const [deal] = await listDeals(stack.db, workspaceId, { contactId: contact.id });
      expect(deal).toMatchObject({
        title: 'Website lead',
        value: budget,
        stageName: 'Qualified',
        status: 'open',
      });
      owners.push(deal.ownerUserId);
      const history = await listStageHistory(stack.db, workspaceId, deal.id);
      expect(history.map((h) => h.stageName)).toEqual(['New', 'Qualified']);
      const names = (
        await stack.db
          .select({ name: events.name })
          .from(events)
          .where(and(eq(events.workspaceId, workspaceId), eq(events.contactId, contact.id)))
      ).map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(['Deal Created', 'Deal Stage Changed']));
    }
    // Two sales members take turns in the order they joined; support is never picked.
    expect(owners).toEqual([firstSales.id, secondSales.id, firstSales.id]);
  });

  it('enters a journey when a deal enters a stage (event trigger on "Deal Stage Changed" filtered by stage)', async () => {
    const { journey } = await publishGraph(stack.db, workspaceId, {
      name: 'Deal won',
      nodes: [
        {
          id: 'start',
          type: 'trigger.event',
          config: {
            event: 'Deal Stage Changed',
            where: [{ path: 'stageId', op: 'eq', value: pipeline.stages[2].id }],
          },
        },
        { id: 'tag', type: 'contact.update', config: { addTags: ['customer'] } },
        { id: 'done', type: 'exit', config: {} },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'tag' },
        { id: 'b', source: 'tag', target: 'done' },
      ],
    });
    const contact = await createContact(stack.db, workspaceId, {
      userId: 'buyer',
      email: 'buyer@example.com',
    });
    const deal = await createDeal(
      stack.db,
      workspaceId,
      { title: 'Big one', pipelineId: pipeline.id, value: 5000, contactIds: [contact.id] },
      { userId: null },
    );
    await moveDeal(stack.db, workspaceId, deal.id, pipeline.stages[1].id, { userId: null });
    dispatcher.kick();
    // Qualified is not the stage the trigger waits for: no run.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const runsOf = () =>
      stack.db
        .select()
        .from(journeyRuns)
        .where(and(eq(journeyRuns.journeyId, journey.id), eq(journeyRuns.contactId, contact.id)));
    expect(await runsOf()).toHaveLength(0);

    await moveDeal(stack.db, workspaceId, deal.id, pipeline.stages[2].id, { userId: null });
    dispatcher.kick();
    await expect
      .poll(async () => (await runsOf())[0]?.status, { timeout: 20_000, interval: 250 })
      .toBe('completed');
    expect(await runsOf()).toHaveLength(1);
  });

  it('assigns once per journey step: a retried step gets the same owner and the turn moves on once', async () => {
    const contact = await createContact(stack.db, workspaceId, {
      userId: 'retry',
      email: 'retry@example.com',
    });
    const deal = await createDeal(
      stack.db,
      workspaceId,
      { title: 'Retried', pipelineId: pipeline.id, contactIds: [contact.id] },
      { userId: null },
    );
    const turn = (key: string) =>
      assignOwnerInTurn(stack.db, {
        workspaceId,
        dealId: deal.id,
        role: 'sales',
        contactId: contact.id,
        key,
      });
    // The lead-intake test handed out three turns (first, second, first): the second member is next.
    const first = await turn('run-1:assign:1');
    const retried = await turn('run-1:assign:1');
    const next = await turn('run-2:assign:1');
    expect([first, retried, next]).toEqual([secondSales.id, secondSales.id, firstSales.id]);
    const assigned = await stack.db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Deal Owner Assigned')));
    expect(assigned.map((e) => e.properties.ownerUserId)).toEqual([secondSales.id, firstSales.id]);
  });

  it('creates one deal per source key, however often it is asked', async () => {
    const contact = await createContact(stack.db, workspaceId, {
      userId: 'twice',
      email: 'twice@example.com',
    });
    const input = { title: 'Once', pipelineId: pipeline.id, value: 10, contactIds: [contact.id] };
    const first = await createDeal(stack.db, workspaceId, input, { userId: null }, { sourceKey: 'hook:x:1' });
    const second = await createDeal(
      stack.db,
      workspaceId,
      input,
      { userId: null },
      { sourceKey: 'hook:x:1' },
    );
    expect(second.id).toBe(first.id);
    expect(await listDeals(stack.db, workspaceId, { contactId: contact.id })).toHaveLength(1);
  });
});

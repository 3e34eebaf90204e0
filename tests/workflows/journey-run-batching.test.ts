import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contacts, messages, nodeVisits } from '../../db/schema';
import { getContact } from '../../engine/audience/contacts/contacts';
import { createRegistry } from '../../engine/automation/nodes';
import { controlSignal } from '../../engine/automation/runs/signals';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { createTemplate } from '../../engine/messaging/templates/templates';
import { defineNode, nextPort } from '../../engine/sdk/define-node';
import { NodeError } from '../../engine/sdk/node-error';
import { testChannelDeps } from '../helpers/channels';
import {
  enroller,
  line,
  pathOf,
  publishGraph,
  runRow,
  vipWelcomeGraph,
  workspaceWithContact,
} from '../helpers/fixtures';
import { latch } from '../helpers/latch';
import { journeyStack } from '../helpers/stack';

/** A custom node that always fails for good: its `error` port decides where the run goes. */
const alwaysFails = defineNode({
  type: 'test.always-fails',
  version: 1,
  kind: 'action',
  title: 'Always fails',
  category: 'Test',
  config: z.object({}),
  ports: [nextPort, { id: 'error', label: 'Failed' }],
  async execute() {
    throw NodeError.fatal('the provider refused');
  },
});

/** A custom node that writes the contact through `ctx.db`, past `updateContact`. */
const writesDirectly = defineNode({
  type: 'test.writes-directly',
  version: 1,
  kind: 'action',
  title: 'Writes directly',
  category: 'Test',
  config: z.object({}),
  ports: [nextPort],
  async execute(_config, ctx) {
    await ctx.db
      .update(contacts)
      .set({ attributes: sql`${contacts.attributes} || '{"plan":"pro"}'::jsonb` })
      .where(eq(contacts.id, ctx.contact.id));
    return {};
  },
});

/** A custom node that reports the contact as its context shows it. */
const reportsContact = defineNode({
  type: 'test.reports-contact',
  version: 1,
  kind: 'action',
  title: 'Reports the contact',
  category: 'Test',
  config: z.object({}),
  ports: [nextPort],
  async execute(_config, ctx) {
    return { output: { tags: ctx.contact.tags, plan: ctx.contact.attributes.plan ?? null } };
  },
});

/** `test.holds` waits for this gate, once `held` tells the test it started. */
let gate = latch();
let held = latch();

/** A custom node that holds until the test lets it go. */
const holds = defineNode({
  type: 'test.holds',
  version: 1,
  kind: 'action',
  title: 'Holds',
  category: 'Test',
  config: z.object({}),
  ports: [nextPort],
  async execute() {
    held.resolve();
    await gate.promise;
    return {};
  },
});

const registryFor = (db: Parameters<typeof testChannelDeps>[0]) =>
  createRegistry(
    [alwaysFails, writesDirectly, reportsContact, holds].map((definition) => ({
      definition,
      source: 'test',
    })),
    { channels: testChannelDeps(db) },
  );

/** Activity types the run scheduled on the server, in order (local activities are markers, not listed). */
async function scheduledActivities(handle: { fetchHistory(): Promise<{ events?: unknown[] | null }> }) {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map(
      (e) =>
        (e as { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } })
          .activityTaskScheduledEventAttributes?.activityType?.name,
    )
    .filter((name): name is string => !!name);
}

/** The markers in a run's history: `core_patch` for patches, `core_local_activity` for local activities. */
async function markersOf(handle: { fetchHistory(): Promise<{ events?: unknown[] | null }> }) {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const marker = (e as { markerRecordedEventAttributes?: { markerName?: string } })
      .markerRecordedEventAttributes;
    return marker ? [String(marker.markerName)] : [];
  });
}

describe('journey runs decide conditions in workflow code and batch action nodes (real Temporal test server, PGlite)', () => {
  const stack = journeyStack('time-skipping', { registry: registryFor });

  /** Enrolls the contact and waits for its run to end. */
  async function runToEnd(workspaceId: string, journeyId: string, contactId: string) {
    const result = await enroller(stack.db, stack.temporal)({ workspaceId, journeyId, contactId });
    if (!result.enrolled) throw new Error(result.reason);
    const handle = stack.temporal.client.workflow.getHandle(result.workflowId);
    const outcome: JourneyRunResult = await handle.result();
    return { workflowId: result.workflowId, handle, outcome };
  }

  it('runs condition → update → email → exit with one activity, each node recorded on its own', async () => {
    const { db } = stack;
    const { workspace, contact } = await workspaceWithContact(db, {
      userId: 'u-vip',
      email: 'vip@example.com',
      tags: ['vip'],
    });
    await createTemplate(db, workspace.id, {
      name: 'welcome',
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      vipWelcomeGraph('VIP welcome', 'welcomed'),
      registryFor(db),
    );
    const { workflowId, handle, outcome } = await runToEnd(workspace.id, journey.id, contact.id);

    expect(outcome.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'vip:true', 'tag:next', 'mail:next', 'done']);
    // The condition ran in workflow code; the update and the email shared one activity.
    expect(await scheduledActivities(handle)).toEqual(['executeNodes']);
    expect((await getContact(db, workspace.id, contact.id)).tags).toContain('welcomed');
    const sent = await db.select().from(messages).where(eq(messages.workflowId, workflowId));
    expect(sent.map((m) => [m.nodeId, m.status])).toEqual([['mail', 'sent']]);
    // The activity recorded the run's end as well: no local activity after it.
    expect(await markersOf(handle)).toEqual([]);
    expect(await runRow(db, workflowId)).toMatchObject({ status: 'completed', exitReason: 'exit node' });
    expect((await runRow(db, workflowId)).endedAt).toBeInstanceOf(Date);
  });

  it('records the end in the last batch when nothing follows it, a lone node included', async () => {
    const { db } = stack;
    const { workspace, contact } = await workspaceWithContact(db, { userId: 'u-lone' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Tag and stop', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'tag', type: 'contact.update', config: { addTags: ['tagged'] } },
      ]),
      registryFor(db),
    );
    const { workflowId, handle, outcome } = await runToEnd(workspace.id, journey.id, contact.id);
    expect(outcome).toMatchObject({ status: 'completed', path: ['start', 'tag'] });
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'tag:next']);
    expect(await scheduledActivities(handle)).toEqual(['executeNodes']);
    expect(await markersOf(handle)).toEqual([]);
    expect(await runRow(db, workflowId)).toMatchObject({
      status: 'completed',
      exitReason: 'reached the end of the journey',
    });
    const visits = await db.select().from(nodeVisits).where(eq(nodeVisits.workflowId, workflowId));
    const tag = visits.find((v) => v.nodeId === 'tag')!;
    expect(tag.leftAt!.getTime()).toBeGreaterThanOrEqual(tag.enteredAt.getTime());
  });

  it('ends as an exit that arrives during the last batch says, over the end the batch recorded', async () => {
    const { db, temporal } = stack;
    gate = latch();
    held = latch();
    const { workspace, contact } = await workspaceWithContact(db, { userId: 'u-held' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Held at the end', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'hold', type: 'test.holds', config: {} },
        { id: 'done', type: 'exit', config: {} },
      ]),
      registryFor(db),
    );
    const enrolled = await enroller(
      db,
      temporal,
    )({
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    const handle = temporal.client.workflow.getHandle(enrolled.workflowId);
    await held.promise;
    await handle.signal(controlSignal, { action: 'exit', reason: 'removed by an operator' });
    gate.resolve();
    const outcome: JourneyRunResult = await handle.result();

    expect(outcome).toMatchObject({ status: 'exited', reason: 'removed by an operator' });
    expect(await runRow(db, enrolled.workflowId)).toMatchObject({
      status: 'exited',
      exitReason: 'removed by an operator',
    });
  });

  it('takes the same end through a patch marker for a run started by the interpreter before it', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db, { userId: 'u-older' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Older run', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'tag', type: 'contact.update', config: { addTags: ['older'] } },
        { id: 'done', type: 'exit', config: {} },
      ]),
      registryFor(db),
    );
    const first = await runToEnd(workspace.id, journey.id, contact.id);
    const history = await first.handle.fetchHistory();
    const [payload] = history.events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const started = JSON.parse(Buffer.from(payload.data as Uint8Array).toString('utf8'));
    const workflowId = `${first.workflowId}:interpreter-1`;
    const handle = await temporal.client.workflow.start('journeyRun', {
      workflowId,
      taskQueue: temporal.taskQueue,
      // The contact's next entry, so the two runs' rows differ as two entries of one journey do.
      args: [{ ...started, entry: started.entry + 1, interpreter: 1 }],
    });
    const outcome: JourneyRunResult = await handle.result();

    expect(outcome.status).toBe('completed');
    expect(await markersOf(handle)).toEqual(['core_patch']);
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'tag:next', 'done']);
    expect(await runRow(db, workflowId)).toMatchObject({ status: 'completed', exitReason: 'exit node' });
  });

  it('shows each node of a batch the contact as the nodes before it left it', async () => {
    const { db } = stack;
    const { workspace, contact } = await workspaceWithContact(db, { userId: 'u-batch' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Contact through a batch', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'tag', type: 'contact.update', config: { addTags: ['first'] } },
        { id: 'after-update', type: 'test.reports-contact', config: {} },
        { id: 'direct', type: 'test.writes-directly', config: {} },
        { id: 'after-direct', type: 'test.reports-contact', config: {} },
        { id: 'done', type: 'exit', config: {} },
      ]),
      registryFor(db),
    );
    const { workflowId, handle, outcome } = await runToEnd(workspace.id, journey.id, contact.id);
    expect(outcome.status).toBe('completed');
    expect(await scheduledActivities(handle)).toEqual(['executeNodes']);
    const visits = await db.select().from(nodeVisits).where(eq(nodeVisits.workflowId, workflowId));
    const reported = (nodeId: string) => visits.find((visit) => visit.nodeId === nodeId)?.outcome;
    // The update's row is handed on; a write through `ctx.db` makes the next node read it afresh.
    expect(reported('after-update')).toEqual({ tags: ['first'], plan: null });
    expect(reported('after-direct')).toEqual({ tags: ['first'], plan: 'pro' });
  });

  it('takes the false branch of a tag condition without any activity', async () => {
    const { db } = stack;
    const { workspace, contact } = await workspaceWithContact(db, {
      userId: 'u-plain',
      email: 'plain@example.com',
    });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      {
        name: 'Plain',
        nodes: [
          { id: 'start', type: 'trigger.manual', config: {} },
          {
            id: 'pro',
            type: 'branch.condition',
            config: {
              match: 'any',
              conditions: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }],
            },
          },
          { id: 'tag', type: 'contact.update', config: { addTags: ['pro'] } },
          { id: 'skip', type: 'exit', config: {} },
        ],
        edges: [
          { id: 'a', source: 'start', target: 'pro' },
          { id: 'b', source: 'pro', sourceHandle: 'true', target: 'tag' },
          { id: 'c', source: 'pro', sourceHandle: 'false', target: 'skip' },
        ],
      },
      registryFor(db),
    );
    const { workflowId, handle } = await runToEnd(workspace.id, journey.id, contact.id);
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'pro:false', 'skip']);
    expect(await scheduledActivities(handle)).toEqual([]);
  });

  it('hands a node that fails inside a batch back to the run, which takes its error port', async () => {
    const { db } = stack;
    const { workspace, contact } = await workspaceWithContact(db, {
      userId: 'u-fail',
      email: 'fail@example.com',
    });
    const graph = line('Fails midway', [
      { id: 'start', type: 'trigger.manual', config: {} },
      { id: 'first', type: 'contact.update', config: { addTags: ['first'] } },
      { id: 'boom', type: 'test.always-fails', config: {} },
    ]);
    graph.nodes.push({ id: 'recover', type: 'contact.update', config: { addTags: ['recovered'] } });
    graph.edges.push({ id: 'err', source: 'boom', sourceHandle: 'error', target: 'recover' });
    const { journey } = await publishGraph(db, workspace.id, graph, registryFor(db));
    const { workflowId, handle, outcome } = await runToEnd(workspace.id, journey.id, contact.id);

    expect(outcome.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'first:next', 'boom:error', 'recover:next']);
    // The batch ran `first` and handed `boom` back; alone (a batch of one, nothing after it on
    // `next`), it failed for good; `recover` ran alone, and recorded the run's end.
    expect(await scheduledActivities(handle)).toEqual(['executeNodes', 'executeNodes', 'executeNodes']);
    expect((await getContact(db, workspace.id, contact.id)).tags).toEqual(
      expect.arrayContaining(['first', 'recovered']),
    );
  });
});

import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { nodeVisits } from '../../db/schema';
import { createContact, getContact } from '../../engine/audience/contacts/contacts';
import { journeyCounts } from '../../engine/automation/runs/queries';
import { controlSignal, eventSignal, statusQuery } from '../../engine/automation/runs/signals';
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

describe('control nodes, pause and exit (real time-skipping test server, PGlite)', () => {
  const stack = journeyStack('time-skipping');

  it('waits until the next 09:00 in the contact’s own time zone', async () => {
    const { db, temporal } = stack;
    const { workspace } = await workspaceWithContact(db);
    const tokyo = await createContact(db, workspace.id, { userId: 'tokyo', timezone: 'Asia/Tokyo' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Morning', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'morning', type: 'wait.until', config: { mode: 'time-of-day', time: '09:00' } },
        { id: 'mark', type: 'contact.update', config: { set: { greeted: true } } },
      ]),
    );
    const { workflowId } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: tokyo.id,
    });
    const [visit] = await db
      .select()
      .from(nodeVisits)
      .where(eq(nodeVisits.workflowId, workflowId))
      .then((rows) => rows.filter((r) => r.nodeId === 'morning'));
    const left = visit.leftAt!;
    expect(left.getUTCHours()).toBe(0);
    expect(left.getUTCMinutes()).toBe(0);
    expect(left.getTime() - visit.enteredAt.getTime()).toBeLessThanOrEqual(86_400_000);
  });

  it('takes the missing port of wait.until when the date attribute is absent, and continues at once for a past date', async () => {
    const { db, temporal } = stack;
    const { workspace } = await workspaceWithContact(db);
    const graph = {
      name: 'Renewal',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        {
          id: 'renewal',
          type: 'wait.until',
          config: { mode: 'attribute', attribute: 'renewsOn', offsetDays: -7, time: '10:00' },
        },
        { id: 'remind', type: 'contact.update', config: { set: { reminded: true } } },
        { id: 'ask', type: 'contact.update', config: { set: { askedForDate: true } } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'renewal' },
        { id: 'e2', source: 'renewal', sourceHandle: 'next', target: 'remind' },
        { id: 'e3', source: 'renewal', sourceHandle: 'missing', target: 'ask' },
      ],
    };
    const { journey } = await publishGraph(db, workspace.id, graph);
    const noDate = await createContact(db, workspace.id, { userId: 'no-date' });
    const past = await createContact(db, workspace.id, {
      userId: 'past',
      attributes: { renewsOn: '2020-01-01' },
    });
    const a = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: noDate.id,
    });
    const b = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: past.id,
    });
    expect(await pathOf(db, a.workflowId)).toEqual(['start:next', 'renewal:missing', 'ask:next']);
    expect(await pathOf(db, b.workflowId)).toEqual(['start:next', 'renewal:next', 'remind:next']);
  });

  it('waits until the instant of a date-time attribute two hours ahead, not its midnight', async () => {
    const { db, temporal } = stack;
    const { workspace } = await workspaceWithContact(db);
    const appt = new Date(Math.ceil((Date.now() + 2 * 3_600_000) / 60_000) * 60_000).toISOString();
    const patient = await createContact(db, workspace.id, { userId: 'patient', attributes: { appt } });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Appointment', [
        { id: 'start', type: 'trigger.manual', config: {} },
        {
          id: 'before-appt',
          type: 'wait.until',
          config: {
            mode: 'attribute',
            attribute: 'appt',
            offset: { amount: 1, unit: 'hours', direction: 'before' },
          },
        },
        { id: 'mark', type: 'contact.update', config: { set: { reminded: true } } },
      ]),
    );
    const { workflowId } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: patient.id,
    });
    const [visit] = await db
      .select()
      .from(nodeVisits)
      .where(eq(nodeVisits.workflowId, workflowId))
      .then((rows) => rows.filter((r) => r.nodeId === 'before-appt'));
    expect(visit.outcome).toEqual({ until: new Date(Date.parse(appt) - 3_600_000).toISOString() });
    expect(visit.leftAt!.getTime()).toBeGreaterThanOrEqual(Date.parse(appt) - 3_600_000);
  });

  it('routes branch.switch by the first case that holds, else “else”', async () => {
    const { db, temporal } = stack;
    const { workspace } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'Tiers',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        {
          id: 'tier',
          type: 'branch.switch',
          config: {
            cases: [
              {
                port: 'gold',
                label: 'Gold',
                when: { conditions: [{ kind: 'attribute', path: 'spend', op: 'gte', value: 1000 }] },
              },
              { port: 'silver', label: 'Silver', when: { conditions: [{ kind: 'tag', tag: 'member' }] } },
            ],
          },
        },
        { id: 'gold', type: 'contact.update', config: { set: { tier: 'gold' } } },
        { id: 'silver', type: 'contact.update', config: { set: { tier: 'silver' } } },
        { id: 'basic', type: 'contact.update', config: { set: { tier: 'basic' } } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'tier' },
        { id: 'e2', source: 'tier', sourceHandle: 'gold', target: 'gold' },
        { id: 'e3', source: 'tier', sourceHandle: 'silver', target: 'silver' },
        { id: 'e4', source: 'tier', sourceHandle: 'else', target: 'basic' },
      ],
    });
    const people = await Promise.all([
      createContact(db, workspace.id, { userId: 'big', attributes: { spend: 5000 }, tags: ['member'] }),
      createContact(db, workspace.id, { userId: 'member', attributes: { spend: 10 }, tags: ['member'] }),
      createContact(db, workspace.id, { userId: 'nobody' }),
    ]);
    for (const person of people) {
      await runToEnd(db, temporal, {
        workspaceId: workspace.id,
        journeyId: journey.id,
        contactId: person.id,
      });
    }
    const tiers = await Promise.all(
      people.map(async (p) => (await getContact(db, workspace.id, p.id)).attributes.tier),
    );
    expect(tiers).toEqual(['gold', 'silver', 'basic']);
  });

  it('holds a paused run before its next action node and continues on resume', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Pausable', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'hours' } } },
        { id: 'mark', type: 'contact.update', config: { set: { marked: true } } },
      ]),
    );
    const { handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    await handle.signal(controlSignal, { action: 'pause' });
    await temporal.env!.sleep('2 days');
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ cursor: 'mark', paused: true, ended: null });
    expect((await getContact(db, workspace.id, contact.id)).attributes.marked).toBeUndefined();

    await handle.signal(controlSignal, { action: 'resume' });
    const result: JourneyRunResult = await handle.result();
    expect(result.status).toBe('completed');
    expect((await getContact(db, workspace.id, contact.id)).attributes.marked).toBe(true);
  });

  it('ends a run on an exit-criteria event and on the exit signal', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const other = await createContact(db, workspace.id, { userId: 'other' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(
        'Exits',
        [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 10, unit: 'days' } } },
          { id: 'mark', type: 'contact.update', config: { set: { reached: true } } },
        ],
        { exitCriteria: [{ event: 'Unsubscribed' }] },
      ),
    );
    const enroll = enroller(db, temporal);
    const first = await enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id });
    const second = await enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: other.id });
    if (!first.enrolled || !second.enrolled) throw new Error('not enrolled');
    const firstHandle = temporal.client.workflow.getHandle(first.workflowId);
    await firstHandle.signal(eventSignal, {
      id: 'u1',
      name: 'Unsubscribed',
      properties: {},
      timestamp: new Date().toISOString(),
    });
    const firstResult: JourneyRunResult = await firstHandle.result();
    const secondHandle = temporal.client.workflow.getHandle(second.workflowId);
    await secondHandle.signal(controlSignal, { action: 'exit', reason: 'journey archived' });
    const secondResult: JourneyRunResult = await secondHandle.result();
    const results = [firstResult, secondResult];
    expect(results.map((r) => r.status)).toEqual(['exited', 'exited']);
    expect((await runRow(db, second.workflowId)).exitReason).toBe('journey archived');
    expect((await getContact(db, workspace.id, contact.id)).attributes.reached).toBeUndefined();
  });
  it('counts runs waiting at a node now, runs per port, and conversions over runs that entered', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const other = await createContact(db, workspace.id, { userId: 'counted-2' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(
        'Counted',
        [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 2, unit: 'days' } } },
          { id: 'mark', type: 'contact.update', config: { set: { done: true } } },
        ],
        { goal: { event: 'Purchased' } },
      ),
    );
    const enroll = enroller(db, temporal);
    const runs = [
      await enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id }),
      await enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: other.id }),
    ];
    if (!runs[0].enrolled || !runs[1].enrolled) throw new Error('not enrolled');
    const handles = runs.map((r) => temporal.client.workflow.getHandle(r.workflowId!));
    await Promise.all(handles.map((h) => h.query(statusQuery)));
    const waiting = await journeyCounts(db, workspace.id, journey.id, 1);
    expect(waiting).toMatchObject({
      entered: 2,
      running: 2,
      nodes: { start: { entered: 2, ports: { next: 2 } }, wait: { entered: 2, waiting: 2 } },
    });

    await handles[0].signal(eventSignal, {
      id: 'buy',
      name: 'Purchased',
      properties: {},
      timestamp: new Date().toISOString(),
    });
    await handles[0].result();
    await handles[1].result();
    const after = await journeyCounts(db, workspace.id, journey.id, 1);
    expect(after).toMatchObject({ entered: 2, running: 0, converted: 1, conversionRate: 0.5 });
    expect(after.nodes.wait).toMatchObject({ entered: 2, waiting: 0, ports: { next: 1 } });
    expect(after.nodes.mark).toMatchObject({ entered: 1 });
  });
});

import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeVisits } from '../../../db/schema';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { enrollContact } from '../../../engine/automation/runs/enroll';
import { journeyTiming } from '../../../engine/automation/runs/timing';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { saveChannelSettings } from '../../../engine/messaging/channels/channel-settings';
import { createTemplate } from '../../../engine/messaging/templates/templates';
import { wallClockAt } from '../../../engine/time/zoned';
import { type ChannelStack, channelStack } from '../../helpers/channel-stack';
import { line, publishGraph } from '../../helpers/fixtures';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The send drift of the timing report keeps quiet-hours deferrals and frequency-cap deferrals
 * apart: the run records why each deferral happened where the send was deferred.
 */
describe('send deferrals by reason in the timing report (real Temporal test server, PGlite)', () => {
  const stack = channelStack('time-skipping');
  let { database, temporal, channels, registry } = {} as ChannelStack;
  beforeAll(() => {
    ({ database, temporal, channels, registry } = stack);
  });

  async function runThrough(policy: Record<string, unknown>, sends: number) {
    const { db } = database;
    const workspace = await createWorkspace(db, `Deferrals ${Math.random()}`);
    const contact = await createContact(db, workspace.id, {
      userId: 'd',
      email: 'd@example.com',
      timezone: 'UTC',
    });
    await saveChannelSettings(db, channels.box, workspace.id, 'email', { provider: null, policy });
    await createTemplate(db, workspace.id, { name: 'hello', channel: 'email', subject: 'Hello', body: 'Hi' });
    const nodes = [
      { id: 'start', type: 'trigger.manual', config: {} },
      ...Array.from({ length: sends }, (_, i) => ({
        id: `send-${i + 1}`,
        type: 'email.send',
        config: { template: 'hello' },
      })),
    ];
    const { journey } = await publishGraph(db, workspace.id, line('Deferred', nodes), registry);
    const enrolled = await enrollContact(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    const visits = await db
      .select()
      .from(nodeVisits)
      .where(and(eq(nodeVisits.workflowId, enrolled.workflowId)));
    return { timing: await journeyTiming(db, workspace.id, journey.id), visits };
  }

  it('records a quiet-hours deferral as such', async () => {
    // Quiet from an hour ago (UTC) until two hours from now: the one send waits.
    const hour = wallClockAt(Date.now(), 'UTC').hour;
    const { timing, visits } = await runThrough(
      { quietHours: { start: `${pad((hour + 23) % 24)}:00`, end: `${pad((hour + 2) % 24)}:00` } },
      1,
    );
    expect(visits.find((v) => v.nodeId === 'send-1')?.outcome).toMatchObject({
      deferredFor: [expect.stringMatching(/^quiet-hours/)],
    });
    const send = timing.nodes.find((n) => n.nodeId === 'send-1')!.send!;
    expect(send.onTime.visits).toBe(0);
    expect(send.deferred.visits).toBe(1);
    expect(send.deferredBy.quietHours.visits).toBe(1);
    expect(send.deferredBy.frequencyCap.visits).toBe(0);
    // Deferred until the next full hour two hours on: more than an hour, at most two.
    expect(send.deferredBy.quietHours.medianMs).toBeGreaterThan(3_600_000);
    expect(send.deferredBy.quietHours.medianMs).toBeLessThanOrEqual(7_200_000);
  }, 60_000);

  it('records a frequency-cap deferral apart from quiet hours', async () => {
    // One email an hour: the first goes out at once, the second waits for the window to pass.
    const { timing, visits } = await runThrough({ frequencyCap: { max: 1, windowHours: 1 } }, 2);
    expect(visits.find((v) => v.nodeId === 'send-2')?.outcome).toMatchObject({
      deferredFor: [expect.stringMatching(/^frequency-cap until /)],
    });
    const first = timing.nodes.find((n) => n.nodeId === 'send-1')!.send!;
    expect(first.onTime.visits).toBe(1);
    expect(first.deferred.visits).toBe(0);
    const second = timing.nodes.find((n) => n.nodeId === 'send-2')!.send!;
    expect(second.deferredBy).toMatchObject({
      quietHours: { visits: 0 },
      frequencyCap: { visits: 1 },
      other: { visits: 0 },
    });
    // The cap releases an hour after the first send.
    expect(second.deferredBy.frequencyCap.medianMs).toBeGreaterThan(3_500_000);
    expect(second.deferredBy.frequencyCap.medianMs).toBeLessThan(3_700_000);
  }, 60_000);
});

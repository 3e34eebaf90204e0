import { and, asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import type { JourneyGraphInput } from '../../../../engine/automation/journeys/model';
import { enrollContact } from '../../../../engine/automation/runs/enroll';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { saveChannelSettings } from '../../../../engine/messaging/channels/channel-settings';
import { createTemplate } from '../../../../engine/messaging/templates/templates';
import { nextLocalTime, wallClockAt } from '../../../../engine/time/zoned';
import { type ChannelStack, channelStack } from '../../../helpers/channel-stack';
import { line, publishGraph } from '../../../helpers/fixtures';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Journey-level quiet hours and frequency caps (the journey's settings) and the channel's send
 * rate, applied by the one send policy on real runs (Temporal time-skipping server, PGlite,
 * dev outbox).
 */
describe('journey quiet hours, journey caps and the channel rate in runs', () => {
  const stack = channelStack('time-skipping', { api: false });
  let { database, temporal, registry } = {} as ChannelStack;
  beforeAll(() => {
    ({ database, temporal, registry } = stack);
  });

  async function setup(name: string) {
    const { db } = database;
    const workspace = await createWorkspace(db, name);
    const contact = await createContact(db, workspace.id, {
      userId: 'c',
      email: 'c@example.com',
      timezone: 'UTC',
    });
    await createTemplate(db, workspace.id, { name: 'hello', channel: 'email', subject: 'Hello', body: 'Hi' });
    return { workspace, contact };
  }

  async function run(workspaceId: string, contactId: string, graph: JourneyGraphInput) {
    const { journey } = await publishGraph(database.db, workspaceId, graph, registry);
    const enrolled = await enrollContact(
      { db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { workspaceId, journeyId: journey.id, contactId },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    return database.db
      .select()
      .from(messages)
      .where(and(eq(messages.workflowId, enrolled.workflowId)))
      .orderBy(asc(messages.nodeId));
  }

  const sends = (...ids: string[]) => [
    { id: 'start', type: 'trigger.manual', config: {} },
    ...ids.map((id) => ({ id, type: 'email.send', config: { template: 'hello' } })),
  ];

  /** Quiet from an hour ago until two hours from now (UTC): now is inside. */
  function quietNow() {
    const hour = wallClockAt(Date.now(), 'UTC').hour;
    return { start: `${pad((hour + 23) % 24)}:00`, end: `${pad((hour + 2) % 24)}:00` };
  }

  it("skips a send in the journey's quiet hours when the journey says skip, and the run goes on", async () => {
    const { workspace, contact } = await setup('Journey quiet skip');
    const rows = await run(
      workspace.id,
      contact.id,
      line('Quiet skip', sends('a'), { quietHours: { ...quietNow(), action: 'skip' } }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'suppressed', reason: 'journey-quiet-hours' });
  });

  it("defers a send to the end of the journey's quiet hours", async () => {
    const { workspace, contact } = await setup('Journey quiet defer');
    const quiet = quietNow();
    const expected = nextLocalTime(Date.now(), 'UTC', quiet.end);
    const rows = await run(
      workspace.id,
      contact.id,
      line('Quiet defer', sends('a'), { quietHours: { ...quiet, action: 'defer' } }),
    );
    expect(rows[0]).toMatchObject({ status: 'sent', provider: 'dev-outbox' });
    expect(rows[0].createdAt.getTime()).toBeGreaterThanOrEqual(expected);
    const local = wallClockAt(rows[0].createdAt.getTime(), 'UTC');
    expect(`${pad(local.hour)}:${pad(local.minute)}`).toBe(quiet.end);
  });

  it("caps the journey's own sends per contact, leaving other journeys' sends alone", async () => {
    const { workspace, contact } = await setup('Journey cap');
    const capped = await run(
      workspace.id,
      contact.id,
      line('Capped', sends('a', 'b'), {
        frequencyCap: { channel: 'email', limit: 1, window: { amount: 1, unit: 'days' }, action: 'skip' },
      }),
    );
    expect(capped.map((m) => [m.nodeId, m.status, m.reason])).toEqual([
      ['a', 'sent', 'captured locally: no provider is configured for this channel'],
      ['b', 'suppressed', 'journey-frequency-cap'],
    ]);
    // The cap counts only its journey: another journey's send to the same contact goes out.
    const other = await run(workspace.id, contact.id, line('Other', sends('c')));
    expect(other[0].status).toBe('sent');
  });

  it('holds sends over the channel rate until the minute has passed', async () => {
    const { workspace, contact } = await setup('Rate');
    await saveChannelSettings(database.db, stack.channels.box, workspace.id, 'email', {
      provider: null,
      policy: { rate: { perMinute: 1 } },
    });
    const rows = await run(workspace.id, contact.id, line('Rated', sends('a', 'b')));
    expect(rows.map((m) => m.status)).toEqual(['sent', 'sent']);
    // The second send waited until the first had left the one-minute window.
    expect(rows[1].createdAt.getTime() - rows[0].createdAt.getTime()).toBeGreaterThanOrEqual(60_000);
  });
});

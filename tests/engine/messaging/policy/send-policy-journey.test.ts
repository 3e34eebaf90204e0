import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { messages, nodeVisits } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { enrollContact } from '../../../../engine/automation/runs/enroll';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { saveChannelSettings } from '../../../../engine/messaging/channels/channel-settings';
import { createTemplate } from '../../../../engine/messaging/templates/templates';
import { nextLocalTime, wallClockAt } from '../../../../engine/time/zoned';
import { type ChannelStack, channelStack } from '../../../helpers/channel-stack';
import { line, publishGraph } from '../../../helpers/fixtures';

const pad = (n: number) => String(n).padStart(2, '0');

describe('the send policy in journeys (real Temporal test server, PGlite, dev outbox)', () => {
  const stack = channelStack('time-skipping', { publicUrl: 'http://wayline.test' });
  // The tests below use the stack's parts by name.
  let { database, temporal, channels, registry, app } = {} as ChannelStack;
  beforeAll(() => {
    ({ database, temporal, channels, registry, app } = stack);
  });

  async function enrollIn(workspaceId: string, contactId: string, nodes: Parameters<typeof line>[1]) {
    const { journey } = await publishGraph(
      database.db,
      workspaceId,
      line(`J ${Math.random()}`, nodes),
      registry,
    );
    const enrolled = await enrollContact(
      { db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { workspaceId, journeyId: journey.id, contactId },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    return enrolled.workflowId;
  }

  it("defers a send in quiet hours to the next allowed minute in the contact's time zone", async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Quiet');
    const zone = 'Asia/Tokyo';
    const contact = await createContact(db, workspace.id, {
      userId: 'q',
      email: 'q@example.com',
      timezone: zone,
    });
    // Quiet from an hour ago until two hours from now, local time: the send must wait.
    const hour = wallClockAt(Date.now(), zone).hour;
    const quiet = { start: `${pad((hour + 23) % 24)}:00`, end: `${pad((hour + 2) % 24)}:00` };
    await saveChannelSettings(db, channels.box, workspace.id, 'email', {
      provider: null,
      policy: { quietHours: quiet },
    });
    await createTemplate(db, workspace.id, { name: 'hello', channel: 'email', subject: 'Hello', body: 'Hi' });
    const expected = nextLocalTime(Date.now(), zone, quiet.end);

    const workflowId = await enrollIn(workspace.id, contact.id, [
      { id: 'start', type: 'trigger.manual', config: {} },
      { id: 'send', type: 'email.send', config: { template: 'hello' } },
    ]);
    await temporal.client.workflow.getHandle(workflowId).result();

    const [visit] = await db
      .select()
      .from(nodeVisits)
      .where(and(eq(nodeVisits.workflowId, workflowId), eq(nodeVisits.nodeId, 'send')));
    expect(visit.port).toBe('next');
    expect(visit.outcome?.deferredUntil).toEqual([new Date(expected).toISOString()]);
    const [message] = await db.select().from(messages).where(eq(messages.workflowId, workflowId));
    expect(message).toMatchObject({ status: 'sent', provider: 'dev-outbox', subject: 'Hello' });
    expect(message.createdAt.getTime()).toBeGreaterThanOrEqual(expected);
    const local = wallClockAt(message.createdAt.getTime(), zone);
    expect(`${pad(local.hour)}:${pad(local.minute)}`).toBe(quiet.end);

    const outbox = await app.inject({
      method: 'GET',
      url: '/v1/dev/outbox',
      headers: { authorization: `Bearer ${workspace.secretKey}` },
    });
    expect(outbox.statusCode).toBe(200);
    expect(outbox.json().data).toEqual([
      expect.objectContaining({
        id: message.id,
        channel: 'email',
        recipient: 'q@example.com',
        subject: 'Hello',
        text: 'Hi',
      }),
    ]);
  });
});

import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { messages, nodeVisits } from '../../../db/schema';
import { buildApp } from '../../../engine/api/app';
import { saveChannelSettings } from '../../../engine/channels/channel-settings';
import type { ChannelDeps } from '../../../engine/channels/deps';
import { createContact } from '../../../engine/contacts/contacts';
import { createTemplate } from '../../../engine/messages/templates';
import { createRegistry } from '../../../engine/nodes';
import { enrollContact } from '../../../engine/runs/enroll';
import type { NodeRegistry } from '../../../engine/sdk/registry';
import { nextLocalTime, wallClockAt } from '../../../engine/time/zoned';
import { createWorkspace } from '../../../engine/workspaces/workspaces';
import { testChannelDeps } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { line, publishGraph } from '../../helpers/fixtures';
import { startWorker, type TemporalHarness, timeSkippingTemporal } from '../../helpers/temporal';

const pad = (n: number) => String(n).padStart(2, '0');

describe('the send policy in journeys (real Temporal test server, PGlite, dev outbox)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let stopWorker: () => Promise<void>;
  let channels: ChannelDeps;
  let registry: NodeRegistry;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await timeSkippingTemporal();
    channels = testChannelDeps(database.db, 'http://wayline.test');
    registry = createRegistry([], { channels });
    ({ stop: stopWorker } = await startWorker(temporal, database.db, registry));
    app = await buildApp({
      db: database.db,
      database,
      temporal: temporal.client,
      taskQueue: temporal.taskQueue,
      registry,
      channels,
    });
  });
  afterAll(async () => {
    await app?.close();
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
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

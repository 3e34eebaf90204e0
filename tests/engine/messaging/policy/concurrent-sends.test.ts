import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { enrollContact } from '../../../../engine/automation/runs/enroll';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { saveChannelSettings } from '../../../../engine/messaging/channels/channel-settings';
import { createTemplate } from '../../../../engine/messaging/templates/templates';
import { type ChannelStack, channelStack } from '../../../helpers/channel-stack';
import { databaseKinds } from '../../../helpers/databases';
import { line, pathOf, publishGraph } from '../../../helpers/fixtures';

describe.each(databaseKinds())(
  'the send policy across concurrent journeys (real Temporal dev server, %s, dev outbox)',
  (kind) => {
    const stack = channelStack('dev-server', { publicUrl: 'http://wayline.test', database: kind });
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

    it('lets exactly one send through a cap of 1 per day across two journeys', async () => {
      const { db } = database;
      const workspace = await createWorkspace(db, 'Capped');
      const contact = await createContact(db, workspace.id, { userId: 'c', phone: '+15550100' });
      await saveChannelSettings(db, channels.box, workspace.id, 'sms', {
        provider: null,
        policy: { frequencyCap: { max: 1, windowHours: 24 } },
      });
      const journey = (text: string) => [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'send', type: 'sms.send', config: { text, onCap: 'skip' } },
      ];
      const ids = await Promise.all([
        enrollIn(workspace.id, contact.id, journey('First offer')),
        enrollIn(workspace.id, contact.id, journey('Second offer')),
      ]);
      await Promise.all(ids.map((id) => temporal.client.workflow.getHandle(id).result()));

      const rows = await db.select().from(messages).where(eq(messages.contactId, contact.id));
      expect(rows.map((r) => r.status).sort()).toEqual(['sent', 'suppressed']);
      expect(rows.find((r) => r.status === 'suppressed')?.reason).toBe('frequency-cap');
      const paths = await Promise.all(ids.map((id) => pathOf(db, id)));
      expect(paths.map((p) => p[1]).sort()).toEqual(['send:next', 'send:skipped']);
    });

    it('skips a hard-bounced address even for a transactional send, recording the reason', async () => {
      const { db } = database;
      const workspace = await createWorkspace(db, 'Suppressed');
      const contact = await createContact(db, workspace.id, { userId: 's', email: 'Gone@Example.com' });
      await createTemplate(db, workspace.id, {
        name: 'receipt',
        channel: 'email',
        subject: 'Receipt',
        body: 'Thanks',
      });
      const added = await app.inject({
        method: 'PUT',
        url: '/v1/suppressions',
        headers: { authorization: `Bearer ${workspace.secretKey}` },
        payload: { channel: 'email', address: 'gone@example.com', reason: 'hard-bounce' },
      });
      expect(added.statusCode).toBe(204);
      const workflowId = await enrollIn(workspace.id, contact.id, [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'send', type: 'email.send', config: { template: 'receipt', transactional: true } },
      ]);
      await temporal.client.workflow.getHandle(workflowId).result();
      const [message] = await db.select().from(messages).where(eq(messages.workflowId, workflowId));
      expect(message).toMatchObject({ status: 'suppressed', reason: 'suppressed:hard-bounce' });
    });
  },
);

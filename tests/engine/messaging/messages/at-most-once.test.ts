import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { messages } from '../../../../db/schema';
import { toSnapshot } from '../../../../engine/audience/contacts/contact-store';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { type ChannelDeps, closeChannelDeps } from '../../../../engine/messaging/channels/deps';
import { findMessageByKey } from '../../../../engine/messaging/messages/ledger';
import { type SendInput, sendMessage } from '../../../../engine/messaging/messages/send-message';
import { headerLine, startSmtpSink } from '../../../connectors/peers';
import { emailThroughSmtp } from '../../../helpers/channel-stack';
import { testChannelDeps } from '../../../helpers/channels';
import { databaseKinds, openTestDb } from '../../../helpers/databases';

/**
 * The crash window of a send: the ledger claim is committed and the provider called, then the
 * worker dies before the outcome is recorded. The row is left `sending`, exactly as the killed
 * worker leaves it; the retry is the same `sendMessage` call with the same idempotency key.
 */
describe.each(databaseKinds())(
  'sends retried after the worker died mid-send (%s, smtp-server sink)',
  (kind) => {
    let database: Database;
    let sink: Awaited<ReturnType<typeof startSmtpSink>>;
    let channels: ChannelDeps;

    beforeAll(async () => {
      database = await openTestDb(kind);
      sink = await startSmtpSink();
      channels = testChannelDeps(database.db);
    });
    afterAll(async () => {
      if (channels) await closeChannelDeps(channels);
      await sink?.close();
      await database?.close();
    });

    async function firstAttemptThenCrash(transactional: boolean) {
      const { db } = database;
      const workspace = await createWorkspace(db, `Acme ${Math.random()}`);
      const row = await createContact(db, workspace.id, {
        userId: `u-${Math.random()}`,
        email: 'ada@example.com',
      });
      await emailThroughSmtp(db, channels, workspace.id, sink.port);
      const input: SendInput = {
        workspaceId: workspace.id,
        journeyId: '00000000-0000-0000-0000-000000000000',
        journeyVersion: 1,
        runId: `wl:test:${Math.random()}`,
        nodeId: 'send',
        idempotencyKey: `key-${Math.random()}`,
        contact: toSnapshot(row),
        channel: 'email',
        recipient: 'ada@example.com',
        transactional,
        onCap: 'skip',
        now: Date.now(),
        render: async () => ({ subject: 'Hello', text: 'Hi Ada' }),
      };
      const before = sink.mails.length;
      await sendMessage(channels, input);
      const sent = await findMessageByKey(db, workspace.id, input.idempotencyKey);
      // The provider accepted; the worker is killed before `sent` is written.
      await db.update(messages).set({ status: 'sending' }).where(eq(messages.id, sent!.id));
      return { input, before, workspaceId: workspace.id };
    }

    it('records a marketing send whose outcome is unknown as unknown and does not send it again', async () => {
      const { input, before, workspaceId } = await firstAttemptThenCrash(false);
      const outcome = await sendMessage(channels, input);
      expect(outcome).toMatchObject({ result: 'sent', status: 'unknown' });
      expect(sink.mails.length - before).toBe(1);
      const row = await findMessageByKey(database.db, workspaceId, input.idempotencyKey);
      expect(row?.status).toBe('unknown');
      expect(row?.reason).toMatch(/outcome unknown/);
      // A further retry finds `unknown` and still does not send.
      await sendMessage(channels, input);
      expect(sink.mails.length - before).toBe(1);
    });

    it('sends a transactional message again with the same Message-ID (at least once)', async () => {
      const { input, before } = await firstAttemptThenCrash(true);
      const outcome = await sendMessage(channels, input);
      expect(outcome).toMatchObject({ result: 'sent', status: 'sent' });
      const received = sink.mails.slice(before);
      expect(received).toHaveLength(2);
      expect(headerLine(received[0]!, 'Message-ID')).toBe(headerLine(received[1]!, 'Message-ID'));
    });
  },
);

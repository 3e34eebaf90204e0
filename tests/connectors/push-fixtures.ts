import { randomUUID } from 'node:crypto';
import type { Db } from '../../db';
import { type ContactRow, toSnapshot } from '../../engine/audience/contacts/contact-store';
import { pushRecipient } from '../../engine/content/devices';
import type { ChannelDeps } from '../../engine/messaging/channels/deps';
import { sendMessage } from '../../engine/messaging/messages/send-message';

/** One marketing push to a contact through the real send path (policy, ledger, connector, pruning). */
export async function sendPush(
  channels: ChannelDeps,
  db: Db,
  workspaceId: string,
  contact: ContactRow,
  key: string,
) {
  return sendMessage(channels, {
    workspaceId,
    journeyId: randomUUID(),
    journeyVersion: 1,
    runId: `wl:test:${contact.id}:${key}`,
    nodeId: 'push-1',
    idempotencyKey: key,
    contact: toSnapshot(contact),
    channel: 'push',
    recipient: await pushRecipient(db, workspaceId, contact.id, contact.attributes),
    transactional: false,
    onCap: 'skip',
    now: Date.now(),
    render: async () => ({
      subject: 'Your cart misses you',
      text: '2 items are waiting',
      data: { url: 'https://shop.test/cart' },
    }),
  });
}

/** Base64url JSON of a JWT part. */
export const jwtPart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

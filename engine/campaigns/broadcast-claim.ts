import type { Channel } from '../../connectors';
import type { PreviewInput } from '../messaging/messages/send-message';
import type { ContactSnapshot } from '../sdk/define-node';

/** The id of a broadcast's one workflow. */
export function broadcastWorkflowId(workspaceId: string, broadcastId: string): string {
  return `wl-broadcast:${workspaceId}:${broadcastId}`;
}

/** The idempotency key of a broadcast's message to a contact: a retried batch finds its ledger row. */
export function broadcastMessageKey(broadcastId: string, contactId: string): string {
  return `broadcast:${broadcastId}:${contactId}`;
}

/** The address a contact has on a channel, as the send path uses it. */
function recipientOf(channel: string, contact: ContactSnapshot): string | null {
  if (channel === 'email') return contact.email?.trim() || null;
  if (channel === 'sms') return contact.phone?.trim() || null;
  const value = contact.attributes.pushSubscription;
  if (!value) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * What the send path's policy and ledger see of a broadcast's message to a contact (its key, its
 * address, the topic; a cap skips it): the same for a send and for the launch confirmation.
 */
export function broadcastClaim(
  broadcast: { id: string; workspaceId: string; channel: string; topic: string | null },
  contact: ContactSnapshot,
  variantKey: string,
  now: number,
): PreviewInput {
  return {
    workspaceId: broadcast.workspaceId,
    journeyId: null,
    journeyVersion: 0,
    broadcastId: broadcast.id,
    runId: broadcastWorkflowId(broadcast.workspaceId, broadcast.id),
    nodeId: `broadcast:${variantKey}`,
    idempotencyKey: broadcastMessageKey(broadcast.id, contact.id),
    contact,
    channel: broadcast.channel as Channel,
    recipient: recipientOf(broadcast.channel, contact),
    transactional: false,
    topic: broadcast.topic ?? undefined,
    onCap: 'skip',
    now,
  };
}

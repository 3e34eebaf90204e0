import type { Db } from '../../../db';
import type { ChannelPolicySettings } from '../../../db/schema';
import type { ContactSnapshot } from '../../sdk/define-node';
import { resolveTimeZone } from '../../time/zoned';
import { capReleasedAt } from './frequency-cap';
import { quietHoursEnd } from './quiet-hours';
import { subscriptionBlock } from './subscriptions';
import { suppressionBlock } from './suppression';

export interface SendRequest {
  workspaceId: string;
  contact: ContactSnapshot;
  channel: string;
  /** null when the contact has no address on this channel. */
  recipient: string | null;
  transactional: boolean;
  topic?: string;
  /** What a capped send does: wait for a free slot, or give up and continue the journey. */
  onCap: 'defer' | 'skip';
  idempotencyKey: string;
  now: number;
  /** Time zone to use when the contact has none (journey fallback, workspace default). */
  fallbackZones: (string | null | undefined)[];
  policy: ChannelPolicySettings;
}

export type PolicyDecision =
  | { action: 'send' }
  | { action: 'block'; reason: string }
  | { action: 'defer'; until: number; reason: string };

/**
 * The one policy check in front of every connector (DESIGN principle 5). Suppression applies to
 * every send; transactional sends skip subscriptions, quiet hours and caps.
 */
export async function decideSend(db: Db, request: SendRequest): Promise<PolicyDecision> {
  const { workspaceId, channel, recipient, contact, policy } = request;
  if (!recipient) return { action: 'block', reason: 'no-recipient' };
  const suppressed = await suppressionBlock(db, workspaceId, channel, recipient);
  if (suppressed) return { action: 'block', reason: suppressed };
  if (request.transactional) return { action: 'send' };

  const unsubscribed = await subscriptionBlock(
    db,
    workspaceId,
    contact.subscriptions,
    channel,
    request.topic,
  );
  if (unsubscribed) return { action: 'block', reason: unsubscribed };

  if (policy.quietHours) {
    const zone = resolveTimeZone(contact.timezone, ...request.fallbackZones);
    const until = quietHoursEnd(request.now, zone, policy.quietHours);
    if (until !== null) return { action: 'defer', until, reason: 'quiet-hours' };
  }
  if (policy.frequencyCap) {
    const until = await capReleasedAt(db, {
      workspaceId,
      contactId: contact.id,
      channel,
      idempotencyKey: request.idempotencyKey,
      now: request.now,
      cap: policy.frequencyCap,
    });
    if (until !== null) {
      return request.onCap === 'defer'
        ? { action: 'defer', until, reason: 'frequency-cap' }
        : { action: 'block', reason: 'frequency-cap' };
    }
  }
  return { action: 'send' };
}

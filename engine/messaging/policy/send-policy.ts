import type { Db } from '../../../db';
import type { ChannelPolicySettings } from '../../../db/schema';
import type { ContactSnapshot } from '../../sdk/define-node';
import { resolveTimeZone } from '../../time/zoned';
import { capReleasedAt, rateReleasedAt } from './frequency-cap';
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
  /** The sending journey's own quiet hours and cap (its settings), applied after the channel's. */
  journey?: JourneyPolicy;
}

/** A journey's settings as the policy applies them (windows already in hours). */
export interface JourneyPolicy {
  journeyId: string;
  quietHours?: { start: string; end: string; action: 'defer' | 'skip' };
  frequencyCap?: { channel?: string; limit: number; windowHours: number; action: 'defer' | 'skip' };
}

export type PolicyDecision =
  | { action: 'send' }
  | { action: 'block'; reason: string }
  | { action: 'defer'; until: number; reason: string };

/**
 * The one policy check in front of every connector (DESIGN principle 5). Suppression applies to
 * every send; transactional sends skip subscriptions, quiet hours, caps and the rate. Order:
 * suppression, subscription, the channel's quiet hours, the journey's quiet hours, the channel's
 * cap, the journey's cap, the channel's rate.
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

  const zone = resolveTimeZone(contact.timezone, ...request.fallbackZones);
  if (policy.quietHours) {
    const until = quietHoursEnd(request.now, zone, policy.quietHours);
    if (until !== null) return { action: 'defer', until, reason: 'quiet-hours' };
  }
  const journey = request.journey;
  if (journey?.quietHours) {
    const until = quietHoursEnd(request.now, zone, journey.quietHours);
    if (until !== null) {
      return journey.quietHours.action === 'skip'
        ? { action: 'block', reason: 'journey-quiet-hours' }
        : { action: 'defer', until, reason: 'journey-quiet-hours' };
    }
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
  const journeyCap = journey?.frequencyCap;
  if (journey && journeyCap && (!journeyCap.channel || journeyCap.channel === channel)) {
    const until = await capReleasedAt(db, {
      workspaceId,
      contactId: contact.id,
      channel: journeyCap.channel,
      journeyId: journey.journeyId,
      idempotencyKey: request.idempotencyKey,
      now: request.now,
      cap: { max: journeyCap.limit, windowHours: journeyCap.windowHours },
    });
    if (until !== null) {
      return journeyCap.action === 'defer'
        ? { action: 'defer', until, reason: 'journey-frequency-cap' }
        : { action: 'block', reason: 'journey-frequency-cap' };
    }
  }
  if (policy.rate) {
    const until = await rateReleasedAt(db, {
      workspaceId,
      channel,
      idempotencyKey: request.idempotencyKey,
      now: request.now,
      perMinute: policy.rate.perMinute,
    });
    if (until !== null) return { action: 'defer', until, reason: 'rate' };
  }
  return { action: 'send' };
}

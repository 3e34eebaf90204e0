import type { Db } from '../../../db';
import type { ChannelPolicySettings } from '../../../db/schema';
import type { ContactSnapshot } from '../../sdk/define-node';
import { resolveTimeZone } from '../../time/zoned';
import {
  type CountedSend,
  capReleasedAt,
  loadChannelSends,
  loadContactSends,
  rateReleasedAt,
} from './frequency-cap';
import { quietHoursEnd } from './quiet-hours';
import { subscriptionVerdict, topicChoiceNeeded, topicDefaults } from './subscriptions';
import { suppressedAddresses, suppressionReason } from './suppression';

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
 * What the policy reads from the database, loaded once for a batch of requests of one workspace
 * and channel (a single send is a batch of one): suppressions of their addresses, the topics'
 * defaults, the contacts' recent counted sends and the channel's sends in the last minute.
 */
export interface PolicyFacts {
  suppressed: Map<string, string>;
  topicDefaults: Map<string, boolean>;
  contactSends: CountedSend[];
  channelSends: CountedSend[];
}

/**
 * The one policy check in front of every connector (DESIGN principle 5). Suppression applies to
 * every send; transactional sends skip subscriptions, quiet hours, caps and the rate. Order:
 * suppression, subscription, the channel's quiet hours, the journey's quiet hours, the channel's
 * cap, the journey's cap, the channel's rate. Pure: the same rule per message and per batch.
 */
export function decidePolicy(request: SendRequest, facts: PolicyFacts): PolicyDecision {
  const { channel, recipient, contact, policy } = request;
  if (!recipient) return { action: 'block', reason: 'no-recipient' };
  const suppressed = suppressionReason(facts.suppressed, channel, recipient);
  if (suppressed) return { action: 'block', reason: suppressed };
  if (request.transactional) return { action: 'send' };

  const unsubscribed = subscriptionVerdict(
    contact.subscriptions,
    channel,
    request.topic,
    facts.topicDefaults,
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
    const until = capReleasedAt(facts.contactSends, {
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
    const until = capReleasedAt(facts.contactSends, {
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
    const until = rateReleasedAt(facts.channelSends, {
      idempotencyKey: request.idempotencyKey,
      now: request.now,
      perMinute: policy.rate.perMinute,
    });
    if (until !== null) return { action: 'defer', until, reason: 'rate' };
  }
  return { action: 'send' };
}

/**
 * Loads the facts for requests of one workspace and channel in at most four statements, however
 * many requests there are. Call under the contacts' send locks so caps hold across senders.
 */
export async function loadPolicyFacts(
  db: Db,
  requests: SendRequest[],
  /** Facts the caller has read already (a claim reads the suppressions with its other reads). */
  known: Pick<Partial<PolicyFacts>, 'suppressed'> = {},
): Promise<PolicyFacts> {
  const facts: PolicyFacts = {
    suppressed: new Map(),
    topicDefaults: new Map(),
    contactSends: [],
    channelSends: [],
  };
  if (requests.length === 0) return facts;
  const { workspaceId, channel, policy } = requests[0];
  if (requests.some((r) => r.workspaceId !== workspaceId || r.channel !== channel)) {
    throw new Error('a policy batch holds the sends of one workspace and channel');
  }
  const addresses = requests.flatMap((r) => (r.recipient ? [r.recipient] : []));
  facts.suppressed = known.suppressed ?? (await suppressedAddresses(db, workspaceId, channel, addresses));
  const marketing = requests.filter((r) => r.recipient && !r.transactional);
  if (marketing.length === 0) return facts;
  const topics = marketing.flatMap((r) =>
    r.topic && topicChoiceNeeded(r.contact.subscriptions, r.topic) ? [r.topic] : [],
  );
  facts.topicDefaults = await topicDefaults(db, workspaceId, topics);
  const earliest = Math.min(...marketing.map((r) => r.now));
  const windowHours = Math.max(
    policy.frequencyCap?.windowHours ?? 0,
    ...marketing.map((r) => r.journey?.frequencyCap?.windowHours ?? 0),
  );
  if (windowHours > 0) {
    const contactIds = [...new Set(marketing.map((r) => r.contact.id))];
    facts.contactSends = await loadContactSends(
      db,
      workspaceId,
      contactIds,
      earliest - windowHours * 3_600_000,
    );
  }
  if (policy.rate) {
    facts.channelSends = await loadChannelSends(db, {
      workspaceId,
      channel,
      since: earliest - 60_000,
      limit: policy.rate.perMinute + marketing.length,
    });
  }
  return facts;
}

/**
 * Counts an allowed send of a batch in the facts, so the requests after it in the same batch
 * see it under their caps and the rate as they would see its ledger row.
 */
export function recordAllowed(facts: PolicyFacts, request: SendRequest, journeyId: string | null): void {
  if (request.transactional) return;
  const send: CountedSend = {
    contactId: request.contact.id,
    channel: request.channel,
    journeyId,
    idempotencyKey: request.idempotencyKey,
    createdAt: request.now,
  };
  facts.contactSends.push(send);
  facts.channelSends.push(send);
}

/** The policy for one send: its facts, then the rule. */
export async function decideSend(db: Db, request: SendRequest): Promise<PolicyDecision> {
  return decidePolicy(request, await loadPolicyFacts(db, [request]));
}

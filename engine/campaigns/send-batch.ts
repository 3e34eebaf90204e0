import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { broadcasts, campaigns, contacts, templates } from '../../db/schema';
import { toSnapshot } from '../audience/contacts/contact-store';
import type { ChannelDeps } from '../messaging/channels/deps';
import {
  type BatchOutcome,
  type RenderedMessage,
  type SendInput,
  sendMessages,
} from '../messaging/messages/send-message';
import { type ContentLookup, contentLookup } from '../messaging/templates/content-lookup';
import { renderParts } from '../messaging/templates/render';
import { renderScope } from '../messaging/templates/scope';
import { loadPartials } from '../messaging/templates/templates';
import type { ContactSnapshot } from '../sdk/define-node';
import { broadcastClaim } from './broadcast-claim';
import { type BroadcastRow, getBroadcast } from './broadcasts';
import { campaignSpend } from './costs';

/** How many provider calls of a batch are in flight at once (a pooled SMTP transport queues them). */
const CONCURRENCY = 64;
/** A batch is claimed, rendered and sent in chunks of this size, `PIPELINE` chunks at a time. */
const CHUNK = 100;
const PIPELINE = 3;
/**
 * After this long a batch starts no more chunks (the first `PIPELINE` always start): what it did
 * not start stays pending for the next batch, so a slow provider keeps each activity short.
 */
export const BATCH_SEND_BUDGET_MS = 60_000;

export interface BatchResult {
  processed: number;
  sent: number;
  skipped: number;
  failed: number;
  deferred: number;
  /**
   * Recipients with a variant still to send (a test's rest waits for its winner and is not
   * counted); null when the batch processed some and did not count them (the caller asks again).
   */
  remaining: number | null;
  /** When the earliest of them is due (epoch ms), null when none or not counted. */
  nextDueAt: number | null;
}

export { broadcastMessageKey } from './broadcast-claim';

type Recipient = { contactId: string; variant: string };
type Outcome = {
  contactId: string;
  status: 'pending' | 'sent' | 'skipped' | 'failed';
  reason: string | null;
  messageId: string | null;
  dueAt?: string;
};

/**
 * Sends the recipients due at `now` (up to `limit`; no chunk started after `budgetMs` of
 * sending) through the journeys' send path: the policy, the ledger and an idempotency key per
 * broadcast and contact, so a batch retried after a worker died sends nothing twice. Recipients
 * are marked in one statement after the batch; those it did not start stay pending.
 */
export async function sendDueBatch(
  deps: ChannelDeps,
  input: { workspaceId: string; broadcastId: string; now: number; limit: number; budgetMs?: number },
): Promise<BatchResult> {
  const { db } = deps;
  const broadcast = await getBroadcast(db, input.workspaceId, input.broadcastId);
  const counts = { processed: 0, sent: 0, skipped: 0, failed: 0, deferred: 0 };
  if (broadcast.status === 'cancelled' || broadcast.status === 'completed') {
    return { ...counts, remaining: 0, nextDueAt: null };
  }
  const capacity = await budgetCapacity(db, broadcast);
  if (capacity === 0) {
    await db.execute(sql`update broadcast_recipients set status = 'skipped', reason = 'budget-exhausted'
        where broadcast_id = ${broadcast.id} and status = 'pending'`);
  }
  const limit = Math.min(input.limit, capacity ?? input.limit);
  const due =
    limit > 0
      ? await queryRows<Recipient>(
          db,
          sql`select contact_id as "contactId", variant from broadcast_recipients
              where broadcast_id = ${broadcast.id} and status = 'pending' and variant is not null
                and due_at <= ${new Date(input.now).toISOString()}::timestamptz
              order by due_at, seq limit ${limit}`,
        )
      : [];
  if (due.length > 0) {
    const deadline = Date.now() + (input.budgetMs ?? BATCH_SEND_BUDGET_MS);
    const outcomes = await sendAll(deps, broadcast, due, input.now, deadline);
    await markRecipients(db, broadcast.id, outcomes, input.now);
    for (const o of outcomes) {
      if (o.status === 'pending') counts.deferred++;
      else counts[o.status]++;
    }
    counts.processed = outcomes.length - counts.deferred;
    if (broadcast.status === 'scheduled') {
      await db
        .update(broadcasts)
        .set({ status: 'sending', updatedAt: new Date() })
        .where(and(eq(broadcasts.id, broadcast.id), eq(broadcasts.status, 'scheduled')));
    }
  }
  // After a batch that did something the workflow simply asks again; only an empty batch counts.
  if (counts.processed > 0) return { ...counts, remaining: null, nextDueAt: null };
  const [left] = await queryRows<{ n: number; next: Date | string | null }>(
    db,
    sql`select count(*)::int as n, min(due_at) as next from broadcast_recipients
        where broadcast_id = ${broadcast.id} and status = 'pending' and variant is not null`,
  );
  return {
    ...counts,
    remaining: Number(left?.n ?? 0),
    nextDueAt: left?.next ? new Date(left.next).getTime() : null,
  };
}

/** Messages the campaign's budget still pays for on this channel; null when it does not stop sends. */
async function budgetCapacity(db: Db, broadcast: BroadcastRow): Promise<number | null> {
  if (!broadcast.campaignId) return null;
  const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, broadcast.campaignId));
  if (!campaign?.stopAtBudget || campaign.budget === null) return null;
  const unit = campaign.costModel[broadcast.channel] ?? 0;
  const spent = await campaignSpend(db, broadcast.workspaceId, campaign.id);
  const left = campaign.budget - spent.total;
  if (unit <= 0) return left > 0 ? null : 0;
  return Math.max(0, Math.floor((left + 1e-9) / unit));
}

/** A retryable provider failure (SMTP 4xx, HTTP 429/503) is tried this many times in all. */
export const RETRY_ATTEMPTS = 5;

/** Wait before the next attempt after `attempts` failed ones: 1, 2, 4, 8 minutes (at most 15). */
export function retryBackoffMs(attempts: number): number {
  return Math.min(15 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}

async function sendAll(
  deps: ChannelDeps,
  broadcast: BroadcastRow,
  due: Recipient[],
  now: number,
  deadline: number,
) {
  const { db } = deps;
  const rows = await db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, broadcast.workspaceId),
        inArray(
          contacts.id,
          due.map((d) => d.contactId),
        ),
      ),
    );
  const byId = new Map(rows.map((r) => [r.id, toSnapshot(r)]));
  const templateRows = await db
    .select()
    .from(templates)
    .where(
      and(
        eq(templates.workspaceId, broadcast.workspaceId),
        inArray(
          templates.id,
          broadcast.variants.map((v) => v.templateId),
        ),
      ),
    );
  const partials = await loadPartials(db, broadcast.workspaceId);
  // One content library lookup for the batch: an asset or item is read once, not per contact.
  const content = contentLookup(db, broadcast.workspaceId, deps.publicUrl);
  const outcomes: Outcome[] = [];
  const inputs: SendInput[] = [];
  for (const recipient of due) {
    const contact = byId.get(recipient.contactId);
    if (!contact) {
      outcomes.push({
        contactId: recipient.contactId,
        status: 'skipped',
        reason: 'contact-deleted',
        messageId: null,
      });
      continue;
    }
    const variant = broadcast.variants.find((v) => v.key === recipient.variant)!;
    const template = templateRows.find((t) => t.id === variant.templateId);
    inputs.push(sendInput(broadcast, contact, variant, template, { partials, content }, now));
  }
  // Chunks overlap: one claims and renders while another's messages are with the provider.
  const chunks: SendInput[][] = [];
  for (let i = 0; i < inputs.length; i += CHUNK) chunks.push(inputs.slice(i, i + CHUNK));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length && (next < PIPELINE || Date.now() < deadline)) {
      const chunk = chunks[next++];
      const sent = await sendMessages(deps, chunk, { concurrency: CONCURRENCY });
      sent.forEach((outcome, i) => {
        outcomes.push(recipientOutcome(chunk[i].contact.id, outcome, now));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PIPELINE, chunks.length) }, worker));
  return outcomes;
}

/** A broadcast's message to a contact, through the journeys' send path (policy, ledger, key). */
function sendInput(
  broadcast: BroadcastRow,
  contact: ContactSnapshot,
  variant: BroadcastRow['variants'][number],
  template: typeof templates.$inferSelect | undefined,
  library: { partials: Record<string, string>; content: ContentLookup },
  now: number,
): SendInput {
  return {
    ...broadcastClaim(broadcast, contact, variant.key, now),
    render: async (links): Promise<RenderedMessage> => {
      if (!template) throw new Error(`template ${variant.templateId} no longer exists`);
      const scope = renderScope({
        contact,
        links,
        content: library.content,
      });
      const rendered = await renderParts(
        {
          subject: variant.subject ?? template.subject,
          preheader: template.preheader,
          text: template.body,
          html: broadcast.channel === 'email' ? template.html : undefined,
        },
        scope,
        { partials: library.partials, templateName: template.name },
      );
      return { ...rendered, template: template.name };
    },
  };
}

/**
 * The recipient's state after its send: sent, skipped with the policy's reason, due again when
 * quiet hours end, due again after a backoff when the provider failed in a way worth retrying
 * (until `RETRY_ATTEMPTS`), or failed.
 */
function recipientOutcome(contactId: string, outcome: BatchOutcome, now: number): Outcome {
  const { messageId } = outcome;
  if (outcome.result === 'sent') return { contactId, status: 'sent', reason: null, messageId };
  if (outcome.result === 'skipped')
    return { contactId, status: 'skipped', reason: outcome.reason, messageId };
  if (outcome.result === 'deferred') {
    return { contactId, status: 'pending', reason: outcome.reason, messageId, dueAt: outcome.until };
  }
  if (outcome.retryable && outcome.attempts < RETRY_ATTEMPTS) {
    return {
      contactId,
      status: 'pending',
      reason: `retrying (attempt ${outcome.attempts} of ${RETRY_ATTEMPTS} failed): ${outcome.reason}`.slice(
        0,
        500,
      ),
      messageId,
      dueAt: new Date(now + retryBackoffMs(outcome.attempts)).toISOString(),
    };
  }
  return { contactId, status: 'failed', reason: outcome.reason.slice(0, 500), messageId };
}

async function markRecipients(db: Db, broadcastId: string, outcomes: Outcome[], now: number) {
  await db.execute(sql`update broadcast_recipients r set
        status = v.status, reason = v.reason, message_id = v.message_id::uuid,
        due_at = coalesce(v.due_at::timestamptz, r.due_at),
        sent_at = case when v.status = 'sent' then ${new Date(now).toISOString()}::timestamptz else r.sent_at end
      from jsonb_to_recordset(${JSON.stringify(
        outcomes.map((o) => ({
          contact_id: o.contactId,
          status: o.status,
          reason: o.reason,
          message_id: o.messageId,
          due_at: o.dueAt ?? null,
        })),
      )}::jsonb) as v(contact_id uuid, status text, reason text, message_id text, due_at text)
      where r.broadcast_id = ${broadcastId} and r.contact_id = v.contact_id`);
}

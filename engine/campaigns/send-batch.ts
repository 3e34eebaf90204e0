import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { broadcastRecipients, broadcasts, campaigns, contacts, templates } from '../../db/schema';
import { type ContactRow, toSnapshot } from '../audience/contacts/contact-store';
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
 * broadcast and contact, so a batch retried after a worker died sends nothing twice. Each chunk's
 * recipients are marked in one statement once it is sent; those it did not start stay pending.
 * With `morePages` the batch goes on past `limit`, a page of `limit` at a time, until its budget is
 * spent, nothing is due or the broadcast is paused or cancelled: the next page is read while the
 * last one is with the provider, so the provider's connections never wait for a new batch.
 */
export async function sendDueBatch(
  deps: ChannelDeps,
  input: {
    workspaceId: string;
    broadcastId: string;
    now: number;
    limit: number;
    budgetMs?: number;
    morePages?: boolean;
  },
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
  const deadline = Date.now() + (input.budgetMs ?? BATCH_SEND_BUDGET_MS);
  const outcomes =
    capacity === 0
      ? []
      : await sendPages(deps, broadcast, {
          now: input.now,
          limit: input.limit,
          capacity: capacity ?? Number.POSITIVE_INFINITY,
          morePages: input.morePages ?? false,
          deadline,
        });
  for (const o of outcomes) {
    if (o.status === 'pending') counts.deferred++;
    else counts[o.status]++;
  }
  counts.processed = outcomes.length - counts.deferred;
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

/** A due recipient with its contact (null when deleted) and where it stands in the due order. */
type DueRecipient = Recipient & { contact: ContactRow | null; dueAt: string; seq: number };

/**
 * Up to `limit` due recipients after `after` in the due order (due time, then sequence), with
 * their contacts; none once the broadcast is paused or cancelled. The due time is read as text,
 * so the next page starts exactly after this one whatever the precision.
 */
async function duePage(
  db: Db,
  broadcast: BroadcastRow,
  now: number,
  limit: number,
  after: { dueAt: string; seq: number } | null,
): Promise<DueRecipient[]> {
  const r = broadcastRecipients;
  return (
    db
      .select({
        contactId: r.contactId,
        variant: sql<string>`${r.variant}`,
        dueAt: sql<string>`${r.dueAt}::text`,
        seq: r.seq,
        contact: contacts,
      })
      .from(r)
      // Joined by id alone: with the workspace's id in the join as well, a workspace newer than
      // the table's statistics makes the planner read the workspace's contacts for every recipient
      // (seconds a page). The contact's workspace is checked where the page is used.
      .leftJoin(contacts, eq(contacts.id, r.contactId))
      .where(
        and(
          eq(r.workspaceId, broadcast.workspaceId),
          eq(r.broadcastId, broadcast.id),
          eq(r.status, 'pending'),
          isNotNull(r.variant),
          sql`${r.dueAt} <= ${new Date(now).toISOString()}::timestamptz`,
          after ? sql`(${r.dueAt}, ${r.seq}) > (${after.dueAt}::timestamptz, ${after.seq})` : undefined,
          sql`not exists (select 1 from ${broadcasts} b where b.id = ${broadcast.id}
              and b.status in ('paused', 'cancelled'))`,
        ),
      )
      .orderBy(r.dueAt, r.seq)
      .limit(limit)
  );
}

/**
 * Claims, renders and sends due recipients a chunk at a time, `PIPELINE` chunks in flight (one
 * claims and renders while another's messages are with the provider), marking each chunk's
 * recipients once it is sent. Pages come in one at a time: the next is read as the last chunk of
 * the one before starts. The first page of a batch that takes more is only as large as the
 * pipeline, so its first messages leave without waiting for a whole page.
 */
async function sendPages(
  deps: ChannelDeps,
  broadcast: BroadcastRow,
  options: { now: number; limit: number; capacity: number; morePages: boolean; deadline: number },
): Promise<Outcome[]> {
  const { db } = deps;
  const { now, deadline } = options;
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
  /** Recipients whose contact is gone: skipped, marked at the end. */
  const gone: Outcome[] = [];
  const chunks: SendInput[][] = [];
  let room = options.capacity;
  let after: { dueAt: string; seq: number } | null = null;
  let pages = 0;
  let exhausted = false;
  let reading: Promise<void> | null = null;

  const readPage = async () => {
    const size = Math.min(
      room,
      options.morePages && pages === 0 ? Math.min(options.limit, CHUNK * PIPELINE) : options.limit,
    );
    const due = size > 0 ? await duePage(db, broadcast, now, size, after) : [];
    pages++;
    room -= due.length;
    const last = due[due.length - 1];
    if (last) after = { dueAt: last.dueAt, seq: last.seq };
    exhausted = !options.morePages || due.length < size || room <= 0 || Date.now() >= deadline;
    const inputs: SendInput[] = [];
    for (const recipient of due) {
      if (recipient.contact?.workspaceId !== broadcast.workspaceId) {
        gone.push({
          contactId: recipient.contactId,
          status: 'skipped',
          reason: 'contact-deleted',
          messageId: null,
        });
        continue;
      }
      const variant = broadcast.variants.find((v) => v.key === recipient.variant)!;
      const template = templateRows.find((t) => t.id === variant.templateId);
      const contact = toSnapshot(recipient.contact);
      inputs.push(sendInput(broadcast, contact, variant, template, { partials, content }, now));
    }
    for (let i = 0; i < inputs.length; i += CHUNK) chunks.push(inputs.slice(i, i + CHUNK));
  };
  /** Starts reading the next page unless one is being read or none is left; resolves when it is in. */
  const readAhead = (): Promise<void> => {
    if (!reading && !exhausted) {
      reading = readPage().finally(() => {
        reading = null;
      });
    }
    return reading ?? Promise.resolve();
  };

  // Marks run beside the sends; the first failure fails the batch once the sends are done.
  const marking: Promise<void>[] = [];
  let markFailed: unknown = null;
  const mark = (done: Outcome[]) =>
    marking.push(
      markRecipients(db, broadcast.id, done, now).catch((error) => {
        markFailed ??= error;
      }),
    );
  let started = 0;
  let sending = broadcast.status !== 'scheduled';
  const worker = async () => {
    for (;;) {
      while (chunks.length === 0 && !exhausted) await readAhead();
      if (chunks.length === 0 || (started >= PIPELINE && Date.now() >= deadline)) return;
      const chunk = chunks.shift()!;
      started++;
      if (chunks.length === 0) void readAhead().catch(() => {});
      const sent = await sendMessages(deps, chunk, { concurrency: CONCURRENCY });
      const done = sent.map((outcome, i) => recipientOutcome(chunk[i].contact.id, outcome, now));
      outcomes.push(...done);
      mark(done);
      if (!sending) {
        sending = true;
        await db
          .update(broadcasts)
          .set({ status: 'sending', updatedAt: new Date() })
          .where(and(eq(broadcasts.id, broadcast.id), eq(broadcasts.status, 'scheduled')));
      }
    }
  };
  await readAhead();
  await Promise.all(Array.from({ length: PIPELINE }, worker));
  // A page being read as the budget ran out stays pending for the next batch.
  await reading;
  if (gone.length > 0) mark(gone);
  await Promise.all(marking);
  if (markFailed) throw markFailed;
  return [...outcomes, ...gone];
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

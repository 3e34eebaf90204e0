import { and, eq, sql } from 'drizzle-orm';
import { type AnyConnector, type Channel, ConnectorError, devOutbox } from '../../../connectors';
import type { Db } from '../../../db';
import { contacts, events, journeyRuns, journeyVersions, messages, workspaces } from '../../../db/schema';
import { pruneDeviceToken } from '../../content/devices';
import type { ContactSnapshot } from '../../sdk/define-node';
import { NodeError } from '../../sdk/node-error';
import { type Duration, durationMs } from '../../time/duration';
import { resolveChannel } from '../channels/channel-settings';
import type { ChannelDeps } from '../channels/deps';
import { type MessageLinks, messageLinks, trackHtml } from '../links/links';
import { decideSend, type JourneyPolicy } from '../policy/send-policy';
import { TemplateRenderFailed } from '../templates/render';
import {
  ACCEPTED_STATUSES,
  findMessageByKey,
  type MessageRow,
  OUTCOME_UNKNOWN_STATUSES,
  updateMessage,
} from './ledger';

export interface RenderedMessage {
  subject?: string;
  preheader?: string;
  text?: string;
  html?: string;
  /** Channel extras for the connector (webhook method, WeChat template data, push URL). */
  data?: Record<string, unknown>;
  /** Template name, kept on the ledger row. */
  template?: string;
}

export interface SendInput {
  workspaceId: string;
  journeyId: string;
  journeyVersion: number;
  runId: string;
  nodeId: string;
  idempotencyKey: string;
  contact: ContactSnapshot;
  channel: Channel;
  recipient: string | null;
  transactional: boolean;
  topic?: string;
  onCap: 'defer' | 'skip';
  /** The time the policy judges by (the activity's scheduled time, so time-skipping tests agree). */
  now: number;
  /** Called only after the policy allowed the send, with the message's tracking links. */
  render(links: MessageLinks): Promise<RenderedMessage>;
}

export type SendOutcome =
  | { result: 'sent'; messageId: string; status: string; provider: string; providerId: string | null }
  | { result: 'skipped'; messageId: string; reason: string }
  | { result: 'deferred'; messageId: string; until: string; reason: string };

type Decided =
  | { kind: 'existing'; row: MessageRow }
  | { kind: 'blocked'; row: MessageRow }
  | { kind: 'deferred'; row: MessageRow; until: number }
  | { kind: 'send'; row: MessageRow };

/**
 * One send: policy (in one place, before any connector) → render → connector → ledger.
 * The ledger row, unique per idempotency key, is claimed `queued` by the policy decision, moves
 * to `sending` just before the provider is called and to `sent` after, so an activity retried
 * after the provider accepted returns without sending, and one retried after a crash between
 * the call and the record finds `sending` (see `atMostOnce`).
 */
export async function sendMessage(deps: ChannelDeps, input: SendInput): Promise<SendOutcome> {
  const channel = await resolveChannel(deps.db, deps.box, input.workspaceId, input.channel);
  const decided = await decide(deps.db, input, channel.policy);
  const { row } = decided;
  if (decided.kind === 'blocked')
    return { result: 'skipped', messageId: row.id, reason: row.reason ?? 'blocked' };
  if (decided.kind === 'deferred') {
    return {
      result: 'deferred',
      messageId: row.id,
      until: new Date(decided.until).toISOString(),
      reason: row.reason ?? '',
    };
  }
  if (decided.kind === 'existing') {
    if (ACCEPTED_STATUSES.includes(row.status as never)) return sentOutcome(row);
    if (OUTCOME_UNKNOWN_STATUSES.includes(row.status as never) && atMostOnce(input)) {
      await updateMessage(deps.db, row.id, { status: 'unknown', reason: UNKNOWN_REASON });
      return sentOutcome({ ...row, status: 'unknown' });
    }
    if (row.status === 'suppressed')
      return { result: 'skipped', messageId: row.id, reason: row.reason ?? 'blocked' };
    if (row.status === 'failed' && !row.payload?.retryable)
      throw NodeError.fatal(row.reason ?? 'the send failed');
  }

  const links = messageLinks(deps.box, deps.publicUrl, input.workspaceId, row.id);
  let rendered: RenderedMessage;
  try {
    rendered = await input.render(links);
  } catch (error) {
    const reason =
      error instanceof TemplateRenderFailed ? error.message : `rendering failed: ${(error as Error).message}`;
    await updateMessage(deps.db, row.id, {
      status: 'failed',
      reason,
      payload: { topic: input.topic, retryable: false },
    });
    throw NodeError.fatal(reason, { messageId: row.id });
  }
  const connector: AnyConnector = channel.connector ?? devOutbox;
  const email =
    input.channel === 'email' ? emailExtras(rendered, links, input.transactional, channel.config) : undefined;
  const html = email?.html ?? rendered.html;
  // The claim: from here the provider may have the message, whatever happens to this worker.
  await updateMessage(deps.db, row.id, {
    status: 'sending',
    provider: connector.id,
    subject: rendered.subject ?? null,
    body: rendered.text ?? null,
    payload: {
      topic: input.topic,
      template: rendered.template,
      html,
      data: rendered.data,
      headers: email?.headers,
    },
  });

  try {
    const sent = await connector.send(
      {
        messageId: row.id,
        idempotencyKey: input.idempotencyKey,
        channel: input.channel,
        recipient: input.recipient!,
        subject: rendered.subject,
        preheader: rendered.preheader,
        text: rendered.text,
        html,
        data: { ...rendered.data, headers: email?.headers },
      },
      {
        config: channel.config,
        cache: deps.cache,
        statusCallbackUrl: links.statusCallbackUrl,
        onRecipientGone: async (token) => {
          await pruneDeviceToken(deps.db, input.workspaceId, token);
        },
      },
    );
    const reason = channel.connector ? null : 'captured locally: no provider is configured for this channel';
    await updateMessage(deps.db, row.id, { status: sent.status, providerId: sent.providerId, reason });
    return {
      result: 'sent',
      messageId: row.id,
      status: sent.status,
      provider: connector.id,
      providerId: sent.providerId,
    };
  } catch (error) {
    const failure =
      error instanceof ConnectorError ? error : new ConnectorError((error as Error).message, true);
    await updateMessage(deps.db, row.id, {
      status: 'failed',
      reason: failure.message,
      payload: {
        topic: input.topic,
        template: rendered.template,
        html,
        data: rendered.data,
        retryable: failure.retryable,
      },
    });
    throw failure.retryable
      ? NodeError.retryable(failure.message, { messageId: row.id })
      : NodeError.fatal(failure.message, { messageId: row.id });
  }
}

const UNKNOWN_REASON =
  'outcome unknown: the provider was called but its answer was never recorded (a worker stopped); not sent again';

/**
 * Marketing sends are at most once: a retry that finds the provider may already have the
 * message records `unknown` instead of calling it again. Transactional sends and webhooks are
 * at least once; the provider gets the same idempotency key (SMTP Message-ID, webhook-id).
 */
function atMostOnce(input: SendInput): boolean {
  return !input.transactional && input.channel !== 'webhook';
}

function sentOutcome(row: MessageRow): SendOutcome {
  return {
    result: 'sent',
    messageId: row.id,
    status: row.status,
    provider: row.provider ?? '',
    providerId: row.providerId,
  };
}

/**
 * Decides under a per-contact-and-channel lock, so two journeys sending at the same moment
 * see each other's ledger rows and a frequency cap holds across them.
 */
async function decide(
  db: Db,
  input: SendInput,
  policy: Parameters<typeof decideSend>[1]['policy'],
): Promise<Decided> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const lock = `${input.workspaceId}:${input.contact.id}:${input.channel}`;
    await t.execute(sql`select pg_advisory_xact_lock(hashtextextended(${lock}, 0))`);
    const existing = await findMessageByKey(t, input.workspaceId, input.idempotencyKey);
    if (existing && existing.status !== 'deferred') return { kind: 'existing', row: existing };
    const decision = await decideSend(t, {
      workspaceId: input.workspaceId,
      contact: input.contact,
      channel: input.channel,
      recipient: input.recipient,
      transactional: input.transactional,
      topic: input.topic,
      onCap: input.onCap,
      idempotencyKey: input.idempotencyKey,
      now: input.now,
      ...(await journeyContext(t, input)),
      policy,
    });
    const status =
      decision.action === 'send' ? 'queued' : decision.action === 'block' ? 'suppressed' : 'deferred';
    const reason =
      decision.action === 'send'
        ? null
        : decision.action === 'block'
          ? decision.reason
          : `${decision.reason} until ${new Date(decision.until).toISOString()}`;
    const values = {
      status,
      reason,
      recipient: input.recipient,
      transactional: input.transactional,
      // The policy's clock, so caps count in the same time as quiet hours.
      createdAt: new Date(input.now),
      updatedAt: new Date(),
    };
    const [row] = existing
      ? await t.update(messages).set(values).where(eq(messages.id, existing.id)).returning()
      : await t
          .insert(messages)
          .values({
            ...values,
            ...(await ledgerLabels(t, input)),
            workspaceId: input.workspaceId,
            idempotencyKey: input.idempotencyKey,
            contactId: input.contact.id,
            journeyId: input.journeyId,
            workflowId: input.runId,
            nodeId: input.nodeId,
            channel: input.channel,
            payload: input.topic ? { topic: input.topic } : {},
          })
          .returning();
    if (decision.action === 'block') return { kind: 'blocked', row };
    if (decision.action === 'defer') return { kind: 'deferred', row, until: decision.until };
    return { kind: 'send', row };
  });
}

/**
 * What the policy takes from the sending journey: its fallback zone, then the workspace default
 * (the contact's own zone comes first), and the journey's own quiet hours and cap.
 */
async function journeyContext(
  db: Db,
  input: SendInput,
): Promise<{ fallbackZones: (string | null)[]; journey?: JourneyPolicy }> {
  const [version] = await db
    .select({ plan: journeyVersions.plan })
    .from(journeyVersions)
    .where(
      and(eq(journeyVersions.journeyId, input.journeyId), eq(journeyVersions.version, input.journeyVersion)),
    );
  const [workspace] = await db
    .select({ tz: workspaces.defaultTimezone })
    .from(workspaces)
    .where(eq(workspaces.id, input.workspaceId));
  const settings = (version?.plan as { settings?: JourneyPlanSettings } | undefined)?.settings;
  const fallbackZones = [settings?.timezone ?? null, workspace?.tz ?? null];
  if (!settings?.quietHours && !settings?.frequencyCap) return { fallbackZones };
  const cap = settings.frequencyCap;
  return {
    fallbackZones,
    journey: {
      journeyId: input.journeyId,
      quietHours: settings.quietHours && {
        ...settings.quietHours,
        action: settings.quietHours.action ?? 'defer',
      },
      frequencyCap: cap && {
        channel: cap.channel,
        limit: cap.limit,
        windowHours: durationMs(cap.window) / 3_600_000,
        action: cap.action ?? 'skip',
      },
    },
  };
}

/** The journey settings the policy reads from a stored plan (see the journey model). */
interface JourneyPlanSettings {
  timezone?: string;
  quietHours?: { start: string; end: string; action?: 'defer' | 'skip' };
  frequencyCap?: { channel?: string; limit: number; window: Duration; action?: 'defer' | 'skip' };
}

/** RFC 8058 one-click unsubscribe headers, tracked links, open pixel and preheader. */
function emailExtras(
  rendered: RenderedMessage,
  links: MessageLinks,
  transactional: boolean,
  config: Record<string, unknown>,
): { html?: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (!transactional) {
    const mailto =
      typeof config.unsubscribeMailto === 'string' ? `, <mailto:${config.unsubscribeMailto}>` : '';
    headers['List-Unsubscribe'] = `<${links.unsubscribeUrl}>${mailto}`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  if (rendered.html === undefined) return { headers };
  let html = trackHtml(rendered.html, links);
  if (rendered.preheader) {
    const hidden = `<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(rendered.preheader)}</div>`;
    html = /<body[^>]*>/i.test(html)
      ? html.replace(/<body[^>]*>/i, (tag) => `${tag}${hidden}`)
      : `${hidden}${html}`;
  }
  return { html, headers };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * What a new ledger row records beyond the send itself: the journey run (its row id) and the
 * event that started it, and whether the contact is a test contact (its messages are labelled
 * test and left out of counts, stats and reports).
 */
async function ledgerLabels(db: Db, input: SendInput) {
  const [run] = await db
    .select({ id: journeyRuns.id, triggerEventId: journeyRuns.triggerEventId })
    .from(journeyRuns)
    .where(eq(journeyRuns.workflowId, input.runId));
  const [contact] = await db
    .select({ isTest: contacts.isTest })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, input.workspaceId), eq(contacts.id, input.contact.id)));
  // An event sent with `context.test: true` makes the run it started a test run.
  const [testEvent] = run?.triggerEventId
    ? await db
        .select({ id: events.id })
        .from(events)
        .where(
          and(
            eq(events.workspaceId, input.workspaceId),
            sql`${events.id}::text = ${run.triggerEventId}`,
            sql`(${events.context} ->> 'test') = 'true'`,
          ),
        )
    : [];
  return {
    runId: run?.id ?? null,
    triggerEventId: run?.triggerEventId ?? null,
    test: (contact?.isTest ?? false) || !!testEvent,
  };
}

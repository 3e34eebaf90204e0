import { and, eq, inArray, sql } from 'drizzle-orm';
import { type AnyConnector, type Channel, ConnectorError, devOutbox } from '../../../connectors';
import { type Db, rowsOf } from '../../../db';
import { channelSettings, messages } from '../../../db/schema';
import { pruneDeviceToken } from '../../content/devices';
import { NodeError } from '../../sdk/node-error';
import { openChannelSettings } from '../channels/channel-settings';
import type { ChannelDeps } from '../channels/deps';
import { type MessageLinks, messageLinks, trackHtml } from '../links/links';
import type { PolicyDecision } from '../policy/send-policy';
import { TemplateRenderFailed } from '../templates/render';
import { type ClaimInput, claimSends, decideClaims } from './claim';
import { ACCEPTED_STATUSES, type MessageRow, OUTCOME_UNKNOWN_STATUSES } from './ledger';

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

export interface SendInput extends ClaimInput {
  channel: Channel;
  /** Called only after the policy allowed the send, with the message's tracking links. */
  render(links: MessageLinks): Promise<RenderedMessage>;
}

export type SendOutcome =
  | { result: 'sent'; messageId: string; status: string; provider: string; providerId: string | null }
  | { result: 'skipped'; messageId: string; reason: string }
  | { result: 'deferred'; messageId: string; until: string; reason: string };

/**
 * A send of a batch that did not reach the provider, or that the provider refused: `retryable`
 * when trying again may succeed (SMTP 4xx, HTTP 429/503, a dropped connection); `attempts`
 * counts the provider calls this key has had.
 */
export type FailedOutcome = {
  result: 'failed';
  messageId: string;
  reason: string;
  retryable: boolean;
  attempts: number;
};

export type BatchOutcome = SendOutcome | FailedOutcome;

/**
 * One send: policy (in one place, before any connector) → render → connector → ledger, as a
 * batch of one (see `sendMessages`). A failure throws a `NodeError` (retryable or fatal) with
 * the message id, as journeys' activities expect.
 */
export async function sendMessage(deps: ChannelDeps, input: SendInput): Promise<SendOutcome> {
  const [outcome] = await sendMessages(deps, [input]);
  if (outcome.result !== 'failed') return outcome;
  throw outcome.retryable
    ? NodeError.retryable(outcome.reason, { messageId: outcome.messageId })
    : NodeError.fatal(outcome.reason, { messageId: outcome.messageId });
}

/**
 * Sends of one workspace and channel, set-based: one claim transaction for all of them (see
 * `claimSends`), rendering, one statement moving every allowed row to `sending` before any
 * provider call, the provider calls (`concurrency` at a time), one statement recording every
 * outcome. The ledger row, unique per idempotency key, is claimed `queued` by the policy
 * decision, moves to `sending` just before the provider is called and to `sent` after, so a
 * send retried after the provider accepted returns without sending, and one retried after a
 * crash between the call and the record finds `sending` (see `atMostOnce`). Outcomes follow
 * `inputs`; a failed send is an outcome here, not an exception.
 */
export async function sendMessages(
  deps: ChannelDeps,
  inputs: SendInput[],
  options: { concurrency?: number } = {},
): Promise<BatchOutcome[]> {
  if (inputs.length === 0) return [];
  const first = inputs[0];
  if (inputs.some((i) => i.workspaceId !== first.workspaceId || i.channel !== first.channel)) {
    throw new Error('a send batch holds the sends of one workspace and channel');
  }
  if (new Set(inputs.map((i) => i.idempotencyKey)).size !== inputs.length) {
    throw new Error('a send batch holds each idempotency key once');
  }
  const { channel, claimed } = await claimSends(deps.db, inputs, (settings) =>
    openChannelSettings(deps.box, settings),
  );
  const outcomes: (BatchOutcome | undefined)[] = new Array(inputs.length);
  const unknown: string[] = [];
  const toSend: number[] = [];
  claimed.forEach((decided, i) => {
    const { row } = decided;
    if (decided.kind === 'blocked') {
      outcomes[i] = { result: 'skipped', messageId: row.id, reason: row.reason ?? 'blocked' };
    } else if (decided.kind === 'deferred') {
      outcomes[i] = {
        result: 'deferred',
        messageId: row.id,
        until: new Date(decided.until).toISOString(),
        reason: row.reason ?? '',
      };
    } else if (decided.kind === 'existing' && ACCEPTED_STATUSES.includes(row.status as never)) {
      outcomes[i] = sentOutcome(row);
    } else if (
      decided.kind === 'existing' &&
      OUTCOME_UNKNOWN_STATUSES.includes(row.status as never) &&
      atMostOnce(inputs[i])
    ) {
      unknown.push(row.id);
      outcomes[i] = sentOutcome({ ...row, status: 'unknown' });
    } else if (decided.kind === 'existing' && row.status === 'suppressed') {
      outcomes[i] = { result: 'skipped', messageId: row.id, reason: row.reason ?? 'blocked' };
    } else if (decided.kind === 'existing' && row.status === 'failed' && !row.payload?.retryable) {
      outcomes[i] = failed(row, row.reason ?? 'the send failed', false, 0);
    } else {
      toSend.push(i);
    }
  });
  if (unknown.length > 0) {
    await deps.db
      .update(messages)
      .set({ status: 'unknown', reason: UNKNOWN_REASON, updatedAt: new Date() })
      .where(inArray(messages.id, unknown));
  }

  const connector: AnyConnector = channel.connector ?? devOutbox;
  const ready: Ready[] = [];
  const records: LedgerRecord[] = [];
  for (const i of toSend) {
    const input = inputs[i];
    const row = claimed[i].row;
    const links = messageLinks(deps.box, deps.publicUrl, input.workspaceId, row.id);
    try {
      const rendered = await input.render(links);
      const email =
        input.channel === 'email'
          ? emailExtras(rendered, links, input.transactional, channel.config)
          : undefined;
      ready.push({ i, row, links, rendered, html: email?.html ?? rendered.html, headers: email?.headers });
    } catch (error) {
      const reason =
        error instanceof TemplateRenderFailed
          ? error.message
          : `rendering failed: ${(error as Error).message}`;
      // Liquid's render time limit counts wall time: on a busy worker a render may run out of it
      // through no fault of the template, so that one is worth another attempt; others are not.
      const retryable = /render limit exceeded/i.test(reason);
      const attempts = attemptsOf(row) + 1;
      records.push({
        id: row.id,
        status: 'failed',
        reason,
        payload: { topic: input.topic, retryable, attempts },
      });
      outcomes[i] = failed(row, reason, retryable, attempts);
    }
  }
  // The claim: from here the provider may have each message, whatever happens to this worker.
  // Only rows still in the status this call found move (a compare-and-set): an attempt running
  // at the same time as its retry (a worker thought dead) never sends the same message twice.
  const moved = await markSending(
    deps.db,
    ready.map((r) => ({
      id: r.row.id,
      expected: r.row.status,
      provider: connector.id,
      subject: r.rendered.subject ?? null,
      body: r.rendered.text ?? null,
      payload: {
        topic: inputs[r.i].topic,
        template: r.rendered.template,
        html: r.html,
        data: r.rendered.data,
        headers: r.headers,
        attempts: attemptsOf(r.row) + 1,
      },
    })),
  );

  const mine = ready.filter((r) => {
    if (moved.has(r.row.id)) return true;
    outcomes[r.i] = sentOutcome({ ...r.row, status: 'sending' });
    return false;
  });
  const call = async (r: Ready) => {
    const input = inputs[r.i];
    const attempts = attemptsOf(r.row) + 1;
    try {
      const sent = await connector.send(
        {
          messageId: r.row.id,
          idempotencyKey: input.idempotencyKey,
          channel: input.channel,
          recipient: input.recipient!,
          subject: r.rendered.subject,
          preheader: r.rendered.preheader,
          text: r.rendered.text,
          html: r.html,
          data: { ...r.rendered.data, headers: r.headers },
        },
        {
          config: channel.config,
          cache: deps.cache,
          statusCallbackUrl: r.links.statusCallbackUrl,
          onRecipientGone: async (token) => {
            await pruneDeviceToken(deps.db, input.workspaceId, token);
          },
        },
      );
      const reason = channel.connector
        ? null
        : 'captured locally: no provider is configured for this channel';
      records.push({ id: r.row.id, status: sent.status, providerId: sent.providerId, reason });
      outcomes[r.i] = {
        result: 'sent',
        messageId: r.row.id,
        status: sent.status,
        provider: connector.id,
        providerId: sent.providerId,
      };
    } catch (error) {
      const failure =
        error instanceof ConnectorError ? error : new ConnectorError((error as Error).message, true);
      records.push({
        id: r.row.id,
        status: 'failed',
        reason: failure.message,
        payload: {
          topic: input.topic,
          template: r.rendered.template,
          html: r.html,
          data: r.rendered.data,
          retryable: failure.retryable,
          attempts,
        },
      });
      outcomes[r.i] = failed(r.row, failure.message, failure.retryable, attempts);
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < mine.length) await call(mine[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 1, mine.length) }, worker));
  await recordOutcomes(deps.db, records);
  return outcomes as BatchOutcome[];
}

/** A send as a preview sees it: no rendering, since nothing is rendered or sent. */
export type PreviewInput = ClaimInput & { channel: Channel };

/**
 * What `sendMessages` would decide for these sends of one workspace and channel now, read-only:
 * the channel's policy and the same set-based decision its claim takes (`decideClaims`), without
 * the send locks, without claiming a ledger row, rendering or calling a provider. A broadcast's
 * launch confirmation counts its audience with it.
 */
export async function previewSends(db: Db, inputs: PreviewInput[]): Promise<PolicyDecision[]> {
  if (inputs.length === 0) return [];
  const { workspaceId, channel } = inputs[0];
  if (inputs.some((i) => i.workspaceId !== workspaceId || i.channel !== channel)) {
    throw new Error('a send batch holds the sends of one workspace and channel');
  }
  // The policy `resolveChannel` gives a send, without opening the provider's secrets.
  const [settings] = await db
    .select({ policy: channelSettings.policy })
    .from(channelSettings)
    .where(and(eq(channelSettings.workspaceId, workspaceId), eq(channelSettings.channel, channel)));
  return decideClaims(db, inputs, settings?.policy ?? {});
}

interface Ready {
  i: number;
  row: MessageRow;
  links: MessageLinks;
  rendered: RenderedMessage;
  html: string | undefined;
  headers: Record<string, string> | undefined;
}

interface LedgerRecord {
  id: string;
  status: string;
  reason: string | null;
  providerId?: string | null;
  /** Replaces the row's payload when present. */
  payload?: Record<string, unknown>;
}

const attemptsOf = (row: MessageRow) => Number(row.payload?.attempts ?? 0);

function failed(row: MessageRow, reason: string, retryable: boolean, attempts: number): FailedOutcome {
  return { result: 'failed', messageId: row.id, reason, retryable, attempts };
}

/** Moves claimed rows to `sending` with what the provider is about to get: one statement. */
async function markSending(
  db: Db,
  rows: {
    id: string;
    expected: string;
    provider: string;
    subject: string | null;
    body: string | null;
    payload: unknown;
  }[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await db.execute(sql`update messages m set status = 'sending', provider = v.provider,
        subject = v.subject, body = v.body, payload = v.payload, updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as v(id uuid, expected text, provider text, subject text, body text, payload jsonb)
      where m.id = v.id and m.status = v.expected
      returning m.id::text as id`);
  return new Set(rowsOf<{ id: string }>(result).map((r) => r.id));
}

/** Records the provider's answers (and render failures): one statement. */
async function recordOutcomes(db: Db, records: LedgerRecord[]) {
  if (records.length === 0) return;
  await db.execute(sql`update messages m set status = v.status, reason = v.reason,
        provider_id = case when v.has_provider_id then v.provider_id else m.provider_id end,
        payload = coalesce(v.payload, m.payload), updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(
        // jsonb_to_recordset matches keys to the column names.
        records.map((r) => ({
          id: r.id,
          status: r.status,
          reason: r.reason,
          provider_id: r.providerId ?? null,
          has_provider_id: r.providerId !== undefined,
          payload: r.payload ?? null,
        })),
      )}::jsonb) as v(id uuid, status text, reason text, provider_id text, has_provider_id boolean, payload jsonb)
      where m.id = v.id`);
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

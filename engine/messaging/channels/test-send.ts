import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { type Channel, ConnectorError, devOutbox } from '../../../connectors';
import { messages } from '../../../db/schema';
import { DomainError } from '../../errors';
import { resolveChannel } from './channel-settings';
import type { ChannelDeps } from './deps';

/** A provider refused a test send: the answer carries the provider's own reason. */
export class TestSendFailed extends DomainError {
  constructor(provider: string, reason: string) {
    super('test_send_failed', `${provider}: ${reason}`, 'unprocessable', 'to', { provider, reason });
  }
}

export interface TestMessage {
  subject?: string;
  preheader?: string;
  text?: string;
  html?: string;
  data?: Record<string, unknown>;
  template?: string;
}

export interface TestSendOutcome {
  messageId: string;
  provider: string;
  providerId: string;
  status: string;
  /** True when the channel has no provider and the dev outbox captured the message. */
  captured: boolean;
}

/**
 * Sends one message to an address through the channel's configured provider, at once, past the
 * send policy (a test is asked for by a person, for themselves). It is kept in the ledger,
 * labelled test, so it shows in the message list and the dev outbox but in no count or report.
 */
export async function sendTestMessage(
  deps: ChannelDeps,
  workspaceId: string,
  channel: Channel,
  to: string,
  message: TestMessage,
): Promise<TestSendOutcome> {
  const resolved = await resolveChannel(deps.db, deps.box, workspaceId, channel);
  const connector = resolved.connector ?? devOutbox;
  const subject = channel === 'email' ? `[Test] ${message.subject ?? ''}`.trim() : message.subject;
  const [row] = await deps.db
    .insert(messages)
    .values({
      workspaceId,
      idempotencyKey: `test:${randomUUID()}`,
      channel,
      test: true,
      transactional: true,
      status: 'sending',
      provider: connector.id,
      recipient: to,
      subject: subject ?? null,
      body: message.text ?? null,
      payload: { test: true, template: message.template, html: message.html, data: message.data },
    })
    .returning();
  try {
    const sent = await connector.send(
      {
        messageId: row.id,
        idempotencyKey: row.idempotencyKey,
        channel,
        recipient: to,
        subject,
        preheader: message.preheader,
        text: message.text,
        html: message.html,
        data: message.data,
      },
      { config: resolved.config, cache: deps.cache },
    );
    await deps.db
      .update(messages)
      .set({
        status: sent.status,
        providerId: sent.providerId,
        reason: resolved.connector ? 'test send' : 'test send captured locally: no provider is configured',
        updatedAt: new Date(),
      })
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, row.id)));
    return {
      messageId: row.id,
      provider: connector.id,
      providerId: sent.providerId,
      status: sent.status,
      captured: !resolved.connector,
    };
  } catch (error) {
    const reason = error instanceof ConnectorError ? error.message : (error as Error).message;
    await deps.db
      .update(messages)
      .set({ status: 'failed', reason, updatedAt: new Date() })
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, row.id)));
    throw new TestSendFailed(connector.title, reason);
  }
}

/** The channel check on the settings page: a short fixed message through the provider. */
export function channelCheckMessage(channel: Channel): TestMessage {
  const text = `This is a test from Wayline: the ${channel} channel is set up.`;
  if (channel === 'email') {
    return {
      subject: 'Channel check',
      text,
      html: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
    };
  }
  if (channel === 'webhook') return { text: JSON.stringify({ test: true, message: text }) };
  return { subject: 'Wayline', text };
}

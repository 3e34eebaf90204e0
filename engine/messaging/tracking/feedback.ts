import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { contacts, topics } from '../../../db/schema';
import { NotFound } from '../../errors';
import { resolveChannel } from '../channels/channel-settings';
import type { ChannelDeps } from '../channels/deps';
import { verifyToken } from '../links/tokens';
import { advanceStatus, findMessage, type MessageRow } from '../messages/ledger';
import { topicKey } from '../policy/subscriptions';
import { suppress } from '../policy/suppression';
import { recordContactEvent } from './contact-events';
import { assertTwilioSignature, type FormParams, ProviderSignatureInvalid } from './twilio-signature';

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

function messageProperties(message: MessageRow): Record<string, unknown> {
  return {
    messageId: message.id,
    channel: message.channel,
    journeyId: message.journeyId,
    nodeId: message.nodeId,
  };
}

/** The message a verified token points at; a valid signature over a message that is gone is a 404. */
async function messageOf(deps: ChannelDeps, raw: string, kind: 'o' | 'c' | 'u' | 's') {
  const token = verifyToken(deps.box, raw, kind);
  const message = await findMessage(deps.db, token.w, token.m);
  if (!message) throw new NotFound('Message', token.m);
  return { token, message };
}

export async function recordOpen(deps: ChannelDeps, raw: string): Promise<void> {
  const { message } = await messageOf(deps, raw, 'o');
  await advanceStatus(deps.db, message.workspaceId, message.id, 'opened');
  if (message.contactId) {
    await recordContactEvent(deps, {
      workspaceId: message.workspaceId,
      contactId: message.contactId,
      messageId: `${message.id}:opened`,
      name: 'Email Opened',
      properties: messageProperties(message),
    });
  }
}

/** Records the click and returns where to send the browser: only the URL signed into the token. */
export async function recordClick(deps: ChannelDeps, raw: string): Promise<string> {
  const { token, message } = await messageOf(deps, raw, 'c');
  const url = token.u;
  if (!url || !/^https?:\/\//i.test(url)) throw new NotFound('Link', raw.slice(0, 12));
  await advanceStatus(deps.db, message.workspaceId, message.id, 'clicked');
  if (message.contactId) {
    await recordContactEvent(deps, {
      workspaceId: message.workspaceId,
      contactId: message.contactId,
      messageId: `${message.id}:clicked:${short(url)}`,
      name: 'Email Link Clicked',
      properties: { ...messageProperties(message), url },
    });
  }
  return url;
}

async function setSubscriptions(
  deps: ChannelDeps,
  message: MessageRow,
  changes: Record<string, 'subscribed' | 'unsubscribed'>,
) {
  if (!message.contactId) return;
  await deps.db
    .update(contacts)
    .set({
      subscriptions: sql`${contacts.subscriptions} || ${JSON.stringify(changes)}::jsonb`,
      updatedAt: new Date(),
    })
    .where(and(eq(contacts.workspaceId, message.workspaceId), eq(contacts.id, message.contactId)));
}

/**
 * RFC 8058 one-click unsubscribe: from the message's topic when it had one, else from the
 * channel's marketing messages. Repeating it changes nothing.
 */
export async function unsubscribe(
  deps: ChannelDeps,
  raw: string,
): Promise<{ channel: string; topic?: string }> {
  const { message } = await messageOf(deps, raw, 'u');
  const topic = typeof message.payload?.topic === 'string' ? message.payload.topic : undefined;
  await setSubscriptions(deps, message, { [topic ? topicKey(topic) : message.channel]: 'unsubscribed' });
  if (message.contactId) {
    await recordContactEvent(deps, {
      workspaceId: message.workspaceId,
      contactId: message.contactId,
      messageId: `${message.id}:unsubscribed`,
      name: 'Unsubscribed',
      properties: { ...messageProperties(message), ...(topic ? { topic } : {}) },
    });
  }
  return { channel: message.channel, topic };
}

export interface Preferences {
  channel: string;
  subscribed: boolean;
  topics: { name: string; label: string; description: string | null; subscribed: boolean }[];
}

/** What the preferences page shows: the channel and every topic of the workspace, as the contact chose. */
export async function readPreferences(deps: ChannelDeps, raw: string): Promise<Preferences> {
  const { message } = await messageOf(deps, raw, 'u');
  const [contact] = message.contactId
    ? await deps.db
        .select({ subscriptions: contacts.subscriptions })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, message.workspaceId), eq(contacts.id, message.contactId)))
    : [];
  const subscriptions = contact?.subscriptions ?? {};
  const rows = await deps.db
    .select()
    .from(topics)
    .where(eq(topics.workspaceId, message.workspaceId))
    .orderBy(topics.name);
  return {
    channel: message.channel,
    subscribed: subscriptions[message.channel] !== 'unsubscribed',
    topics: rows.map((t) => {
      const choice = subscriptions[topicKey(t.name)];
      return {
        name: t.name,
        label: t.label,
        description: t.description,
        subscribed: choice ? choice === 'subscribed' : t.defaultSubscribed,
      };
    }),
  };
}

/** Saves the preferences form: the channel switch and one switch per known topic. */
export async function savePreferences(
  deps: ChannelDeps,
  raw: string,
  choice: { subscribed: boolean; topics: string[] },
): Promise<Preferences> {
  const current = await readPreferences(deps, raw);
  const { message } = await messageOf(deps, raw, 'u');
  const changes: Record<string, 'subscribed' | 'unsubscribed'> = {
    [message.channel]: choice.subscribed ? 'subscribed' : 'unsubscribed',
  };
  for (const topic of current.topics) {
    changes[topicKey(topic.name)] = choice.topics.includes(topic.name) ? 'subscribed' : 'unsubscribed';
  }
  await setSubscriptions(deps, message, changes);
  if (!choice.subscribed && current.subscribed && message.contactId) {
    await recordContactEvent(deps, {
      workspaceId: message.workspaceId,
      contactId: message.contactId,
      messageId: `${message.id}:unsubscribed`,
      name: 'Unsubscribed',
      properties: messageProperties(message),
    });
  }
  return readPreferences(deps, raw);
}

/**
 * The URL token only says which message a callback is about; the provider's signature proves the
 * provider sent it. It is checked with the auth token of the workspace's current SMS provider,
 * and a message that did not go out through Twilio takes no callbacks at all.
 */
async function assertSignedByProvider(
  deps: ChannelDeps,
  message: MessageRow,
  params: FormParams,
  signed: { url: string; signature: string | undefined },
): Promise<void> {
  const channel = await resolveChannel(deps.db, deps.box, message.workspaceId, message.channel);
  const authToken = channel.connector?.id === 'twilio' ? channel.config.authToken : undefined;
  if (message.provider !== 'twilio' || typeof authToken !== 'string') {
    throw new ProviderSignatureInvalid('cannot be checked: this message was not sent through Twilio');
  }
  assertTwilioSignature(authToken, signed.url, params, signed.signature);
}

/** Twilio's MessageStatus values mapped onto the ledger. */
const TWILIO_STATUS: Record<string, 'delivered' | 'bounced' | 'failed' | undefined> = {
  delivered: 'delivered',
  undelivered: 'bounced',
  failed: 'failed',
};

/**
 * A provider status callback (Twilio's form fields). Delivery and bounces move the ledger row;
 * a bounce also becomes an event, and a permanent one puts the number on the suppression list.
 */
export async function providerStatus(
  deps: ChannelDeps,
  raw: string,
  report: { MessageSid?: string; MessageStatus?: string; ErrorCode?: string } & FormParams,
  signed: { url: string; signature: string | undefined },
): Promise<{ status: string | null }> {
  const { message } = await messageOf(deps, raw, 's');
  await assertSignedByProvider(deps, message, report, signed);
  if (report.MessageSid && message.providerId && report.MessageSid !== message.providerId) {
    throw new NotFound('Message', report.MessageSid);
  }
  const status = TWILIO_STATUS[report.MessageStatus ?? ''];
  if (!status) return { status: null };
  const reason = report.ErrorCode ? `provider error ${report.ErrorCode}` : undefined;
  const moved = await advanceStatus(deps.db, message.workspaceId, message.id, status, reason);
  if (moved && status !== 'delivered' && message.contactId) {
    // 21610: the recipient replied STOP; 30003/30005/30006: unreachable or unknown number.
    if (['21610', '30005', '30006'].includes(report.ErrorCode ?? '') && message.recipient) {
      await suppress(
        deps.db,
        message.workspaceId,
        message.channel,
        message.recipient,
        report.ErrorCode === '21610' ? 'unsubscribed' : 'hard-bounce',
      );
    }
    await recordContactEvent(deps, {
      workspaceId: message.workspaceId,
      contactId: message.contactId,
      messageId: `${message.id}:${status}`,
      name: status === 'bounced' ? 'Message Bounced' : 'Message Failed',
      properties: { ...messageProperties(message), errorCode: report.ErrorCode ?? null },
    });
  }
  return { status: moved ? status : null };
}

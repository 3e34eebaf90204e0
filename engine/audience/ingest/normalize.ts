import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { cleanJson, isStorable } from './clean-strings';
import { MAX_EVENT_BYTES, type MessageType, messageSchemas, messageTypes } from './messages';
import { correctedTimestamp } from './timestamps';

/** A message ready to store: ids are strings, strings are storable, the timestamp is corrected. */
export interface NormalizedMessage {
  type: MessageType;
  messageId: string;
  userId?: string;
  anonymousId?: string;
  /** Identity by e-mail address, used by inbound webhooks that know nothing else. */
  email?: string;
  previousId?: string;
  name: string | null;
  properties: Record<string, unknown>;
  traits?: Record<string, unknown>;
  /** Where an identify's traits came from, for the field a rejection names: `traits` unless said. */
  traitsField?: 'context.traits';
  context: Record<string, unknown>;
  timestamp: Date;
  receivedAt: Date;
  /** Dotted paths whose strings were cleaned to be storable. */
  cleaned: string[];
}

export interface Rejection {
  code: string;
  field: string;
  message: string;
}

export type Normalized = { ok: true; message: NormalizedMessage } | { ok: false; rejection: Rejection };

export interface Envelope {
  receivedAt: Date;
  /** The batch's `sentAt`, used when a message has none. */
  sentAt?: string;
  /** The batch's `context`, under the message's own. */
  context?: Record<string, unknown> | null;
}

/**
 * Validates one raw message; `type` is fixed by single-event endpoints, read from the message in
 * a batch. `parsed`: the message is already the output of its type's schema (a single-event
 * route validated its body), so it is not parsed a second time.
 */
export function normalizeMessage(
  raw: unknown,
  envelope: Envelope,
  type?: MessageType,
  parsed = false,
): Normalized {
  const kind = type ?? (raw as { type?: unknown } | null)?.type;
  if (typeof kind !== 'string' || !messageTypes.includes(kind as MessageType)) {
    return reject('invalid_type', 'type', `type must be one of ${messageTypes.join(', ')}`);
  }
  if (Buffer.byteLength(JSON.stringify(raw) ?? '') > MAX_EVENT_BYTES) {
    return reject('event_too_large', '', `the event is larger than ${MAX_EVENT_BYTES / 1024} KB`);
  }
  const result = parsed
    ? ({ success: true, data: raw } as const)
    : messageSchemas[kind as MessageType].safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    return reject('invalid_field', issue.path.map(String).join('.'), issue.message);
  }
  const message = result.data as z.output<(typeof messageSchemas)['track']> &
    Partial<z.output<(typeof messageSchemas)['identify']>> &
    Partial<z.output<(typeof messageSchemas)['page']>> &
    Partial<z.output<(typeof messageSchemas)['group']>> &
    Partial<z.output<(typeof messageSchemas)['alias']>>;

  // Identifiers are matched exactly, so they are refused rather than silently altered.
  for (const field of ['userId', 'anonymousId', 'messageId', 'previousId', 'event', 'groupId'] as const) {
    const value = message[field];
    if (typeof value === 'string' && !isStorable(value)) {
      return reject('invalid_string', field, 'contains NUL or an unpaired surrogate, which cannot be stored');
    }
  }
  const cleaned: string[] = [];
  const context = cleanJson({ ...(envelope.context ?? {}), ...(message.context ?? {}) }, 'context', cleaned);
  const base = {
    type: kind as MessageType,
    messageId: message.messageId ?? randomUUID(),
    userId: message.userId,
    anonymousId: message.anonymousId,
    context,
    receivedAt: envelope.receivedAt,
    timestamp: correctedTimestamp(envelope.receivedAt, {
      timestamp: message.timestamp,
      originalTimestamp: message.originalTimestamp,
      sentAt: message.sentAt ?? envelope.sentAt,
    }),
    cleaned,
  };
  switch (kind as MessageType) {
    case 'track':
      return ok({
        ...base,
        name: message.event,
        properties: cleanJson(message.properties ?? {}, 'properties', cleaned),
      });
    case 'identify': {
      // RudderStack's libraries send an identify's traits in `context.traits` alone.
      const inContext = message.traits == null && isObject(context.traits);
      const traits = inContext
        ? (context.traits as Record<string, unknown>)
        : cleanJson(message.traits ?? {}, 'traits', cleaned);
      return ok({
        ...base,
        name: null,
        properties: traits,
        traits,
        ...(inContext && { traitsField: 'context.traits' as const }),
      });
    }
    case 'page':
    case 'screen': {
      const properties = cleanJson(message.properties ?? {}, 'properties', cleaned);
      const name = message.name ? cleanJson(message.name, 'name', cleaned) : null;
      const category = message.category ? cleanJson(message.category, 'category', cleaned) : undefined;
      return ok({ ...base, name, properties: category ? { ...properties, category } : properties });
    }
    case 'group': {
      const traits = cleanJson(message.traits ?? {}, 'traits', cleaned);
      return ok({ ...base, name: null, properties: { groupId: message.groupId, traits } });
    }
    case 'alias':
      return ok({
        ...base,
        name: null,
        previousId: message.previousId,
        properties: { previousId: message.previousId },
      });
  }
}

function ok(message: NormalizedMessage): Normalized {
  return { ok: true, message };
}

function reject(code: string, field: string, message: string): Normalized {
  return { ok: false, rejection: { code, field, message } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

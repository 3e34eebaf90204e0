import type { Db } from '../../../db';
import { DomainError } from '../../errors';
import { IngestUnavailable, PayloadTooLarge } from './errors';
import { MAX_BATCH_EVENTS, type MessageType } from './messages';
import { type Envelope, type NormalizedMessage, normalizeMessage, type Rejection } from './normalize';
import { storeMessage } from './store';
import { type ContactUpdate, contactUpdateFromTraits } from './traits';

export type IngestOutcome =
  | {
      index: number;
      status: 'stored';
      eventId: string;
      contactId: string;
      outboxId: number;
      cleaned: string[];
    }
  | { index: number; status: 'duplicate' }
  | ({ index: number; status: 'rejected' } & Rejection);

export interface IngestRequest {
  workspaceId: string;
  messages: unknown[];
  /** Fixed by single-event endpoints; batch messages carry their own. */
  type?: MessageType;
  sentAt?: string;
  context?: Record<string, unknown> | null;
  receivedAt?: Date;
}

/**
 * Validates and stores messages in arrival order, each on its own so one bad event never costs
 * the others. Every outcome is final once this returns: stored events are committed.
 */
export async function ingestMessages(db: Db, request: IngestRequest): Promise<IngestOutcome[]> {
  if (request.messages.length > MAX_BATCH_EVENTS) {
    throw new PayloadTooLarge(`A batch holds at most ${MAX_BATCH_EVENTS} events`, 'batch');
  }
  const envelope: Envelope = {
    receivedAt: request.receivedAt ?? new Date(),
    sentAt: request.sentAt,
    context: request.context,
  };
  const outcomes: IngestOutcome[] = [];
  for (const [index, raw] of request.messages.entries()) {
    const normalized = normalizeMessage(raw, envelope, request.type);
    if (!normalized.ok) {
      outcomes.push({ index, status: 'rejected', ...normalized.rejection });
      continue;
    }
    outcomes.push(await ingestOne(db, request.workspaceId, normalized.message, index));
  }
  return outcomes;
}

/** Stores one normalized message (the tracking API and inbound webhooks share this path). */
export async function ingestOne(
  db: Db,
  workspaceId: string,
  message: NormalizedMessage,
  index = 0,
): Promise<IngestOutcome> {
  let update: ContactUpdate | undefined;
  if (message.type === 'identify' && message.traits) {
    const mapped = contactUpdateFromTraits(message.traits);
    if (!mapped.ok) return { index, status: 'rejected', ...mapped.rejection };
    update = mapped.update;
  }
  try {
    const result = await storeMessage(db, workspaceId, message, update);
    if (result.status === 'duplicate') return { index, status: 'duplicate' };
    const { eventId, contactId, outboxId } = result;
    return { index, status: 'stored', eventId, contactId, outboxId, cleaned: message.cleaned };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // Whatever failed here (connection lost, database busy) the client may retry the same ids.
    throw Object.assign(new IngestUnavailable(), { cause: error });
  }
}

import type { Db } from '../../../db';
import type { events } from '../../../db/schema';
import { registerDevicesFromContext } from '../../content/devices';
import { DomainError } from '../../errors';
import { storeCoalesced } from './coalesce';
import { IngestUnavailable, PayloadTooLarge } from './errors';
import { MAX_BATCH_EVENTS, type MessageType } from './messages';
import { type Envelope, type NormalizedMessage, normalizeMessage, type Rejection } from './normalize';
import { type StoreResult, storeMessage } from './store';
import type { BatchItem } from './store-batch';
import { type ContactUpdate, contactUpdateFromTraits } from './traits';

export type IngestOutcome =
  | {
      index: number;
      status: 'stored';
      eventId: string;
      contactId: string;
      outboxId: number;
      cleaned: string[];
      /** The event as stored, for the dispatcher (`Dispatcher.deliver`). */
      event: StoredEvent;
    }
  | { index: number; status: 'duplicate' }
  | ({ index: number; status: 'rejected' } & Rejection);

/**
 * An event as its request stored it: what the dispatcher needs of it (the context only as its
 * `source`), handed over with its outbox row so delivery need not read it back.
 */
export type StoredEvent = Pick<
  typeof events.$inferSelect,
  'id' | 'workspaceId' | 'contactId' | 'type' | 'name' | 'properties' | 'timestamp'
> & { source: string | null };

export interface IngestRequest {
  workspaceId: string;
  messages: unknown[];
  /** Fixed by single-event endpoints; batch messages carry their own. */
  type?: MessageType;
  /** The messages are already their type's schema output (the route validated them): parsed once. */
  parsed?: boolean;
  sentAt?: string;
  context?: Record<string, unknown> | null;
  receivedAt?: Date;
}

/**
 * Validates every message, then stores the valid ones in one set-based transaction (in arrival
 * order as far as contacts are concerned): a bad event is rejected by index and never costs the
 * others. Every outcome is final once this returns: stored events are committed.
 */
export async function ingestMessages(db: Db, request: IngestRequest): Promise<IngestOutcome[]> {
  const { workspaceId } = request;
  if (request.messages.length > MAX_BATCH_EVENTS) {
    throw new PayloadTooLarge(`A batch holds at most ${MAX_BATCH_EVENTS} events`, 'batch');
  }
  const envelope: Envelope = {
    receivedAt: request.receivedAt ?? new Date(),
    sentAt: request.sentAt,
    context: request.context,
  };
  const outcomes: IngestOutcome[] = [];
  const valid: BatchItem[] = [];
  for (const [index, raw] of request.messages.entries()) {
    const normalized = normalizeMessage(raw, envelope, request.type, request.parsed);
    if (!normalized.ok) {
      outcomes[index] = { index, status: 'rejected', ...normalized.rejection };
      continue;
    }
    const mapped = contactUpdateOf(normalized.message);
    if (!mapped.ok) outcomes[index] = { index, status: 'rejected', ...mapped.rejection };
    else valid.push({ index, message: normalized.message, update: mapped.update });
  }
  if (valid.length === 0) return outcomes;
  const results = await unavailableOnFailure(() => storeCoalesced(db, workspaceId, valid));
  for (const { index, message } of valid) {
    outcomes[index] = outcomeOf(workspaceId, index, results.get(index) as StoreResult, message);
  }
  await registerDevices(db, workspaceId, valid, outcomes);
  return outcomes;
}

function contactUpdateOf(
  message: NormalizedMessage,
): { ok: true; update?: ContactUpdate } | { ok: false; rejection: Rejection } {
  if (message.type !== 'identify' || !message.traits) return { ok: true };
  const result = contactUpdateFromTraits(message.traits);
  if (result.ok || !message.traitsField) return result;
  const field = result.rejection.field.replace(/^traits/, message.traitsField);
  return { ok: false, rejection: { ...result.rejection, field } };
}

function outcomeOf(
  workspaceId: string,
  index: number,
  result: StoreResult,
  message: NormalizedMessage,
): IngestOutcome {
  if (result.status === 'duplicate') return { index, status: 'duplicate' };
  const { eventId, contactId, outboxId } = result;
  // Every store path writes the message's type, name, properties and time as they are.
  const event = storedEvent(
    {
      id: eventId,
      workspaceId,
      contactId,
      type: message.type,
      name: message.name,
      properties: message.properties,
      timestamp: message.timestamp,
    },
    message.context,
  );
  return { index, status: 'stored', eventId, contactId, outboxId, cleaned: message.cleaned, event };
}

function storedEvent(
  event: Omit<StoredEvent, 'source'>,
  context: Record<string, unknown> | null | undefined,
): StoredEvent {
  // As the dispatcher reads it from the stored context: `context ->> 'source'`.
  const source = context?.source;
  return {
    ...event,
    source: source == null ? null : typeof source === 'string' ? source : JSON.stringify(source),
  };
}

/** App installations announced in identify calls (`context.device.token`) become the contact's device tokens. */
async function registerDevices(
  db: Db,
  workspaceId: string,
  items: { index: number; message: NormalizedMessage }[],
  outcomes: Record<number, IngestOutcome>,
): Promise<void> {
  const entries = items.flatMap(({ index, message }) => {
    const outcome = outcomes[index];
    if (message.type !== 'identify' || outcome?.status !== 'stored') return [];
    if (!(message.context?.device as { token?: unknown } | undefined)?.token) return [];
    return [{ contactId: outcome.contactId, context: message.context }];
  });
  if (entries.length > 0)
    await unavailableOnFailure(() => registerDevicesFromContext(db, workspaceId, entries));
}

async function unavailableOnFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // Whatever failed here (connection lost, database busy) the client may retry the same ids.
    throw Object.assign(new IngestUnavailable(), { cause: error });
  }
}

/** Stores one normalized message (the tracking API and inbound webhooks share this path). */
export async function ingestOne(
  db: Db,
  workspaceId: string,
  message: NormalizedMessage,
  index = 0,
): Promise<IngestOutcome> {
  const mapped = contactUpdateOf(message);
  if (!mapped.ok) return { index, status: 'rejected', ...mapped.rejection };
  const result = await unavailableOnFailure(() => storeMessage(db, workspaceId, message, mapped.update));
  const outcome = outcomeOf(workspaceId, index, result, message);
  await registerDevices(db, workspaceId, [{ index, message }], { [index]: outcome });
  return outcome;
}

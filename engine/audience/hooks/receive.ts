import type { Db } from '../../../db';
import { DomainError, InvalidInput, NotFound } from '../../errors';
import type { SecretBox } from '../../identity/secret-box';
import { cleanJson, isStorable } from '../ingest/clean-strings';
import { type IngestOutcome, ingestOne } from '../ingest/ingest';
import { hookForDelivery } from './hooks';
import { type HookMapping, type MappedEvent, mapPayload } from './mapping';
import { type VerifyFailure, verifyWebhook, type WebhookHeaders } from './signature';

export class WebhookSignatureInvalid extends DomainError {
  constructor(reason: VerifyFailure) {
    const messages: Record<VerifyFailure, [string, string]> = {
      missing_headers: [
        'webhook-signature',
        'webhook-id, webhook-timestamp and webhook-signature are required',
      ],
      invalid_timestamp: ['webhook-timestamp', 'webhook-timestamp must be Unix seconds'],
      timestamp_out_of_tolerance: ['webhook-timestamp', 'webhook-timestamp is more than 5 minutes from now'],
      no_matching_signature: [
        'webhook-signature',
        'no signature matches the body with a secret of this hook',
      ],
    };
    const [field, message] = messages[reason];
    super(`webhook_${reason}`, message, 'unauthenticated', field);
  }
}

/** A delivery whose signature, body and mapping checked out, not yet stored. */
export interface VerifiedDelivery {
  hookId: string;
  workspaceId: string;
  mapping: HookMapping;
  webhookId: string;
  /** The event's message id: a redelivery or a replay of the same webhook-id repeats it. */
  messageId: string;
  payload: unknown;
  event: MappedEvent;
  receivedAt: Date;
}

/** Verifies one signed delivery on its raw bytes and maps its payload to an event; stores nothing. */
export async function verifyDelivery(
  db: Db,
  box: SecretBox,
  hookId: string,
  headers: WebhookHeaders,
  rawBody: Buffer,
  receivedAt = new Date(),
): Promise<VerifiedDelivery> {
  const hook = await hookForDelivery(db, box, hookId, receivedAt);
  if (!hook) throw new NotFound('Hook', hookId);
  const verified = verifyWebhook(hook.secrets, headers, rawBody, receivedAt.getTime());
  if (!verified.ok) throw new WebhookSignatureInvalid(verified.reason);
  const webhookId = headers.id as string;
  if (webhookId.length > 200 || !isStorable(webhookId)) {
    throw new InvalidInput(
      'invalid_webhook_id',
      'webhook-id must be at most 200 storable characters',
      'webhook-id',
    );
  }

  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InvalidInput('body_not_json', 'The webhook body is not valid JSON', 'body');
  }
  const mapped = mapPayload(hook.mapping, payload);
  if (!mapped.ok) throw new InvalidInput('payload_unmapped', mapped.message, `mapping.${mapped.field}`);
  const { event } = mapped;
  for (const [field, value] of Object.entries({
    event: event.event,
    userId: event.userId,
    anonymousId: event.anonymousId,
  })) {
    if (value && !isStorable(value)) {
      throw new InvalidInput('invalid_string', `${field} contains characters that cannot be stored`, field);
    }
  }
  return {
    hookId,
    workspaceId: hook.workspaceId,
    mapping: hook.mapping,
    webhookId,
    messageId: `hook:${hookId}:${webhookId}`,
    payload,
    event,
    receivedAt,
  };
}

/** Stores a verified delivery's event through the tracking path (a repeated message id is a duplicate). */
export async function storeDelivery(
  db: Db,
  delivery: VerifiedDelivery,
): Promise<Exclude<IngestOutcome, { status: 'rejected' }>> {
  const { event, hookId, webhookId, receivedAt } = delivery;
  const cleaned: string[] = [];
  const outcome = await ingestOne(db, delivery.workspaceId, {
    type: 'track',
    messageId: delivery.messageId,
    userId: event.userId,
    anonymousId: event.anonymousId,
    email: event.email,
    name: event.event,
    properties: cleanJson(event.properties, 'properties', cleaned),
    context: { source: 'webhook', hookId, webhookId },
    timestamp: event.timestamp ? new Date(event.timestamp) : receivedAt,
    receivedAt,
    cleaned,
  });
  if (outcome.status === 'rejected') throw new InvalidInput(outcome.code, outcome.message, outcome.field);
  return outcome;
}

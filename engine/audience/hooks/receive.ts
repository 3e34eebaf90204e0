import type { Db } from '../../../db';
import { DomainError, InvalidInput, NotFound } from '../../errors';
import type { SecretBox } from '../../identity/secret-box';
import { cleanJson, isStorable } from '../ingest/clean-strings';
import { type IngestOutcome, ingestOne } from '../ingest/ingest';
import { hookForDelivery } from './hooks';
import { mapPayload } from './mapping';
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

/**
 * Accepts one signed delivery: verifies it on the raw bytes, maps the payload to an event and
 * stores it through the tracking path. The message id derives from `webhook-id`, so a redelivery
 * or a replay is a duplicate that changes nothing.
 */
export async function receiveWebhook(
  db: Db,
  box: SecretBox,
  hookId: string,
  headers: WebhookHeaders,
  rawBody: Buffer,
  receivedAt = new Date(),
): Promise<Exclude<IngestOutcome, { status: 'rejected' }>> {
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
  const cleaned: string[] = [];
  const outcome = await ingestOne(db, hook.workspaceId, {
    type: 'track',
    messageId: `hook:${hookId}:${webhookId}`,
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

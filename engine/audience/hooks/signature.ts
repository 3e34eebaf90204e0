import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Standard Webhooks allow this much clock difference either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export interface WebhookHeaders {
  id?: string;
  timestamp?: string;
  signature?: string;
}

export type VerifyFailure =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_out_of_tolerance'
  | 'no_matching_signature';

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, as a sender computes it. */
export function signWebhook(secret: string, id: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secretBytes(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}

/**
 * Verifies a delivery per Standard Webhooks over the raw body bytes: any of the space-separated
 * `v1,` signatures may match any of the hook's active secrets (rotation), compared in constant
 * time, and the timestamp must be within five minutes of now.
 */
export function verifyWebhook(
  secrets: string[],
  headers: WebhookHeaders,
  body: Buffer,
  nowMs = Date.now(),
): { ok: true } | { ok: false; reason: VerifyFailure } {
  if (!headers.id || !headers.timestamp || !headers.signature)
    return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, reason: 'invalid_timestamp' };
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowMs / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  const offered = headers.signature
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(signWebhook(secret, headers.id, timestamp, body).slice(3), 'base64');
    if (
      offered.some(
        (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
      )
    ) {
      return { ok: true };
    }
  }
  return { ok: false, reason: 'no_matching_signature' };
}

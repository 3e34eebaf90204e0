import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../errors';

export class ProviderSignatureInvalid extends DomainError {
  constructor(detail: string) {
    super(
      'provider_signature_invalid',
      `The callback's X-Twilio-Signature ${detail}`,
      'forbidden',
      'X-Twilio-Signature',
    );
  }
}

export type FormParams = Record<string, unknown>;

/**
 * Twilio's request signature: HMAC-SHA1 keyed with the account's auth token over the full URL
 * it was given, followed by every POST parameter sorted by name, name and value appended
 * (a repeated name contributes each of its values, in order), base64-encoded.
 */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = Array.isArray(value) ? [...value].map(String).sort() : [String(value)];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Refuses a callback whose signature is missing or wrong. The comparison is constant-time: both
 * sides are hashed first so their lengths match and nothing leaks about where they differ.
 */
export function assertTwilioSignature(
  authToken: string,
  url: string,
  params: FormParams,
  given: string | undefined,
): void {
  if (!given) throw new ProviderSignatureInvalid('is missing');
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const expected = digest(twilioSignature(authToken, url, params));
  if (!timingSafeEqual(expected, digest(given))) throw new ProviderSignatureInvalid('does not match');
}

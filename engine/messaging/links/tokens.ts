import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../errors';
import type { SecretBox } from '../../identity/secret-box';

/**
 * o: open pixel, c: click, u: unsubscribe and preferences, s: provider status callback,
 * b: a workspace's bounce and complaint intake (`m` names the channel, not a message).
 */
export type TokenKind = 'o' | 'c' | 'u' | 's' | 'b';

const payloadSchema = z.object({
  k: z.enum(['o', 'c', 'u', 's', 'b']),
  w: z.string(),
  m: z.string(),
  u: z.string().optional(),
});

export type TrackingToken = z.infer<typeof payloadSchema>;

export class TrackingTokenInvalid extends DomainError {
  constructor() {
    super('tracking_token_invalid', 'This link is not valid', 'invalid', 'token');
  }
}

function sign(box: SecretBox, body: string): string {
  return createHmac('sha256', box.derive('tracking')).update(body).digest('base64url');
}

/** `<payload>.<hmac>`, both base64url: the link carries its own target, signed, so it cannot be redirected elsewhere. */
export function createToken(box: SecretBox, token: TrackingToken): string {
  const body = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${body}.${sign(box, body)}`;
}

/** The token's content when its signature holds and it is of the expected kind; else TrackingTokenInvalid. */
export function verifyToken(box: SecretBox, raw: string, kind: TokenKind): TrackingToken {
  const [body, signature, extra] = raw.split('.');
  if (!body || !signature || extra !== undefined) throw new TrackingTokenInvalid();
  const expected = Buffer.from(sign(box, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new TrackingTokenInvalid();
  let parsed: TrackingToken;
  try {
    parsed = payloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw new TrackingTokenInvalid();
  }
  if (parsed.k !== kind) throw new TrackingTokenInvalid();
  return parsed;
}

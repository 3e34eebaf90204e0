import type { Db } from '../../db';
import { issueToken } from './one-time-tokens';

/** How long a sign-in link from `wayline admin create-user` stays valid. */
export const SIGN_IN_LINK_TTL_MS = 24 * 3600 * 1000;

/**
 * The one-time sign-in link the builder opens. The token travels in the fragment, so it never
 * reaches a server's access log or a Referer header; the page posts it to the API to sign in.
 */
export function signInLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/sign-in/link#token=${encodeURIComponent(token)}`;
}

/** A one-time `sign-in` token for the user (valid 24 h) and its link. */
export async function issueSignInLink(
  db: Db,
  publicUrl: string,
  user: { id: string; email: string },
  workspaceId: string,
): Promise<{ link: string; expiresAt: Date }> {
  const { token, row } = await issueToken(db, {
    purpose: 'sign-in',
    email: user.email,
    userId: user.id,
    workspaceId,
    ttlMs: SIGN_IN_LINK_TTL_MS,
  });
  return { link: signInLink(publicUrl, token), expiresAt: row.expiresAt };
}

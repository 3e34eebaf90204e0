import { eq, inArray } from 'drizzle-orm';
import * as client from 'openid-client';
import type { Db } from '../../db';
import { users, userTokens } from '../../db/schema';
import { Forbidden, InvalidInput } from '../errors';
import { recordAudit } from './audit';
import { pendingInvitationsFor } from './invitations';
import { addMember } from './memberships';
import type { IdentitySettings } from './settings';
import { createUser, findUserByEmail, normalizeEmail, type UserRow } from './users';

type OidcSettings = NonNullable<IdentitySettings['oidc']>;

/** What the browser keeps (in an HttpOnly cookie) between the redirect out and the callback. */
export interface OidcPending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcIdentity {
  /** `issuer|sub`, unique across providers. */
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

const configurations = new Map<string, Promise<client.Configuration>>();

/** The provider's metadata, discovered once per process. */
export function oidcConfiguration(settings: OidcSettings): Promise<client.Configuration> {
  const key = `${settings.issuer}|${settings.clientId}`;
  let found = configurations.get(key);
  if (!found) {
    const issuer = new URL(settings.issuer);
    // Plain HTTP only for a provider on this machine (development and tests).
    const local =
      issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    found = client.discovery(
      issuer,
      settings.clientId,
      settings.clientSecret,
      undefined,
      local ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    found.catch(() => configurations.delete(key));
    configurations.set(key, found);
  }
  return found;
}

/** The provider's authorization URL (code flow with PKCE, state and nonce) and what to keep until the callback. */
export async function startOidc(
  settings: OidcSettings,
  redirectUri: string,
): Promise<{ url: string; pending: OidcPending }> {
  const config = await oidcConfiguration(settings);
  const pending = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url: url.href, pending };
}

/** Exchanges the callback's code and checks state, nonce and PKCE; returns who the provider says signed in. */
export async function finishOidc(
  settings: OidcSettings,
  callbackUrl: URL,
  pending: OidcPending,
): Promise<OidcIdentity> {
  const config = await oidcConfiguration(settings);
  let claims: client.IDToken | undefined;
  let profile: Record<string, unknown> = {};
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
    // Many providers put email and name only in the userinfo response when an access token is issued.
    if (claims && typeof claims.email !== 'string')
      profile = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  } catch (error) {
    throw new InvalidInput('sso_failed', `Single sign-on failed: ${(error as Error).message}`);
  }
  if (!claims) throw new InvalidInput('sso_failed', 'Single sign-on failed: the provider sent no ID token');
  const all: Record<string, unknown> = { ...profile, ...claims };
  return {
    subject: `${claims.iss}|${claims.sub}`,
    email: typeof all.email === 'string' ? normalizeEmail(all.email) : undefined,
    emailVerified: all.email_verified === true,
    name: typeof all.name === 'string' ? all.name : undefined,
  };
}

/**
 * The Wayline user of an SSO identity: the one linked to it, else the user with its verified
 * email (linked now), else a new user when that email has pending invitations (accepted now).
 * Anyone else is refused: SSO does not open sign-up.
 */
export async function userForOidc(db: Db, identity: OidcIdentity): Promise<UserRow> {
  const [linked] = await db.select().from(users).where(eq(users.oidcSubject, identity.subject));
  if (linked) return linked;
  const email = identity.emailVerified ? identity.email : undefined;
  if (!email)
    throw new Forbidden(
      'sso_email_unverified',
      'The identity provider did not confirm an email address for this account',
    );
  const existing = await findUserByEmail(db, email);
  if (existing) {
    const [updated] = await db
      .update(users)
      .set({ oidcSubject: identity.subject })
      .where(eq(users.id, existing.id))
      .returning();
    return updated;
  }
  const invitations = await pendingInvitationsFor(db, email);
  if (invitations.length === 0)
    throw new Forbidden(
      'sso_user_unknown',
      `${email} has no Wayline account and no invitation: ask a workspace owner or admin to invite you`,
    );
  const user = await createUser(db, { email, name: identity.name, oidcSubject: identity.subject });
  for (const invitation of invitations) {
    if (!invitation.workspaceId || !invitation.role) continue;
    await addMember(db, invitation.workspaceId, user.id, invitation.role);
    await recordAudit(db, {
      workspaceId: invitation.workspaceId,
      actor: { type: 'user', id: user.id, label: email },
      action: 'member.join',
      objectType: 'invitation',
      objectId: invitation.id,
      change: { role: invitation.role, via: 'sso' },
    });
  }
  await db
    .update(userTokens)
    .set({ usedAt: new Date() })
    .where(
      inArray(
        userTokens.id,
        invitations.map((i) => i.id),
      ),
    );
  return user;
}

import { and, count, eq, gt, min } from 'drizzle-orm';
import type { Db } from '../../db';
import { memberships, signInFailures } from '../../db/schema';
import { RateLimited } from '../errors';
import { recordAudit } from './audit';
import { roleOf } from './memberships';
import { consumeToken, TokenInvalid } from './one-time-tokens';
import { verifyPassword } from './passwords';
import { createSession, type SessionRow } from './sessions';
import type { IdentitySettings } from './settings';
import { findUserByEmail, getUser, normalizeEmail, Unauthenticated, type UserRow } from './users';

export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

export interface SignedIn {
  user: UserRow;
  token: string;
  session: SessionRow;
}

/** Verifying against this keeps an unknown email as slow to refuse as a wrong password. */
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$5A4PnO2+QydFkDGqSmCOmA$kM/vIOyE62/GZVoGhTQpe5jSL+NJ+NLLTF3WS8jp/Uk';

/**
 * Email and password sign-in. Failures are counted in the database per account and per client
 * address, so several API processes share the limit; past it the caller waits out the window.
 */
export async function signInWithPassword(
  db: Db,
  settings: Pick<IdentitySettings, 'signIn' | 'sessionMaxMs'>,
  input: { email: string; password: string } & ClientInfo,
  now = new Date(),
): Promise<SignedIn> {
  const email = normalizeEmail(input.email);
  await assertNotLimited(db, settings.signIn, email, input.ip, now);
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, input.password);
  if (!user || !valid || user.disabledAt || !user.passwordHash) {
    await db.insert(signInFailures).values({ email, ip: input.ip, at: now });
    await auditSignIn(db, user, email, input, 'failed');
    throw new Unauthenticated('invalid_credentials', 'The email or password is not correct');
  }
  await db.delete(signInFailures).where(eq(signInFailures.email, email));
  return startSession(db, settings, user, input);
}

/** A session for a user already proven (password, SSO, invitation), in their first workspace. */
export async function startSession(
  db: Db,
  settings: Pick<IdentitySettings, 'sessionMaxMs'>,
  user: UserRow,
  client: ClientInfo,
  workspaceId?: string,
  method = 'password',
): Promise<SignedIn> {
  const active = workspaceId ?? (await firstWorkspace(db, user.id));
  const { token, session } = await createSession(db, settings, {
    userId: user.id,
    workspaceId: active ?? null,
    ip: client.ip,
    userAgent: client.userAgent,
  });
  await recordAudit(db, {
    workspaceId: active ?? null,
    actor: { type: 'user', id: user.id, label: user.email },
    action: 'auth.sign-in',
    objectType: 'user',
    objectId: user.id,
    ip: client.ip,
    userAgent: client.userAgent,
    change: { method },
  });
  return { user, token, session };
}

async function firstWorkspace(db: Db, userId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ workspaceId: memberships.workspaceId })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt)
    .limit(1);
  return row?.workspaceId;
}

async function assertNotLimited(
  db: Db,
  limits: IdentitySettings['signIn'],
  email: string,
  ip: string,
  now: Date,
): Promise<void> {
  const since = new Date(now.getTime() - limits.windowMs);
  const tally = (where: ReturnType<typeof eq>) =>
    db
      .select({ n: count(), oldest: min(signInFailures.at) })
      .from(signInFailures)
      .where(and(where, gt(signInFailures.at, since)));
  const [[byEmail], [byIp]] = await Promise.all([
    tally(eq(signInFailures.email, email)),
    tally(eq(signInFailures.ip, ip)),
  ]);
  for (const [tallied, max, what] of [
    [byEmail, limits.maxPerAccount, 'this account'],
    [byIp, limits.maxPerIp, 'this address'],
  ] as const) {
    if (tallied.n >= max && tallied.oldest) {
      const retryMs = new Date(tallied.oldest).getTime() + limits.windowMs - now.getTime();
      throw new RateLimited(
        `Too many failed sign-ins for ${what}; try again later`,
        Math.max(1, Math.ceil(retryMs / 1000)),
      );
    }
  }
}

/** Failed sign-ins of a known account land in each of its workspaces' logs; unknown emails in the global one. */
async function auditSignIn(
  db: Db,
  user: UserRow | undefined,
  email: string,
  client: ClientInfo,
  outcome: 'failed',
): Promise<void> {
  const workspaceIds = user
    ? (
        await db
          .select({ id: memberships.workspaceId })
          .from(memberships)
          .where(eq(memberships.userId, user.id))
      ).map((r) => r.id)
    : [];
  for (const workspaceId of workspaceIds.length ? workspaceIds : [null]) {
    await recordAudit(db, {
      workspaceId,
      actor: user ? { type: 'user', id: user.id, label: email } : { type: 'system', label: email },
      action: 'auth.sign-in',
      objectType: 'user',
      objectId: user?.id,
      outcome,
      ip: client.ip,
      userAgent: client.userAgent,
    });
  }
}

/** Signs in with a one-time link (`wayline admin create-user` prints one), in the workspace it names. */
export async function signInWithLink(
  db: Db,
  settings: Pick<IdentitySettings, 'sessionMaxMs'>,
  token: string,
  client: ClientInfo,
): Promise<SignedIn> {
  const row = await consumeToken(db, 'sign-in', token);
  const user = row.userId ? await getUser(db, row.userId) : undefined;
  if (!user || user.disabledAt) throw new TokenInvalid();
  const workspaceId =
    row.workspaceId && (await roleOf(db, row.workspaceId, user.id)) ? row.workspaceId : undefined;
  return startSession(db, settings, user, client, workspaceId, 'link');
}

import { createHash, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { sessions, users } from '../../db/schema';
import type { IdentitySettings } from './settings';
import type { UserRow } from './users';

export type SessionRow = typeof sessions.$inferSelect;

/** Touching the session on every request would write on every read; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A signed-in browser: the cookie gets `token`; the database keeps only its hash. */
export async function createSession(
  db: Db,
  settings: Pick<IdentitySettings, 'sessionMaxMs'>,
  input: { userId: string; workspaceId: string | null; ip?: string; userAgent?: string; now?: Date },
): Promise<{ token: string; session: SessionRow }> {
  const token = newToken();
  const now = input.now ?? new Date();
  const [session] = await db
    .insert(sessions)
    .values({
      id: hashToken(token),
      userId: input.userId,
      workspaceId: input.workspaceId,
      csrfToken: newToken(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + settings.sessionMaxMs),
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 500) ?? null,
    })
    .returning();
  return { token, session };
}

/**
 * The live session of a cookie token and its user. A session past its absolute expiry, idle
 * longer than the idle limit, or of a disabled user is deleted and yields nothing.
 */
export async function resolveSession(
  db: Db,
  settings: Pick<IdentitySettings, 'sessionIdleMs'>,
  token: string,
  now = new Date(),
): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, hashToken(token)));
  if (!row) return undefined;
  const { session } = row;
  const idleUntil = session.lastSeenAt.getTime() + settings.sessionIdleMs;
  if (session.expiresAt <= now || idleUntil <= now.getTime() || row.user.disabledAt) {
    await db.delete(sessions).where(eq(sessions.id, session.id));
    return undefined;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, session.id));
    session.lastSeenAt = now;
  }
  return row;
}

export async function setSessionWorkspace(db: Db, sessionId: string, workspaceId: string): Promise<void> {
  await db.update(sessions).set({ workspaceId }).where(eq(sessions.id, sessionId));
}

export async function revokeSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Sign-out everywhere: every browser of the user, this one included. */
export async function revokeUserSessions(db: Db, userId: string): Promise<number> {
  const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return rows.length;
}

/** A removed member's browsers no longer act in that workspace. */
export async function leaveSessionWorkspace(db: Db, userId: string, workspaceId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ workspaceId: null })
    .where(and(eq(sessions.userId, userId), eq(sessions.workspaceId, workspaceId)));
}

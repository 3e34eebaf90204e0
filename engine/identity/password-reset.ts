import { eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { memberships } from '../../db/schema';
import type { AccountMailer } from './account-mail';
import { recordAudit } from './audit';
import { consumeToken, findValidToken, issueToken } from './one-time-tokens';
import { checkPasswordStrength } from './passwords';
import { revokeUserSessions } from './sessions';
import type { IdentitySettings } from './settings';
import { findUserByEmail, getUser, setPassword } from './users';

export interface MailDeps {
  db: Db;
  /** Sends through the workspace's email channel (the dev outbox when it has none). */
  sendEmail: AccountMailer;
  settings: Pick<IdentitySettings, 'publicUrl' | 'passwordResetTtlMs' | 'invitationTtlMs'>;
}

/**
 * Emails a one-time reset link when the address belongs to an account. The caller answers the
 * same either way, so the endpoint tells nobody which emails have accounts.
 */
export async function requestPasswordReset(deps: MailDeps, email: string): Promise<void> {
  const user = await findUserByEmail(deps.db, email);
  if (!user || user.disabledAt) return;
  // Account emails go through a workspace's email channel: the user's oldest membership.
  const [membership] = await deps.db
    .select({ workspaceId: memberships.workspaceId })
    .from(memberships)
    .where(eq(memberships.userId, user.id))
    .orderBy(memberships.createdAt)
    .limit(1);
  if (!membership) return;
  const { token, row } = await issueToken(deps.db, {
    purpose: 'password-reset',
    email: user.email,
    userId: user.id,
    ttlMs: deps.settings.passwordResetTtlMs,
  });
  const link = `${deps.settings.publicUrl}/reset-password?token=${token}`;
  const minutes = Math.round(deps.settings.passwordResetTtlMs / 60_000);
  await deps.sendEmail({
    workspaceId: membership.workspaceId,
    to: user.email,
    subject: 'Reset your Wayline password',
    text: [
      'Someone (hopefully you) asked to reset the password of your Wayline account.',
      `Choose a new password within ${minutes} minutes: ${link}`,
      'If it was not you, ignore this email: your password stays as it is.',
    ].join('\n\n'),
    idempotencyKey: `account:password-reset:${row.id}`,
  });
}

/** Sets the new password from a reset link (once) and signs the user out everywhere. */
export async function confirmPasswordReset(
  db: Db,
  input: { token: string; password: string; ip?: string; userAgent?: string },
): Promise<void> {
  const row = await findValidToken(db, 'password-reset', input.token);
  const user = await getUser(db, row.userId!);
  // Checked before the token is used: a refused password leaves the link usable.
  checkPasswordStrength(input.password, user.email);
  await consumeToken(db, 'password-reset', input.token);
  await setPassword(db, user.id, input.password);
  await revokeUserSessions(db, user.id);
  const workspaceIds = (
    await db.select({ id: memberships.workspaceId }).from(memberships).where(eq(memberships.userId, user.id))
  ).map((r) => r.id);
  for (const workspaceId of workspaceIds) {
    await recordAudit(db, {
      workspaceId,
      actor: { type: 'user', id: user.id, label: user.email },
      action: 'auth.password-reset',
      objectType: 'user',
      objectId: user.id,
      ip: input.ip,
      userAgent: input.userAgent,
    });
  }
}

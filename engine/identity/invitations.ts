import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db';
import { type Role, userTokens, workspaces } from '../../db/schema';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors';
import { recordAudit } from './audit';
import { addMember, type MemberActor, roleOf } from './memberships';
import { consumeToken, findValidToken, issueToken } from './one-time-tokens';
import type { MailDeps } from './password-reset';
import { checkPasswordStrength } from './passwords';
import { createUser, findUserByEmail, normalizeEmail, setPassword, type UserRow } from './users';

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

function view(row: typeof userTokens.$inferSelect): Invitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role!,
    invitedBy: row.createdBy,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

/** Emails a link that joins the workspace with the role; it expires (7 days by default) and works once. */
export async function inviteMember(
  deps: MailDeps,
  by: MemberActor,
  input: { workspaceId: string; email: string; role: Role },
): Promise<Invitation> {
  const email = normalizeEmail(input.email);
  if (input.role === 'owner' && by.role !== 'owner')
    throw new Forbidden('owner_required', 'Only an owner can invite an owner', {
      permission: 'members:manage',
    });
  const existing = await findUserByEmail(deps.db, email);
  if (existing && (await roleOf(deps.db, input.workspaceId, existing.id)))
    throw new Conflict('already_member', `${email} is already a member of this workspace`, 'email');
  const { token, row } = await issueToken(deps.db, {
    purpose: 'invitation',
    email,
    workspaceId: input.workspaceId,
    role: input.role,
    createdBy: by.actor.type === 'user' ? by.actor.id : undefined,
    ttlMs: deps.settings.invitationTtlMs,
  });
  const [workspace] = await deps.db
    .select({ name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, input.workspaceId));
  const days = Math.round(deps.settings.invitationTtlMs / 86_400_000);
  await deps.sendEmail({
    workspaceId: input.workspaceId,
    to: email,
    subject: `You are invited to ${workspace?.name ?? 'a workspace'} on Wayline`,
    text: [
      `${by.actor.label ?? 'A member'} invited you to join "${workspace?.name}" on Wayline as ${input.role}.`,
      `Accept within ${days} days: ${deps.settings.publicUrl}/accept-invitation?token=${token}`,
    ].join('\n\n'),
    idempotencyKey: `account:invitation:${row.id}`,
  });
  await recordAudit(deps.db, {
    workspaceId: input.workspaceId,
    actor: by.actor,
    action: 'member.invite',
    objectType: 'invitation',
    objectId: row.id,
    ip: by.ip,
    userAgent: by.userAgent,
    change: { email, role: input.role },
  });
  return view(row);
}

/** Invitations not yet accepted and not expired. */
export async function listInvitations(db: Db, workspaceId: string, now = new Date()): Promise<Invitation[]> {
  const rows = await db
    .select()
    .from(userTokens)
    .where(
      and(
        eq(userTokens.workspaceId, workspaceId),
        eq(userTokens.purpose, 'invitation'),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    )
    .orderBy(desc(userTokens.createdAt));
  return rows.map(view);
}

export async function revokeInvitation(
  db: Db,
  by: MemberActor,
  workspaceId: string,
  id: string,
): Promise<void> {
  const rows = await db
    .delete(userTokens)
    .where(
      and(
        eq(userTokens.id, id),
        eq(userTokens.workspaceId, workspaceId),
        eq(userTokens.purpose, 'invitation'),
      ),
    )
    .returning();
  if (rows.length === 0) throw new NotFound('Invitation', id);
  await recordAudit(db, {
    workspaceId,
    actor: by.actor,
    action: 'member.invitation-revoke',
    objectType: 'invitation',
    objectId: id,
    ip: by.ip,
    userAgent: by.userAgent,
  });
}

/**
 * Accepts an invitation link: a signed-in user joins if the invitation is for their email; else
 * the link (proof of the mailbox) joins an existing account or creates one with the password.
 */
export async function acceptInvitation(
  db: Db,
  input: {
    token: string;
    signedInUser?: UserRow;
    name?: string;
    password?: string;
    ip?: string;
    userAgent?: string;
  },
): Promise<{ user: UserRow; workspaceId: string; role: Role }> {
  const invitation = await findValidToken(db, 'invitation', input.token);
  if (input.signedInUser && input.signedInUser.email !== invitation.email)
    throw new Forbidden(
      'invitation_for_other_email',
      `This invitation is for ${invitation.email}; sign out and accept it as that person`,
    );
  let user = input.signedInUser ?? (await findUserByEmail(db, invitation.email));
  if (!user && input.password === undefined)
    throw new InvalidInput('password_required', 'Choose a password to create your account', 'password');
  if (input.password !== undefined) checkPasswordStrength(input.password, invitation.email);
  // Checked first, used last: a refused password leaves the link usable.
  await consumeToken(db, 'invitation', input.token);
  if (!user)
    user = await createUser(db, { email: invitation.email, name: input.name, password: input.password });
  else if (!user.passwordHash && !user.oidcSubject && input.password !== undefined)
    await setPassword(db, user.id, input.password);
  const workspaceId = invitation.workspaceId!;
  const role = invitation.role!;
  await addMember(db, workspaceId, user.id, role);
  await recordAudit(db, {
    workspaceId,
    actor: { type: 'user', id: user.id, label: user.email },
    action: 'member.join',
    objectType: 'invitation',
    objectId: invitation.id,
    ip: input.ip,
    userAgent: input.userAgent,
    change: { role },
  });
  return { user, workspaceId, role: (await roleOf(db, workspaceId, user.id)) ?? role };
}

/** Pending invitations for an email, for single sign-on of someone invited but not yet registered. */
export async function pendingInvitationsFor(db: Db, email: string, now = new Date()) {
  return db
    .select()
    .from(userTokens)
    .where(
      and(
        eq(userTokens.email, normalizeEmail(email)),
        eq(userTokens.purpose, 'invitation'),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    );
}

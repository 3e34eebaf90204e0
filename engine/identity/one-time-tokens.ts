import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db';
import { type Role, userTokens } from '../../db/schema';
import { DomainError } from '../errors';
import { hashToken, newToken } from './sessions';

export type TokenPurpose = (typeof userTokens.$inferSelect)['purpose'];
export type TokenRow = typeof userTokens.$inferSelect;

export class TokenInvalid extends DomainError {
  constructor(message = 'This link is invalid, expired or already used') {
    super('token_invalid', message, 'invalid', 'token');
  }
}

/** A token sent by email; the database keeps its hash, the caller mails the clear value. */
export async function issueToken(
  db: Db,
  input: {
    purpose: TokenPurpose;
    email: string;
    ttlMs: number;
    userId?: string;
    workspaceId?: string;
    role?: Role;
    createdBy?: string;
    now?: Date;
  },
): Promise<{ token: string; row: TokenRow }> {
  const token = newToken();
  const now = input.now ?? new Date();
  const [row] = await db
    .insert(userTokens)
    .values({
      tokenHash: hashToken(token),
      purpose: input.purpose,
      email: input.email,
      userId: input.userId ?? null,
      workspaceId: input.workspaceId ?? null,
      role: input.role ?? null,
      createdBy: input.createdBy ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + input.ttlMs),
    })
    .returning();
  return { token, row };
}

/** Marks a valid token used and returns it; a second use, an expired or unknown token is refused. */
export async function consumeToken(
  db: Db,
  purpose: TokenPurpose,
  token: string,
  now = new Date(),
): Promise<TokenRow> {
  const [row] = await db
    .update(userTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(userTokens.tokenHash, hashToken(token)),
        eq(userTokens.purpose, purpose),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    )
    .returning();
  if (!row) throw new TokenInvalid();
  return row;
}

/** A token that is valid now, without using it: checks before the work that consumes it. */
export async function findValidToken(
  db: Db,
  purpose: TokenPurpose,
  token: string,
  now = new Date(),
): Promise<TokenRow> {
  const [row] = await db
    .select()
    .from(userTokens)
    .where(
      and(
        eq(userTokens.tokenHash, hashToken(token)),
        eq(userTokens.purpose, purpose),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    );
  if (!row) throw new TokenInvalid();
  return row;
}

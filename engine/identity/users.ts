import { eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { users } from '../../db/schema';
import { Conflict, DomainError, NotFound } from '../errors';
import { checkPasswordStrength, hashPassword } from './passwords';

export type UserRow = typeof users.$inferSelect;

/** What the API shows of a user: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function userView(row: UserRow): UserView {
  return { id: row.id, email: row.email, name: row.name };
}

export class Unauthenticated extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, 'unauthenticated');
  }
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  return row;
}

export async function getUser(db: Db, id: string): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw new NotFound('User', id);
  return row;
}

/** A new account; the password (if any) must pass the strength rules. */
export async function createUser(
  db: Db,
  input: { email: string; name?: string; password?: string; oidcSubject?: string },
): Promise<UserRow> {
  const email = normalizeEmail(input.email);
  if (await findUserByEmail(db, email))
    throw new Conflict('user_exists', `A user with the email ${email} already exists`, 'email');
  if (input.password !== undefined) checkPasswordStrength(input.password, email);
  const [row] = await db
    .insert(users)
    .values({
      email,
      name: input.name ?? '',
      passwordHash: input.password !== undefined ? await hashPassword(input.password) : null,
      oidcSubject: input.oidcSubject ?? null,
    })
    .returning();
  return row;
}

export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  const user = await getUser(db, userId);
  checkPasswordStrength(password, user.email);
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(password) })
    .where(eq(users.id, userId));
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import { InvalidInput } from '../errors';

export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 256;

/**
 * Passwords seen most often in public breach corpora (the top of SecLists' common-credentials
 * lists, written out by hand). Compared lower-cased and with trailing digits and punctuation
 * trimmed, so `Password123!` is refused like `password`.
 */
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(path.join(import.meta.dirname, 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
  return common;
}

export class PasswordRejected extends InvalidInput {
  constructor(message: string) {
    super('password_rejected', message, 'password');
  }
}

/** Refuses a password that is short, common, or built from the account's email. */
export function checkPasswordStrength(password: string, email?: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new PasswordRejected(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new PasswordRejected(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  const lower = password.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, '');
  const list = commonPasswords();
  if (list.has(lower) || (stem.length >= 4 && list.has(stem)) || /^(.)\1+$/u.test(password))
    throw new PasswordRejected('This password is among the most common ones; choose another');
  const local = email?.toLowerCase().split('@')[0];
  if (local && local.length >= 3 && lower.includes(local))
    throw new PasswordRejected('The password must not contain your email address');
}

/** argon2id (the library's default algorithm) with its default cost (19 MiB, 2 passes), as OWASP recommends. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

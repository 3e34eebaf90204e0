import { describe, expect, it } from 'vitest';
import {
  checkPasswordStrength,
  hashPassword,
  PasswordRejected,
  verifyPassword,
} from '../../../engine/identity/passwords';

describe('password rules', () => {
  it('refuses passwords shorter than 10 characters', () => {
    expect(() => checkPasswordStrength('Sh0rt!pw')).toThrow(PasswordRejected);
    expect(() => checkPasswordStrength('Sh0rt!pw')).toThrow(/at least 10/);
  });

  it('refuses common passwords, also with capitals and trailing digits or punctuation', () => {
    for (const password of ['qwertyuiop', '1234567890', 'Password123!', 'Iloveyou2024', 'aaaaaaaaaaaa'])
      expect(() => checkPasswordStrength(password), password).toThrow(/most common/);
  });

  it('refuses a password that contains the email', () => {
    expect(() => checkPasswordStrength('ada.lovelace-rocks', 'Ada.Lovelace@example.com')).toThrow(/email/);
  });

  it('accepts a long uncommon passphrase', () => {
    expect(() => checkPasswordStrength('correct horse battery staple', 'ada@example.com')).not.toThrow();
  });

  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery stapler')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});

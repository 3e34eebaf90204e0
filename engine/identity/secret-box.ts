import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { DomainError } from '../errors';

export class SecretUnreadable extends DomainError {
  constructor() {
    super(
      'secret_unreadable',
      'Stored provider secrets cannot be decrypted: WAYLINE_SECRET_KEY differs from the key they were saved with',
      'internal',
    );
  }
}

/**
 * AES-256-GCM for provider secrets at rest, and HMAC keys for tracking tokens, all from the one
 * 32-byte key. Ciphertext format: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export class SecretBox {
  private readonly key: Buffer;
  /** Derived keys by purpose: a broadcast signs a few tracking tokens per message. */
  private readonly derived = new Map<string, Buffer>();

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
    this.key = key;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey(), iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new SecretUnreadable();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey(), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretUnreadable();
    }
  }

  /** A key for one purpose (`tracking`, ...), so no two uses share key material. */
  derive(purpose: string): Buffer {
    let key = this.derived.get(purpose);
    if (!key) {
      key = createHmac('sha256', this.key).update(`wayline:${purpose}`).digest();
      this.derived.set(purpose, key);
    }
    return key;
  }

  private encryptionKey(): Buffer {
    return this.derive('provider-secrets');
  }
}

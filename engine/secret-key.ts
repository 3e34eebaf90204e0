import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, ConfigInvalid } from './config';

/**
 * The key that encrypts provider secrets and signs tracking links. WAYLINE_SECRET_KEY wins.
 * Without it, the embedded mode (PGlite in the data folder) generates one into
 * `<data>/secret.key` on first start and reuses it, so a second `npm start` can still read its
 * secrets; with a Postgres server, a missing key is a configuration error, because every API
 * and worker process must share it.
 */
export function resolveSecretKey(config: Config): Buffer {
  if (config.WAYLINE_SECRET_KEY) return Buffer.from(config.WAYLINE_SECRET_KEY, 'hex');
  if (config.DATABASE_URL) {
    throw new ConfigInvalid(
      'Invalid configuration:\n  WAYLINE_SECRET_KEY: required with DATABASE_URL (64 hex characters, the same for every api and worker process; e.g. `openssl rand -hex 32`)',
    );
  }
  const file = path.join(config.dataDir, 'secret.key');
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(hex))
      throw new ConfigInvalid(`Invalid configuration:\n  ${file}: must hold 64 hex characters`);
    return Buffer.from(hex, 'hex');
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return key;
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/config';
import { resolveSecretKey } from '../../engine/secret-key';

describe('the secret key', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wayline-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once into the data folder in embedded mode and reused', () => {
    const config = loadConfig({ WAYLINE_DATA_DIR: dir });
    const first = resolveSecretKey(config);
    expect(readFileSync(path.join(dir, 'secret.key'), 'utf8').trim()).toBe(first.toString('hex'));
    expect(resolveSecretKey(config).equals(first)).toBe(true);
  });

  it('comes from WAYLINE_SECRET_KEY when set', () => {
    const hex = 'ab'.repeat(32);
    expect(
      resolveSecretKey(loadConfig({ WAYLINE_DATA_DIR: dir, WAYLINE_SECRET_KEY: hex })).toString('hex'),
    ).toBe(hex);
  });

  it('is required with a Postgres server, with a message naming the variable', () => {
    const config = loadConfig({ WAYLINE_DATA_DIR: dir, DATABASE_URL: 'postgres://db.example/wayline' });
    expect(() => resolveSecretKey(config)).toThrow(/WAYLINE_SECRET_KEY: required with DATABASE_URL/);
  });
});

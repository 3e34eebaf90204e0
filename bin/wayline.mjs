#!/usr/bin/env node
// Bootstrap with Node built-ins only: installs dependencies when missing, then hands over to the
// TypeScript entry point (start | api | worker | migrate | admin | journeys) or to vitest (test).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'start', ...rest] = process.argv.slice(2);
const commands = ['start', 'api', 'worker', 'migrate', 'admin', 'journeys', 'test'];

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Wayline needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}
if (!commands.includes(command)) {
  console.error(`Usage: wayline <${commands.join('|')}>`);
  process.exit(2);
}

ensureDependencies();

const child =
  command === 'test'
    ? spawn(process.execPath, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...rest], {
        cwd: root,
        stdio: 'inherit',
      })
    : spawn(
        process.execPath,
        [...nodeFlags(command), '--import', 'tsx', path.join(root, 'engine', 'cli.ts'), command, ...rest],
        {
          cwd: root,
          stdio: 'inherit',
        },
      );

// Ctrl-C reaches the whole process group; the child shuts down cleanly and we exit with it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (signal !== 'SIGINT') child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/**
 * The embedded `start` runs everything in one process on a developer's machine, where memory is
 * the budget (≤ 400 MB at rest): a young generation of at most 4 MB keeps the heap small at rest
 * (as `--optimize-for-size` did, whose memory-first garbage collection and compilation cost a
 * journey run about a third more CPU; 1 MB kept the same memory at rest and cost journeys about
 * 5 % of their throughput in scavenges). A separate `api` lets its young generation grow to
 * 32 MB (V8's default limit is 16 MB): a 500-event batch's body, parsed events and statement
 * parameters then mostly die before a scavenge has to copy them, about a tenth of its CPU per
 * batch (see docs/BENCHMARKS.md). `worker` keeps V8's defaults.
 */
function nodeFlags(command) {
  if (command === 'start') return ['--max-semi-space-size=4'];
  if (command === 'api') return ['--max-semi-space-size=32'];
  return [];
}

function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const fresh =
    existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs);
  if (fresh) return;
  // `npm install` follows package-lock.json; `npm ci` would refuse a lock that omits the
  // platform packages a registry does not serve (some of biome's optional binaries).
  const args = ['install', '--no-audit', '--no-fund'];
  console.log('Installing dependencies (npm install, locked versions)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('npm could not install the dependencies; see the output above.');
    process.exit(result.status ?? 1);
  }
}

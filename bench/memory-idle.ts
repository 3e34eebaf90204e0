/**
 * Memory of `npm start` at rest: starts the embedded stack as `npm start` does
 * (`bin/wayline.mjs start`, which runs the Wayline process: API, worker, UI, PGlite, a Temporal
 * dev server child) on free ports with a fresh data folder, waits until it says it is running,
 * lets it settle, and samples the resident set size of the Wayline process (PGlite included;
 * neither the small launcher that started it nor the Temporal dev server child). The first
 * start's one-off jobs (bundling the workflows, creating the database folder) run in processes
 * of their own that have exited by then. The baseline is an empty Node process with the same
 * TypeScript loader, measured in the same run. Budget: ≤ 400 MB.
 *
 *   npx tsx bench/memory-idle.ts        (BENCH_RUNS=5; settles 15 s, samples 10 s; BENCH_QUICK=1: 5 s and 5 s)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../tests/helpers/ports';
import { benchRuns, isQuick, reportResult, summary } from './helpers/report';

const BUDGET_MB = 400;
const root = path.resolve(import.meta.dirname, '..');
const runs = benchRuns(5);
const settleMs = isQuick() ? 5_000 : 15_000;
const sampleMs = isQuick() ? 5_000 : 10_000;

/** Resident set size of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** The Wayline process: the launcher's Node child running engine/cli.ts. */
function waylineProcess(launcherPid: number): number {
  const children = readFileSync(`/proc/${launcherPid}/task/${launcherPid}/children`, 'utf8')
    .trim()
    .split(/\s+/);
  const pid = children
    .map(Number)
    .find((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('cli.ts'));
  if (!pid) throw new Error(`no Wayline process under launcher ${launcherPid}`);
  return pid;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `args` under Node, resolves once `ready` appears on its stdout. */
async function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: string,
): Promise<ChildProcess> {
  // `npm start` with its embedded PGlite, whatever database the rest of `npm run bench` uses.
  const { DATABASE_URL: _server, ...inherited } = process.env;
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`not ready after 600 s:\n${output.slice(-2000)}`));
    }, 600_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before ready:\n${output.slice(-2000)}`)),
    );
  });
  child.removeAllListeners('exit');
  return child;
}

/** Median RSS over `sampleMs` after `settleMs`, and the peak seen. */
async function restingRss(pid: number): Promise<{ median: number; peak: number }> {
  await sleep(settleMs);
  const samples: number[] = [];
  for (let t = 0; t < sampleMs; t += 500) {
    samples.push(rssMb(pid));
    await sleep(500);
  }
  return { median: summary(samples).median, peak: Math.max(...samples) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

const wayline: number[] = [];
const bare: number[] = [];
const peaks: number[] = [];
for (let run = 0; run < runs; run++) {
  const empty = await startProcess(
    ['--import', 'tsx', '-e', 'console.log("ready"); setInterval(() => {}, 1000)'],
    {},
    'ready',
  );
  bare.push((await restingRss(empty.pid!)).median);
  await stop(empty);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-memory-'));
  const launcher = await startProcess(
    [path.join(root, 'bin', 'wayline.mjs'), 'start'],
    {
      WAYLINE_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      WAYLINE_DEMO_AUTOLOGIN: 'false',
      LOG_LEVEL: 'warn',
    },
    'Wayline is running.',
  );
  try {
    const rss = await restingRss(waylineProcess(launcher.pid!));
    wayline.push(rss.median);
    peaks.push(rss.peak);
    console.log(
      `run ${run + 1}/${runs}: wayline start idle ${rss.median.toFixed(0)} MB (peak ${rss.peak.toFixed(0)} MB), empty node ${bare[run].toFixed(0)} MB`,
    );
  } finally {
    await stop(launcher);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = summary(wayline).median;
reportResult({
  name: 'npm start idle RSS',
  baseline: 'an empty Node process with tsx, same run',
  unit: 'MB',
  values: wayline,
  baselineValues: bare,
  note: `idle median ${median.toFixed(0)} MB, budget ${BUDGET_MB} MB: ${median <= BUDGET_MB ? 'met' : 'not met'}`,
  extra: { budgetMb: BUDGET_MB, peakMb: Math.round(Math.max(...peaks)) },
});

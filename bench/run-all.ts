/**
 * `npm run bench [-- --quick] [name…]`: runs every benchmark in bench/ (or those whose file name
 * contains one of the names), each in its own process, then prints one table: each measure as a
 * ratio against its baseline measured in the same run, min / median / max over the runs
 * (5 by default, 2 with `--quick`, `BENCH_RUNS=n` to choose).
 *
 * Registering a benchmark: put `bench/<name>.ts` here and end it with `reportResult()` from
 * `bench/helpers/report.ts` (read `benchRuns()` and `isQuick()` there for its sizes). Arguments
 * or environment it needs under `npm run bench` go into `settings` below; a file that reports
 * no result line still runs, and its own output says what it measured.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchResult, RESULT_PREFIX, ratios, summary, targetText } from './helpers/report';

interface Settings {
  /** Command-line arguments, full and quick. */
  args?: { full: string[]; quick: string[] };
  env?: Record<string, string>;
  /** Node flags, e.g. the V8 flags `npm start` runs its process with. */
  node?: string[];
}

/** Per-file arguments under `npm run bench`; files not listed run with their own defaults. */
const settings: Record<string, Settings> = {
  // Its process serves the API: V8 sized as `wayline api` sizes it.
  'ingest-throughput.ts': {
    args: { full: ['8', '4', '5'], quick: ['3', '4', '2'] },
    node: ['--max-semi-space-size=32'],
  },
  'ingest-latency.ts': { args: { full: ['50'], quick: ['10'] } },
  'ingest-store.ts': { args: { full: ['60', '5'], quick: ['15', '2'] } },
  'analytics-refresh.ts': { args: { full: ['20000', '200000'], quick: ['2000', '20000'] } },
  'broadcast.ts': { args: { full: ['20000'], quick: ['500'] } },
  'segment-eval.ts': { args: { full: ['1000000', '10000000'], quick: ['20000', '200000'] } },
  'dispatch-lag.ts': { args: { full: ['5', '4', '200'], quick: ['2', '4', '50'] } },
  'segment-contact-refresh.ts': { args: { full: ['100000', '1000000'], quick: ['5000', '50000'] } },
  // Its peak RSS is the memory budget of a worker under load: V8 sized as `npm start` sizes it.
  'journey-throughput.ts': { node: ['--max-semi-space-size=4'] },
};

const here = import.meta.dirname;
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const wanted = argv.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((name) => name.endsWith('.ts') && name !== 'run-all.ts')
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.includes(w)))
  .sort();

console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ` +
    `Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ` +
    `database ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'PGlite in memory'}${quick ? '; quick' : ''}`,
);

interface Outcome {
  file: string;
  status: number | null;
  seconds: number;
  results: BenchResult[];
}

/** Runs one benchmark file, echoing its output, and collects its result lines. */
function run(file: string): Promise<Outcome> {
  const own = settings[file] ?? {};
  const args = own.args ? (quick ? own.args.quick : own.args.full) : [];
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...(own.node ?? []), '--import', 'tsx', path.join(here, file), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...own.env, ...(quick ? { BENCH_QUICK: '1' } : {}) },
    },
  );
  const results: BenchResult[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(RESULT_PREFIX)) results.push(JSON.parse(line.slice(RESULT_PREFIX.length)));
      else process.stdout.write(`${line}\n`);
    }
  });
  return new Promise((resolve) => {
    child.on('close', (status) =>
      resolve({ file, status, seconds: (performance.now() - started) / 1000, results }),
    );
  });
}

const outcomes: Outcome[] = [];
for (const file of files) {
  console.log(`\n=== bench/${file} ===`);
  outcomes.push(await run(file));
}

console.log('\n=== ratios against baselines measured in the same run ===');
const rows: string[][] = [
  ['benchmark', 'measure', 'runs', 'ratio min / median / max', 'target', 'baseline', 'note'],
];
for (const outcome of outcomes) {
  if (outcome.status !== 0) {
    rows.push([outcome.file, `failed (exit ${outcome.status})`, '', '', '', '', '']);
    continue;
  }
  if (outcome.results.length === 0) {
    rows.push([outcome.file, 'no ratio reported (see its output)', '', '', '', '', '']);
    continue;
  }
  for (const result of outcome.results) {
    const r = summary(ratios(result));
    rows.push([
      outcome.file,
      result.name,
      String(result.values.length),
      `${r.min.toFixed(2)} / ${r.median.toFixed(2)} / ${r.max.toFixed(2)}`,
      targetText(result, r.median),
      result.baseline,
      result.note ?? '',
    ]);
  }
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
const failed = outcomes.filter((o) => o.status !== 0).length;
console.log(`\n${outcomes.length - failed} benchmarks finished, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

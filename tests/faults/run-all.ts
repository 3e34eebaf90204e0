/**
 * `npm run faults`: runs the fault scenarios one after the other, each in its own process, and
 * prints one summary table; exits 1 when any scenario breached a bound (or crashed).
 *
 *   npm run faults                          every scenario, full numbers
 *   npm run faults -- --quick               every scenario with smaller numbers (CI: under 10 minutes)
 *   npm run faults -- postgres-down         only the named ones (file names in this folder)
 *   npx tsx tests/faults/postgres-down.ts   one scenario alone, its full JSON report
 *
 * Scenarios that do not stop PostgreSQL share one server: TEST_DATABASE_URL (or DATABASE_URL)
 * when set, else one this runner starts in a temporary folder (`initdb`, PostgreSQL 15). The
 * workflow bundle every `wayline worker` loads is built once (WAYLINE_WORKFLOW_BUNDLE, as in
 * the container image). Each scenario prints its report as JSON on stdout and its progress on
 * stderr. With --quick the whole suite is bounded too (FAULT_SUITE_MAX_SECONDS, 600).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, seconds, startPostgres, workflowBundleFor } from './parts';

const scenarios = [
  'worker-crash',
  'temporal-restart',
  'postgres-down',
  'temporal-unreachable',
  'journey-migration',
];
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a) => a !== '--quick');
const chosen = named.length ? named : scenarios;
const unknown = chosen.filter((name) => !scenarios.includes(name));
if (unknown.length) {
  console.error(`Unknown scenario ${unknown.join(', ')}; there are: ${scenarios.join(', ')}`);
  process.exit(2);
}
const suiteMaxSeconds = Number(process.env.FAULT_SUITE_MAX_SECONDS ?? (quick ? 600 : 0));

const suiteStarted = performance.now();
let databaseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const ownServer = databaseUrl ? undefined : await startPostgres();
databaseUrl ??= ownServer?.url as string;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wayline-faults-suite-'));
const bundleStarted = performance.now();
const workflowBundle = await workflowBundleFor(scratch);
console.error(`Workflow bundle ready in ${seconds(performance.now() - bundleStarted)} s`);

type Report = Record<string, unknown> & { failures?: string[] };
interface Row {
  scenario: string;
  passed: boolean;
  seconds: number;
  lost: unknown;
  duplicated: unknown;
  unknown: unknown;
  recoverySeconds: unknown;
  notes: string;
}

/** One table row per fault: what was lost, duplicated or of unknown outcome, and how long recovery took. */
function rowsOf(scenario: string, report: Report): Omit<Row, 'scenario' | 'passed' | 'seconds'>[] {
  const r = report as Record<string, any>;
  switch (scenario) {
    case 'worker-crash': {
      return [
        {
          lost: r.runsLost,
          duplicated: r.duplicateDeliveries,
          unknown: r.unknownOutcomes,
          recoverySeconds: r.recoverySeconds,
          notes: `${r.kills} SIGKILLs, ${r.runs} runs, ${r.deliveries} emails at the sink, killed sends retried after ≤ ${r.retrySeconds?.max ?? '-'} s, runs stood still ≤ ${r.stallSeconds?.max ?? '-'} s (≤ ${r.stallSeconds?.maxPerKill ?? '-'} s per kill), last kill → done ${r.lastKillToDoneSeconds} s`,
        },
      ];
    }
    case 'temporal-restart':
      return [
        {
          lost: r.runsLost,
          duplicated: r.duplicateDeliveries,
          unknown: '-',
          recoverySeconds: r.recoverySeconds,
          notes: `${r.runs} runs, parked ${JSON.stringify(r.parkedAtRestart)}, ${r.deliveries} emails (${r.missingDeliveries} missing)`,
        },
      ];
    case 'postgres-down':
      return [
        {
          lost: r.lost,
          duplicated: r.duplicated,
          unknown: r.halfWritten,
          recoverySeconds: r.recoverySeconds,
          notes: `${r.accepted} accepted, ${r.refusedWith503} refused with 503, answers ${JSON.stringify(r.statuses)}`,
        },
      ];
    case 'temporal-unreachable':
      return [
        {
          lost: r.lostRuns,
          duplicated: r.duplicateRuns,
          unknown: '-',
          recoverySeconds: r.outboxLagSeconds,
          notes: `${r.accepted} accepted (${r.acceptedWhileDown} while down), ${r.runsStarted} runs started`,
        },
      ];
    case 'journey-migration':
      return [
        {
          lost: r.notOnNewPath,
          duplicated: (r.movedTwice ?? 0) + (r.taggedTwice ?? 0),
          unknown: '-',
          recoverySeconds: r.recoverySeconds,
          notes: `${r.runs} waiting runs migrated, worker SIGKILLed at ${r.movedAtKill} moved; all on v2 after ${r.allDoneSeconds} s`,
        },
      ];
    default:
      return [];
  }
}

/** The last JSON object a scenario printed on stdout. */
function lastJson(stdout: string): Report | undefined {
  const start = stdout.lastIndexOf('\n{');
  const text = start >= 0 ? stdout.slice(start + 1) : stdout.startsWith('{') ? stdout : '';
  try {
    return JSON.parse(text.slice(0, text.lastIndexOf('}') + 1)) as Report;
  } catch {
    return undefined;
  }
}

const rows: Row[] = [];
const failures: string[] = [];
const loadBefore = os.loadavg()[0].toFixed(1);
try {
  for (const scenario of chosen) {
    const started = performance.now();
    console.error(`\n=== ${scenario}`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'tests', 'faults', `${scenario}.ts`)],
      {
        cwd: root,
        env: {
          ...process.env,
          TEST_DATABASE_URL: databaseUrl,
          WAYLINE_WORKFLOW_BUNDLE: workflowBundle,
          ...(quick ? { FAULT_QUICK: '1' } : {}),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
    const report = lastJson(stdout);
    console.error(stdout.trim());
    const passed = code === 0 && report !== undefined && (report.failures ?? []).length === 0;
    if (!passed)
      failures.push(
        `${scenario}: ${report?.failures?.length ? report.failures.join('; ') : `exited with ${code} without a report`}`,
      );
    const elapsed = seconds(performance.now() - started);
    const parts = report ? rowsOf(scenario, report) : [];
    for (const part of parts.length
      ? parts
      : [{ lost: '-', duplicated: '-', unknown: '-', recoverySeconds: '-', notes: 'no report' }])
      rows.push({ scenario, passed, seconds: elapsed, ...part });
  }
} finally {
  ownServer?.destroy();
  rmSync(scratch, { recursive: true, force: true });
}
const suiteSeconds = seconds(performance.now() - suiteStarted);
if (suiteMaxSeconds > 0 && suiteSeconds > suiteMaxSeconds)
  failures.push(`the suite took ${suiteSeconds} s (bound ${suiteMaxSeconds} s)`);

const header = ['scenario', 'result', 'took s', 'lost', 'duplicated', 'unknown/half', 'recovery s', 'notes'];
const table = rows.map((r) => [
  r.scenario,
  r.passed ? 'pass' : 'FAIL',
  String(r.seconds),
  String(r.lost ?? '-'),
  String(r.duplicated ?? '-'),
  String(r.unknown ?? '-'),
  String(r.recoverySeconds ?? '-'),
  r.notes,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(
  [
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...table.map(line),
    '',
    `Fault suite${quick ? ' (--quick)' : ''}: ${suiteSeconds} s, ${failures.length ? `${failures.length} failed` : 'all bounds held'}.`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.versions.node}, load average ${loadBefore} at the start, ${os.loadavg()[0].toFixed(1)} at the end.`,
    ...failures.map((f) => `  - ${f}`),
  ].join('\n'),
);
process.exit(failures.length ? 1 : 0);

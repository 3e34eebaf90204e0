/**
 * Journey throughput against raw Temporal, side by side on one Temporal dev server in one run:
 * contacts per second through trigger → condition (tag) → contact update → email (dev outbox)
 * → exit, divided by one-activity workflows per second started and finished the same way
 * (25 at a time) on the same server, by a worker in the same process with the same tuning.
 * Each run alternates slices of a quarter of its size: raw workflows, journey runs, and journey
 * runs started eagerly (the enrollment's client on the worker's native connection, so Temporal
 * hands the first workflow task back in the start's answer, as `npm start`'s dispatcher starts
 * event-triggered runs); the ratio (eager journey ÷ raw) is per run, the plain start reported
 * beside it. The process holds the API-less `npm start` stack (dev server child, worker, channel
 * workers, PGlite in a data folder), its workflows bundled in a short-lived process as
 * `npm start` bundles them, so its peak RSS is the memory of a worker under journey load.
 *
 *   node --max-semi-space-size=4 --import tsx bench/journey-throughput.ts [contacts=300]
 *   (BENCH_RUNS=5, DATABASE_URL=postgres://…; `--max-semi-space-size=4` as `npm start` runs its
 *   process, which `npm run bench` passes too)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createDb } from '../db';
import { contacts } from '../db/schema';
import { createJourney, publishJourney } from '../engine/automation/journeys/journeys';
import { createRegistry } from '../engine/automation/nodes';
import { enrollContact } from '../engine/automation/runs/enroll';
import { SecretBox } from '../engine/identity/secret-box';
import { createWorkspace } from '../engine/identity/workspaces';
import { closeChannelDeps, createChannelDeps } from '../engine/messaging/channels/deps';
import { createTemplate } from '../engine/messaging/templates/templates';
import { findTemporalCli } from '../engine/temporal/binaries';
import { startDevServer } from '../engine/temporal/dev-server';
import {
  connectWorker,
  createChannelWorkers,
  createJourneyWorker,
  workerTuning,
  workflowsPath,
} from '../engine/temporal/worker';
import { vipWelcomeGraph } from '../tests/helpers/fixtures';
import { freePort } from '../tests/helpers/ports';
import { bundleInChild } from './helpers/bundle';
import { cpuMs, inBatches, processesCpuMs, sampleRss } from './helpers/process';
import { benchRuns, isQuick, reportResult } from './helpers/report';

const contactsPerRun = Number(process.argv[2] ?? (isQuick() ? 100 : 300));
const runs = benchRuns(5);
const concurrency = 25;

Runtime.install({ logger: new DefaultLogger('WARN') });
const root = path.resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wayline-bench-'));
const server = await startDevServer({
  binary: findTemporalCli({ root, log: () => {} }),
  dataDir: scratch,
  port: await freePort(),
  uiPort: await freePort(),
  namespace: 'default',
});
// A dev server on a loaded machine may answer before its namespace is registered.
const probe = await Connection.connect({ address: server.address });
for (let tries = 0; ; tries++) {
  try {
    await probe.workflowService.describeNamespace({ namespace: 'default' });
    break;
  } catch (error) {
    if (tries >= 120) throw error;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
await probe.close();
// PGlite in a data folder with its small buffer pool, as `npm start` opens it.
const database = await createDb(
  process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { dataDir: path.join(scratch, 'pglite') },
);
const secretBox = new SecretBox(randomBytes(32));
const channels = createChannelDeps({ db: database.db, box: secretBox, publicUrl: 'http://127.0.0.1:1' });
const registry = createRegistry([], { channels });
const connection = await connectWorker(server.address);
const taskQueue = 'bench';
const workerOptions = { connection, namespace: 'default', taskQueue, db: database.db, registry, secretBox };
const workers = [
  await createJourneyWorker({
    ...workerOptions,
    workflowBundle: bundleInChild(workflowsPath, path.join(scratch, 'workflows.js')),
  }),
  // Sends run on their channel's queue as in `npm start`; the rate cap stays out of the measure.
  ...(await createChannelWorkers({ ...workerOptions, defaultRate: 10_000 })),
  await Worker.create({
    ...workerTuning,
    connection,
    namespace: 'default',
    taskQueue: 'raw',
    workflowBundle: bundleInChild(
      path.join(import.meta.dirname, 'helpers', 'raw-workflow.ts'),
      path.join(scratch, 'raw-workflow.js'),
    ),
    activities: { echo: async (n: number) => n },
  }),
];
const running = Promise.all(workers.map((w) => w.run()));
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const eagerClient = new Client({ connection });

const workspace = await createWorkspace(database.db, 'Bench');
await createTemplate(database.db, workspace.id, {
  name: 'welcome',
  channel: 'email',
  subject: 'Welcome, {{ contact.email }}',
  body: 'Hello from Wayline',
});
const journey = await createJourney(database.db, workspace.id, vipWelcomeGraph('Throughput', 'seen'));
await publishJourney(database.db, registry, workspace.id, journey.id);

/** Waits for a run's result, asking again when an overloaded server lets the long poll time out. */
async function settled<T>(result: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await result();
    } catch (error) {
      const deadline = String((error as { cause?: { code?: number } }).cause?.code) === '4';
      if (!deadline || tries >= 20) throw error;
    }
  }
}

const rss = sampleRss();
/** Contacts (or raw workflows) per slice: a run alternates slices of each kind, so a change in the machine's load falls on all of them alike. */
const slice = Math.max(concurrency, Math.round(contactsPerRun / 4));
type Kind = 'raw' | 'journey' | 'eager';
const kinds: Kind[] = ['raw', 'journey', 'eager'];
const rates: Record<Kind, number[]> = { raw: [], journey: [], eager: [] };
let batchNo = 0;

/** Starts and awaits `size` of one kind, 25 at a time; the seconds it took. */
async function measure(kind: Kind, size: number): Promise<number> {
  const round = batchNo++;
  if (kind === 'raw') {
    const started = performance.now();
    await inBatches(size, concurrency, async (i) => {
      const handle = await client.workflow.start('oneActivity', {
        workflowId: `raw-${round}-${i}`,
        taskQueue: 'raw',
        args: [i],
      });
      return settled(() => handle.result());
    });
    return (performance.now() - started) / 1000;
  }
  // Every contact is tagged vip, so every run takes the whole path: condition, update, email, exit.
  const people = await database.db
    .insert(contacts)
    .values(
      Array.from({ length: size }, (_, i) => ({
        workspaceId: workspace.id,
        externalId: `r${round}-${i}`,
        email: `r${round}-${i}@example.com`,
        tags: ['vip'],
      })),
    )
    .returning({ id: contacts.id });
  // Eager start: the enrollment's client shares the journey worker's native connection, so the
  // start's answer carries the run's first workflow task.
  const deps =
    kind === 'eager'
      ? { db: database.db, temporal: client, taskQueue, eagerStarter: eagerClient }
      : { db: database.db, temporal: client, taskQueue };
  const started = performance.now();
  await inBatches(size, concurrency, async (i) => {
    const result = await enrollContact(deps, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: people[i].id,
    });
    if (!result.enrolled) throw new Error(result.reason);
    const outcome = await settled(() => client.workflow.getHandle(result.workflowId).result());
    if (outcome.status !== 'completed' || !outcome.path.includes('mail')) {
      throw new Error(`run ${result.workflowId} ended ${outcome.status}: ${outcome.reason}`);
    }
  });
  return (performance.now() - started) / 1000;
}

/** CPU time (ms) so far of this process (worker and client), the Temporal server, PostgreSQL's processes. */
const cpuNow = () => ({
  wayline: cpuMs(process.cpuUsage()),
  temporal: processesCpuMs(scratch) ?? Number.NaN,
  postgres: process.env.DATABASE_URL ? (processesCpuMs('postgres:') ?? Number.NaN) : 0,
});
type Cpu = ReturnType<typeof cpuNow>;
const cpuSpent: Record<Kind, Cpu> = Object.fromEntries(
  kinds.map((kind) => [kind, { wayline: 0, temporal: 0, postgres: 0 }]),
) as Record<Kind, Cpu>;

/** `measure`, adding the CPU each component spent during the slice to its kind's total. */
async function measureCpu(kind: Kind, size: number): Promise<number> {
  const before = cpuNow();
  const seconds = await measure(kind, size);
  const after = cpuNow();
  for (const part of ['wayline', 'temporal', 'postgres'] as const) {
    cpuSpent[kind][part] += after[part] - before[part];
  }
  return seconds;
}

// A warm-up round of each (bundles loaded, caches and connections warm), not counted.
for (const kind of kinds) await measure(kind, 20);
for (let run = 0; run < runs; run++) {
  const seconds: Record<Kind, number> = { raw: 0, journey: 0, eager: 0 };
  const done: Record<Kind, number> = { raw: 0, journey: 0, eager: 0 };
  while (done.raw < contactsPerRun) {
    const size = Math.min(slice, contactsPerRun - done.raw);
    for (const kind of kinds) {
      seconds[kind] += await measureCpu(kind, size);
      done[kind] += size;
    }
  }
  for (const kind of kinds) rates[kind].push(contactsPerRun / seconds[kind]);
  console.log(
    `run ${run + 1}/${runs}: raw ${rates.raw[run].toFixed(1)} workflows/s, journey ${rates.journey[run].toFixed(1)} contacts/s, with eager start ${rates.eager[run].toFixed(1)} contacts/s`,
  );
}

// Where the time goes: CPU per contact (or raw workflow) of each component, over all runs. This
// process holds the worker and the bench's client; Temporal is the dev server (its command line
// names the scratch folder); PostgreSQL's processes count only with DATABASE_URL (PGlite runs
// inside this process).
const perContact = (kind: Kind, part: keyof Cpu) =>
  (cpuSpent[kind][part] / (contactsPerRun * runs)).toFixed(1);
for (const kind of kinds) {
  console.log(
    `CPU per ${kind === 'raw' ? 'raw workflow' : `${kind} contact`}: this process ${perContact(kind, 'wayline')} ms, ` +
      `Temporal ${perContact(kind, 'temporal')} ms, PostgreSQL ${perContact(kind, 'postgres')} ms`,
  );
}

reportResult({
  name: 'journey throughput',
  baseline: 'one-activity workflows/s, same server and process; journey runs started eagerly',
  unit: 'contacts/s',
  // Event-triggered runs start eagerly under `npm start` (the dispatcher shares the worker's process).
  values: rates.eager,
  baselineValues: rates.raw,
  target: { atLeast: 1 },
  // The memory budget of a worker under journey load, shown in `npm run bench`'s table.
  note: `peak RSS ${rss.peakMb()} MB (budget 1 GB)`,
  extra: { contactsPerRun, peakRssMb: rss.peakMb(), withoutEagerStart: rates.journey },
});

rss.stop();
for (const w of workers) w.shutdown();
await running;
await connection.close();
await client.connection.close();
await closeChannelDeps(channels);
await database.close();
await server.stop();
rmSync(scratch, { recursive: true, force: true });

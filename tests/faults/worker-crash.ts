/**
 * Fault scenario (part of `npm run faults`, not of `npm test`): real components only — a
 * Temporal dev server, a PostgreSQL server, an smtp-server sink, and `FAULT_WORKERS` (2)
 * `wayline worker` child processes, one of which is SIGKILLed and restarted at a time
 * mid-journey. Prints runs lost, duplicate deliveries at the SMTP sink, unknown outcomes and
 * recovery time as JSON, and exits 1 when a bound is exceeded. (The Temporal restart mid-wait
 * is temporal-restart.ts.)
 *
 *   TEST_DATABASE_URL=postgres://… npx tsx tests/faults/worker-crash.ts
 *   FAULT_CONTACTS=200 FAULT_KILLS=3 FAULT_WORKERS=2 FAULT_WAIT_SECONDS=5 FAULT_MAX_RETRY_SECONDS=20
 *
 * Retry latency: a send killed inside the provider call leaves its ledger row `sending`; its
 * retry (on the surviving worker, or the restarted one) writes `unknown`. The time from the kill
 * to that write is how long a dead worker's activity waited. Drain is the time from the last
 * restart to the last run done (the backlog, not only the faults).
 *
 * PostgreSQL is required: the worker is a separate process and PGlite is one process's
 * database. A fresh database is created on the server and dropped afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createDb } from '../../db';
import { contacts, messages } from '../../db/schema';
import { createJourney, publishJourney } from '../../engine/automation/journeys/journeys';
import { createRegistry } from '../../engine/automation/nodes';
import { enrollContact } from '../../engine/automation/runs/enroll';
import { SecretBox } from '../../engine/identity/secret-box';
import { createWorkspace } from '../../engine/identity/workspaces';
import { saveChannelSettings } from '../../engine/messaging/channels/channel-settings';
import { createTemplate } from '../../engine/messaging/templates/templates';
import { findTemporalCli } from '../../engine/temporal/binaries';
import { type DevServer, startDevServer } from '../../engine/temporal/dev-server';
import { freePort } from '../helpers/ports';
import { startSmtpSink } from './parts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONTACTS = env('FAULT_CONTACTS', 200);
const KILLS = env('FAULT_KILLS', 3);
const WORKERS = env('FAULT_WORKERS', 2);
const WAIT_SECONDS = env('FAULT_WAIT_SECONDS', 5);
const MAX_RETRY_SECONDS = env('FAULT_MAX_RETRY_SECONDS', 20);
const DEADLINE_SECONDS = env('FAULT_DEADLINE_SECONDS', 240);

const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!adminUrl) {
  console.error(
    'npm run faults needs a PostgreSQL server: set TEST_DATABASE_URL (or DATABASE_URL). The worker runs as a separate process, which PGlite cannot share.',
  );
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wayline-faults-'));
const log = (message: string) =>
  console.error(`[faults ${new Date().toISOString().slice(11, 23)}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));

const dbName = `wayline_faults_${randomBytes(5).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${dbName}`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const database = await createDb({ url: dbUrl.toString(), maxConnections: 5 });
const { db } = database;

const binary = findTemporalCli({ root, log: () => {} });
const temporalPort = await freePort();
const temporalOptions = {
  binary,
  dataDir: scratch,
  port: temporalPort,
  uiPort: await freePort(),
  namespace: 'default',
};
const server: DevServer = await startDevServer(temporalOptions);
const sink = await startSmtpSink();
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const taskQueue = `faults-${randomBytes(3).toString('hex')}`;
const secretKey = randomBytes(32).toString('hex');

/** Worker process groups still alive; killed if this script exits early. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
});

/** `wayline worker` as the production command runs it; resolves once it polls. */
async function startWorker(): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'wayline.mjs'), 'worker'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl.toString(),
      TEMPORAL_ADDRESS: server.address,
      WAYLINE_TASK_QUEUE: taskQueue,
      WAYLINE_SECRET_KEY: secretKey,
      WAYLINE_SEND_RATE: '1000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: bin/wayline.mjs runs the worker as a child of its own, and a
    // SIGKILL must reach both, as when a container or machine dies.
    detached: true,
  });
  liveGroups.add(child.pid!);
  child.once('exit', () => liveGroups.delete(child.pid!));
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-2000);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Wayline worker polling')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before polling:\n${tail}`)));
  });
  child.stdout?.resume();
  return { child, readyMs: performance.now() - started };
}

/** SIGKILLs the worker's whole process group and waits until none of it is left. */
async function killWorker(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {}
  await exited;
  for (;;) {
    try {
      process.kill(-child.pid!, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}

async function setupJourney(name: string, count: number) {
  const workspace = await createWorkspace(db, name);
  await saveChannelSettings(db, new SecretBox(Buffer.from(secretKey, 'hex')), workspace.id, 'email', {
    provider: 'smtp',
    config: { host: '127.0.0.1', port: sink.port, from: 'Acme <news@acme.test>' },
  });
  for (const template of ['first', 'second']) {
    await createTemplate(db, workspace.id, {
      name: template,
      channel: 'email',
      subject: `${template} for {{ contact.email }}`,
      body: `The ${template} email.`,
    });
  }
  const journey = await createJourney(db, workspace.id, {
    name,
    nodes: [
      { id: 'start', type: 'trigger.manual', config: {} },
      { id: 'first', type: 'email.send', config: { template: 'first' } },
      { id: 'wait', type: 'wait.duration', config: { duration: { amount: WAIT_SECONDS, unit: 'seconds' } } },
      { id: 'second', type: 'email.send', config: { template: 'second' } },
    ],
    edges: [
      { id: 'a', source: 'start', sourceHandle: 'next', target: 'first' },
      { id: 'b', source: 'first', sourceHandle: 'next', target: 'wait' },
      { id: 'c', source: 'wait', sourceHandle: 'next', target: 'second' },
    ],
  });
  await publishJourney(db, createRegistry(), workspace.id, journey.id);
  const people = await db
    .insert(contacts)
    .values(
      Array.from({ length: count }, (_, i) => ({
        workspaceId: workspace.id,
        externalId: `${name}-${i}`,
        email: `c${i}@${name.toLowerCase()}.test`,
      })),
    )
    .returning({ id: contacts.id });
  return { workspaceId: workspace.id, journeyId: journey.id, people };
}

async function enrollAll(setup: Awaited<ReturnType<typeof setupJourney>>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < setup.people.length; i += 25) {
    const batch = await Promise.all(
      setup.people
        .slice(i, i + 25)
        .map((p) =>
          enrollContact(
            { db, temporal: client, taskQueue },
            { workspaceId: setup.workspaceId, journeyId: setup.journeyId, contactId: p.id },
          ),
        ),
    );
    for (const r of batch) if (r.enrolled) ids.push(r.workflowId);
  }
  return ids;
}

/** Waits for every run; a run that has not finished by the deadline, or failed, is lost. */
async function awaitRuns(ids: string[], deadline: number): Promise<{ done: number; lastDoneAt: number }> {
  let done = 0;
  let lastDoneAt = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      const remaining = deadline - performance.now();
      const outcome = await Promise.race([
        client.workflow
          .getHandle(id)
          .result()
          .then(
            () => true,
            () => false,
          ),
        sleep(Math.max(0, remaining)).then(() => false),
      ]);
      if (outcome) {
        done += 1;
        lastDoneAt = performance.now();
      }
    }),
  );
  return { done, lastDoneAt };
}

async function ledger(workspaceId: string) {
  const rows = await db
    .select({ status: messages.status, n: sql<number>`count(*)::int` })
    .from(messages)
    .where(eq(messages.workspaceId, workspaceId))
    .groupBy(messages.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
}

/** Deliveries at the SMTP sink for one workspace's recipients, and how many were repeats. */
const deliveries = (domain: string) => sink.deliveries(domain);

const report: Record<string, unknown> = {
  contacts: CONTACTS,
  kills: KILLS,
  waitSeconds: WAIT_SECONDS,
  database: 'postgresql',
  temporal: binary.path ? 'temporal server start-dev' : 'SDK download',
};
const failures: string[] = [];
const workers = await Promise.all(Array.from({ length: WORKERS }, () => startWorker()));
let stopping = false;
try {
  report.workers = WORKERS;
  report.workerStartSeconds = seconds(Math.max(...workers.map((w) => w.readyMs)));

  // 1. SIGKILL one worker at a time, N times, while runs send and wait.
  const first = await setupJourney('Kills', CONTACTS);
  const started = performance.now();
  const runs = await enrollAll(first);
  log(`enrolled ${runs.length} runs; killing a worker ${KILLS} times`);
  const killedAt: number[] = [];
  let lastRestart = performance.now();
  for (let k = 0; k < KILLS; k += 1) {
    await sleep(1500 + Math.random() * 2500);
    const victim = k % workers.length;
    await killWorker(workers[victim].child);
    killedAt.push(Date.now());
    log(`killed worker ${victim + 1} (${k + 1}/${KILLS}; sent so far: ${deliveries('kills.test').received})`);
    await sleep(500);
    lastRestart = performance.now();
    workers[victim] = await startWorker();
  }
  const kills = await awaitRuns(runs, performance.now() + DEADLINE_SECONDS * 1000);
  const killLedger = await ledger(first.workspaceId);
  const killSink = deliveries('kills.test');
  const retries = (
    await db
      .select({ at: messages.updatedAt })
      .from(messages)
      .where(sql`${messages.workspaceId} = ${first.workspaceId} and ${messages.status} = 'unknown'`)
  )
    .map(({ at }) => {
      const kill = killedAt.filter((t) => t <= at.getTime()).at(-1);
      return kill === undefined ? null : (at.getTime() - kill) / 1000;
    })
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
  report.workerKills = {
    runs: runs.length,
    runsLost: runs.length - kills.done,
    deliveries: killSink.received,
    duplicateDeliveries: killSink.duplicates,
    unknownOutcomes: killLedger.unknown ?? 0,
    // Every message is sent or unknown; an unknown one may or may not have arrived.
    missing: 2 * runs.length - (killLedger.sent ?? 0) - (killLedger.unknown ?? 0),
    ledger: killLedger,
    retrySeconds: retries.length
      ? {
          median: Number(retries[Math.floor(retries.length / 2)].toFixed(1)),
          max: Number(retries.at(-1)!.toFixed(1)),
        }
      : null,
    drainSeconds: seconds(kills.lastDoneAt - lastRestart),
    totalSeconds: seconds(kills.lastDoneAt - started),
  };

  const killed = report.workerKills as { retrySeconds: { max: number } | null; missing: number };
  if (killed.retrySeconds && killed.retrySeconds.max > MAX_RETRY_SECONDS)
    failures.push(
      `workerKills: a killed send was retried after ${killed.retrySeconds.max} s (bound ${MAX_RETRY_SECONDS} s)`,
    );
  if (killed.missing !== 0) failures.push(`workerKills: ${killed.missing} messages neither sent nor unknown`);
  const r = report.workerKills as { runsLost: number; duplicateDeliveries: number };
  if (r.runsLost > 0) failures.push(`workerKills: ${r.runsLost} runs lost`);
  if (r.duplicateDeliveries > 0) failures.push(`workerKills: ${r.duplicateDeliveries} duplicate deliveries`);
  report.bounds = { runsLost: 0, duplicateDeliveries: 0, retrySeconds: MAX_RETRY_SECONDS };
  report.failures = failures;
  console.log(JSON.stringify(report, null, 2));
} finally {
  stopping = true;
  for (const w of workers) await killWorker(w.child);
  await client.connection.close();
  await database.close();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  await sink.close();
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(stopping && failures.length === 0 ? 0 : 1);

/**
 * Fault scenario: the Temporal server goes away while clients keep tracking events that start
 * journey runs, then comes back (the dev server stopped and started on the same port and state
 * file; the `wayline api` process keeps running throughout).
 *
 *   npx tsx tests/faults/temporal-unreachable.ts
 *   FAULT_CLIENTS=2 FAULT_BATCH=5 FAULT_BATCH_INTERVAL_MS=500 FAULT_DOWN_SECONDS=8
 *   FAULT_MAX_OUTBOX_LAG_SECONDS=60 FAULT_DEADLINE_SECONDS=180
 *
 * Clients send at a steady rate (CLIENTS × BATCH every interval: 20 new runs a second by
 * default), below what one API process dispatches on a loaded two-core machine, so the lag
 * measures the recovery and not a backlog the machine could never have kept up with.
 *
 * Every event is a `Signed Up` of a new user, and one published journey starts on it, so every
 * accepted event must start exactly one run. Bounds: tracking answers 2xx while Temporal is away
 * (the event is in the outbox; 202 says dispatch is pending); after Temporal returns the outbox
 * drains within FAULT_MAX_OUTBOX_LAG_SECONDS; every accepted event has exactly one run row and
 * one workflow in Temporal, and Temporal holds no other run of the journey.
 * Uses TEST_DATABASE_URL when set, else a PostgreSQL server of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { createDb } from '../../db';
import { createJourney, publishJourney } from '../../engine/automation/journeys/journeys';
import { createRegistry } from '../../engine/automation/nodes';
import { createWorkspace } from '../../engine/identity/workspaces';
import { freePort } from '../helpers/ports';
import {
  env,
  finish,
  freshDatabase,
  logger,
  seconds,
  sharedPostgres,
  sleep,
  startWayline,
  temporalDevServer,
} from './parts';

const CLIENTS = env('FAULT_CLIENTS', 2);
const BATCH = env('FAULT_BATCH', 5);
const INTERVAL_MS = env('FAULT_BATCH_INTERVAL_MS', 500);
const DOWN_SECONDS = env('FAULT_DOWN_SECONDS', 8);
const MAX_LAG_SECONDS = env('FAULT_MAX_OUTBOX_LAG_SECONDS', 60);
const DEADLINE_SECONDS = env('FAULT_DEADLINE_SECONDS', 180);
const log = logger('temporal-unreachable');

const scratch = mkdtempSync(path.join(os.tmpdir(), 'wayline-faults-'));
const pg = await sharedPostgres();
const database = await freshDatabase(pg.url);
const setup = await createDb({ url: database.url, maxConnections: 2 });
const workspace = await createWorkspace(setup.db, 'Temporal unreachable');
const journey = await createJourney(setup.db, workspace.id, {
  name: 'Welcome',
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' } },
    { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
  ],
  edges: [{ id: 'a', source: 'start', sourceHandle: 'next', target: 'wait' }],
});
await publishJourney(setup.db, createRegistry(), workspace.id, journey.id);
await setup.close();

const temporal = await temporalDevServer(scratch);
const port = await freePort();
const api = await startWayline('api', {
  DATABASE_URL: database.url,
  TEMPORAL_ADDRESS: temporal.address,
  HOST: '127.0.0.1',
  PORT: String(port),
  WAYLINE_SECRET_KEY: 'cd'.repeat(32),
});
log(`API ready in ${seconds(api.readyMs)} s`);

const authorization = `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}`;
const accepted = new Set<string>();
const statuses = new Map<string, number>();
const statusesWhileDown = new Map<string, number>();
const badAnswers: string[] = [];
let temporalDown = false;
let running = true;

async function sendBatch(users: string[]): Promise<void> {
  const body = JSON.stringify({
    batch: users.map((userId) => ({
      type: 'track',
      event: 'Signed Up',
      userId,
      messageId: `signup-${userId}`,
    })),
  });
  for (;;) {
    const down = temporalDown;
    let response: Response;
    try {
      response = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      badAnswers.push(`no answer: ${(error as Error).message}`);
      await sleep(500);
      continue;
    }
    const text = await response.text();
    const counts = down ? statusesWhileDown : statuses;
    counts.set(String(response.status), (counts.get(String(response.status)) ?? 0) + 1);
    if (response.status < 300) {
      for (const user of users) accepted.add(user);
      return;
    }
    badAnswers.push(`${response.status}${down ? ' while Temporal was away' : ''}: ${text.slice(0, 300)}`);
    if (response.status !== 503) return;
    await sleep(1000);
  }
}

let sent = 0;
const clients = Array.from({ length: CLIENTS }, async (_, client) => {
  for (let seq = 0; running; seq += 1) {
    const users = Array.from({ length: BATCH }, (_, i) => `u${client}-${seq}-${i}`);
    sent += users.length;
    const next = performance.now() + INTERVAL_MS;
    await sendBatch(users);
    await sleep(next - performance.now());
  }
});

const failures: string[] = [];
let numbers: Record<string, unknown> = {};
const sql = postgres(database.url, { max: 2, onnotice: () => {} });
let temporalClient: Client | undefined;
try {
  await sleep(3000);
  log(`${accepted.size} events accepted; stopping the Temporal dev server for ${DOWN_SECONDS} s`);
  temporalDown = true;
  await temporal.stop();
  const acceptedBefore = accepted.size;
  await sleep(DOWN_SECONDS * 1000);
  const acceptedWhileDown = accepted.size - acceptedBefore;
  await temporal.start();
  temporalDown = false;
  const backAt = performance.now();
  log(`Temporal back; ${acceptedWhileDown} events accepted while it was away`);
  await sleep(3000);
  running = false;
  await Promise.all(clients);

  // Lag: from Temporal's return until no outbox row waits for delivery.
  let pending = Number.POSITIVE_INFINITY;
  let drainedAt: number | undefined;
  while (performance.now() - backAt < DEADLINE_SECONDS * 1000) {
    [{ pending }] = await sql<{ pending: number }[]>`
      select count(*)::int as pending from outbox where workspace_id = ${workspace.id} and status <> 'delivered'`;
    if (pending === 0) {
      drainedAt = performance.now();
      break;
    }
    await sleep(250);
  }

  const runRows = await sql<{ external_id: string; runs: number }[]>`
    select c.external_id, count(r.id)::int as runs
    from contacts c left join journey_runs r on r.contact_id = c.id and r.journey_id = ${journey.id}
    where c.workspace_id = ${workspace.id} group by c.external_id`;
  const runsOf = new Map(runRows.map((r) => [r.external_id, r.runs]));
  const prefix = `wl:${workspace.id}:${journey.id}:`;
  temporalClient = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  const workflows = new Map<string, number>();
  for await (const execution of temporalClient.workflow.list()) {
    if (execution.workflowId.startsWith(prefix))
      workflows.set(execution.workflowId, (workflows.get(execution.workflowId) ?? 0) + 1);
  }
  const lostRuns = [...accepted].filter((user) => (runsOf.get(user) ?? 0) === 0).length;
  const duplicateRuns = [...runsOf.values()].filter((n) => n > 1).length;
  const duplicateWorkflows = [...workflows.values()].filter((n) => n > 1).length;
  const nonSuccessWhileDown = [...statusesWhileDown].filter(([status]) => status >= '300');
  if (acceptedWhileDown === 0) failures.push('no event was accepted while Temporal was away');
  if (nonSuccessWhileDown.length)
    failures.push(`answers other than 2xx while Temporal was away: ${JSON.stringify(nonSuccessWhileDown)}`);
  if (drainedAt === undefined)
    failures.push(`${pending} outbox rows still undelivered ${DEADLINE_SECONDS} s after Temporal returned`);
  else if (drainedAt - backAt > MAX_LAG_SECONDS * 1000)
    failures.push(
      `the outbox drained ${seconds(drainedAt - backAt)} s after Temporal returned (bound ${MAX_LAG_SECONDS} s)`,
    );
  if (lostRuns > 0) failures.push(`${lostRuns} accepted events started no run`);
  if (duplicateRuns > 0) failures.push(`${duplicateRuns} contacts have more than one run`);
  if (duplicateWorkflows > 0)
    failures.push(`${duplicateWorkflows} runs have more than one workflow execution`);
  if (workflows.size !== accepted.size)
    failures.push(`${workflows.size} workflows in Temporal for ${accepted.size} accepted events`);
  failures.push(...[...new Set(badAnswers)].slice(0, 5));
  numbers = {
    clients: CLIENTS,
    downSeconds: DOWN_SECONDS,
    eventsSent: sent,
    accepted: accepted.size,
    acceptedWhileDown,
    statuses: Object.fromEntries(statuses),
    statusesWhileDown: Object.fromEntries(statusesWhileDown),
    runsStarted: [...runsOf.values()].reduce((a, b) => a + b, 0),
    workflowsInTemporal: workflows.size,
    lostRuns,
    duplicateRuns,
    outboxLagSeconds: drainedAt === undefined ? null : seconds(drainedAt - backAt),
  };
} finally {
  running = false;
  if (failures.length) log(`the API's last log lines:\n${api.tail()}`);
  await temporalClient?.connection.close();
  await sql.end();
  await api.kill();
  await temporal.stop();
  await database.drop().catch(() => {});
  pg.close();
  rmSync(scratch, { recursive: true, force: true });
}
finish('temporal-unreachable', numbers, failures);

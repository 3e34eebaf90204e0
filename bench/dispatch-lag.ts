/**
 * Dispatch lag: how long after an event is accepted its journey run starts, and how long a run
 * waiting for an event takes to resume, while `/v1/batch` ingests a steady load. Starts its own
 * Temporal dev server, a journey worker, the API on a real port with the outbox dispatcher (as
 * `npm start` runs them) and the database (PGlite in memory, or the Postgres server in
 * DATABASE_URL).
 *
 *   DATABASE_URL=postgres://… npx tsx bench/dispatch-lag.ts [seconds=5] [clients=4] [awaited/s=200] [triggering/s=20] [segments=10]
 *   (BENCH_RUNS=5 runs; BENCH_WORKER=apart: the journey worker in a process of its own, as
 *   `wayline worker`)
 *
 * 20 active journeys are each triggered by their own event (`Signed Up 0` … `Signed Up 19`,
 * trigger → exit) and one journey waits for `Go` (trigger `Start` → wait.event `Go` → exit).
 * Contacts are first brought to the wait. First, Temporal's own floor: for 2 s, `awaited/s`
 * waiting runs are signalled their `Go` straight through the Temporal client. Then two phases with the same trickle: `triggering/s`
 * events (default 20, spread over the journeys) and `awaited/s` `Go` events for waiting contacts, each sent in
 * batches every 100 ms; the baseline phase with nothing else, then the loaded phase with
 * `clients` concurrent clients sending 500-event `Product Viewed` batches as fast as they are
 * answered, from a child process of their own (`helpers/load-client.ts`). Lags are read from the runs' own node visits (trigger node entered, exit node entered
 * after the wait) minus the moment the accepting answer arrived; the ratio is loaded p99 ÷
 * baseline p99, both measured in the same run. Each run measures the three phases in turn, and
 * the outbox the load left is delivered before the next begins.
 *
 * The workspace has `segments` segments, as a shop in use does (one counting `Product Viewed`,
 * the rest on a plan attribute, `Order Completed` counts, lists and tags, which none of the
 * benchmark's events change), and the load's 20,000 shoppers exist before it starts. After
 * the setup every contact is made a day old: a shop's existing customers, whose events change
 * nothing but the segments reading them (a contact created or identified while its events were
 * stored has every segment re-evaluated).
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { contacts, journeyRuns, nodeVisits } from '../db/schema';
import { createSegment } from '../engine/audience/segments/segments';
import { createJourney, publishJourney } from '../engine/automation/journeys/journeys';
import { signalRunsWithEvent } from '../engine/automation/runs/run-control';
import { createWorkspace } from '../engine/identity/workspaces';
import { pendingRows } from '../tests/helpers/outbox';
import { startIngestStack, startJourneyApi } from './helpers/ingest-stack';
import { startLoad } from './helpers/load-client';
import { drainOutbox } from './helpers/outbox';
import { coresBusy, coresLine, cpuMs, processesCpuMs } from './helpers/process';
import { benchRuns, loadAverage, reportResult } from './helpers/report';

const seconds = Number(process.argv[2] ?? 5);
const clients = Number(process.argv[3] ?? 4);
const awaitedPerSecond = Number(process.argv[4] ?? 200);
/** Triggering events per second, spread over the 20 journeys. */
const triggeredPerSecond = Number(process.argv[5] ?? 20);
const segmentCount = Number(process.argv[6] ?? 10);
const SHOPPERS = 20_000;
const JOURNEYS = 20;
const BASELINE_SECONDS = 2;
const runs = benchRuns(5);
const TICK_MS = 100;

const stack = await startIngestStack();
const { database, db, registry, temporal } = stack;
const api = await startJourneyApi(stack);
const { url } = api;

const workspace = await createWorkspace(db, `Dispatch lag ${randomUUID().slice(0, 8)}`);
const publish = async (name: string, nodes: unknown[], edges: unknown[]) => {
  const journey = await createJourney(db, workspace.id, { name, nodes, edges } as any);
  await publishJourney(db, registry, workspace.id, journey.id);
  return journey.id;
};
for (let k = 0; k < JOURNEYS; k += 1) {
  await publish(
    `Welcome ${k}`,
    [
      { id: 'start', type: 'trigger.event', config: { event: `Signed Up ${k}` } },
      { id: 'done', type: 'exit' },
    ],
    [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'done' }],
  );
}
const waitJourney = await publish(
  'Wait for go',
  [
    { id: 'start', type: 'trigger.event', config: { event: 'Start' } },
    { id: 'wait', type: 'wait.event', config: { event: 'Go', timeout: { amount: 1, unit: 'days' } } },
    { id: 'done', type: 'exit' },
  ],
  [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'matched', target: 'done' },
  ],
);

await db.execute(sql`insert into contacts (workspace_id, external_id)
  select ${workspace.id}::uuid, 'shopper-' || n from generate_series(0, ${SHOPPERS - 1}) n`);
for (let k = 0; k < segmentCount; k += 1) {
  const rules = [
    { kind: 'event', event: 'Product Viewed', minCount: 3 },
    { kind: 'attribute', path: 'plan', op: 'eq', value: `plan-${k}` },
    { kind: 'event', event: 'Order Completed', minCount: k },
    { kind: 'list', list: `List ${k}`, member: true },
    { kind: 'tag', tag: `tag-${k}` },
  ][k === 0 ? 0 : 1 + (k % 4)];
  await createSegment(db, workspace.id, {
    name: `Segment ${k}`,
    definition: { match: 'all', rules: [rules] },
  } as any);
}

const auth = `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}`;
/** Sends a batch; answers when it was accepted (epoch ms) and how many events were stored. */
async function send(batch: Record<string, unknown>[]): Promise<{ at: number; accepted: number }> {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  });
  const answer = (await response.json()) as { accepted?: number };
  if (response.status >= 300) throw new Error(`batch answered ${response.status}: ${JSON.stringify(answer)}`);
  return { at: Date.now(), accepted: answer.accepted ?? 0 };
}
const track = (userId: string, event: string, properties: Record<string, unknown> = {}) => ({
  type: 'track',
  userId,
  event,
  properties,
  messageId: randomUUID(),
  timestamp: new Date().toISOString(),
});

// Contacts waiting for `Go`: enough for the three phases of every run.
const waiting = awaitedPerSecond * (seconds + 2 * BASELINE_SECONDS) * runs;
const setupStarted = performance.now();
for (let i = 0; i < waiting; i += 500) {
  await send(Array.from({ length: Math.min(500, waiting - i) }, (_, j) => track(`waiter-${i + j}`, 'Start')));
}
const atWait = async () =>
  (
    await db
      .select({ n: sql<number>`count(*)::int` })
      .from(nodeVisits)
      .where(and(eq(nodeVisits.journeyId, waitJourney), eq(nodeVisits.nodeId, 'wait')))
  )[0].n;
for (let n = await atWait(); n < waiting; n = await atWait()) {
  if (performance.now() - setupStarted > 600_000)
    throw new Error(`only ${n} of ${waiting} runs reached the wait`);
  await new Promise((resolve) => setTimeout(resolve, 500));
}
await db.execute(sql`update contacts set created_at = now() - interval '1 day', updated_at = now() - interval '1 day'
  where workspace_id = ${workspace.id}`);
console.log(
  `${waiting} runs waiting for Go after ${((performance.now() - setupStarted) / 1000).toFixed(1)} s; ` +
    `${JOURNEYS} event-triggered journeys active, ${segmentCount} segments`,
);

let nextWaiter = 0;
let nextSignup = 0;
/** The trickle of one phase: per tick, one batch of triggering events and one of awaited events. */
async function trickle(durationS: number) {
  const accepted = { triggered: new Map<string, number>(), awaited: new Map<string, number>() };
  const pending: Promise<void>[] = [];
  const ticks = (durationS * 1000) / TICK_MS;
  const perTickAwaited = (awaitedPerSecond * TICK_MS) / 1000;
  const perTickTriggered = Math.max(1, Math.round((triggeredPerSecond * TICK_MS) / 1000));
  const started = performance.now();
  for (let tick = 0; tick < ticks; tick += 1) {
    const signups = Array.from({ length: perTickTriggered }, () => {
      const n = nextSignup++;
      return { userId: `signup-${n}`, event: track(`signup-${n}`, `Signed Up ${n % JOURNEYS}`) };
    });
    const goes = Array.from({ length: perTickAwaited }, () => `waiter-${nextWaiter++}`);
    pending.push(
      send(signups.map((s) => s.event)).then(({ at }) => {
        for (const { userId } of signups) accepted.triggered.set(userId, at);
      }),
      send(goes.map((userId) => track(userId, 'Go'))).then(({ at }) => {
        for (const userId of goes) accepted.awaited.set(userId, at);
      }),
    );
    const due = started + (tick + 1) * TICK_MS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  await Promise.all(pending);
  return accepted;
}

/**
 * Temporal alone, the resumes' floor: for BASELINE_SECONDS, `awaited/s` waiting runs are sent
 * their `Go` straight through the Temporal client (no API, no outbox, no dispatcher), in the
 * trickle's ticks; the lag is from the signal sent to the run's exit.
 */
async function signalledStraight(durationS: number) {
  const waiters = Array.from({ length: (awaitedPerSecond * durationS) | 0 }, () => `waiter-${nextWaiter++}`);
  const runs = new Map<string, string>();
  for (let i = 0; i < waiters.length; i += 1000) {
    for (const row of await db
      .select({ userId: contacts.externalId, workflowId: journeyRuns.workflowId })
      .from(journeyRuns)
      .innerJoin(contacts, eq(contacts.id, journeyRuns.contactId))
      .where(
        and(
          eq(contacts.workspaceId, workspace.id),
          eq(journeyRuns.journeyId, waitJourney),
          inArray(contacts.externalId, waiters.slice(i, i + 1000)),
        ),
      ))
      if (row.userId) runs.set(row.userId, row.workflowId);
  }
  const sent = new Map<string, number>();
  const pending: Promise<unknown>[] = [];
  const perTick = (awaitedPerSecond * TICK_MS) / 1000;
  const started = performance.now();
  for (let tick = 0; tick * perTick < waiters.length; tick += 1) {
    for (const userId of waiters.slice(tick * perTick, (tick + 1) * perTick)) {
      const workflowId = runs.get(userId);
      if (!workflowId) continue;
      const event = { id: randomUUID(), name: 'Go', properties: {}, timestamp: new Date().toISOString() };
      sent.set(userId, Date.now());
      pending.push(signalRunsWithEvent(temporal, [workflowId], event));
    }
    const due = started + (tick + 1) * TICK_MS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  await Promise.all(pending);
  return sent;
}

/** Epoch ms per user id, read 1,000 user ids at a time. */
async function timesByUser(
  userIds: string[],
  read: (chunk: string[]) => Promise<{ userId: string | null; at: Date }[]>,
) {
  const times = new Map<string, number>();
  for (let i = 0; i < userIds.length; i += 1000) {
    for (const row of await read(userIds.slice(i, i + 1000)))
      if (row.userId) times.set(row.userId, row.at.getTime());
  }
  return times;
}

/** Visit time of `nodeId` in the runs of these contacts (by user id). */
const visitTimes = (userIds: string[], nodeId: string, journeyIds?: string[]) =>
  timesByUser(userIds, (chunk) =>
    db
      .select({ userId: contacts.externalId, at: nodeVisits.enteredAt })
      .from(nodeVisits)
      .innerJoin(journeyRuns, eq(journeyRuns.workflowId, nodeVisits.workflowId))
      .innerJoin(contacts, eq(contacts.id, journeyRuns.contactId))
      .where(
        and(
          eq(contacts.workspaceId, workspace.id),
          inArray(contacts.externalId, chunk),
          eq(nodeVisits.nodeId, nodeId),
          journeyIds ? inArray(nodeVisits.journeyId, journeyIds) : undefined,
        ),
      ),
  );

/** When the dispatcher enrolled these contacts (their run's row written, before Temporal starts it). */
const enrolledTimes = (userIds: string[]) =>
  timesByUser(userIds, (chunk) =>
    db
      .select({ userId: contacts.externalId, at: journeyRuns.startedAt })
      .from(journeyRuns)
      .innerJoin(contacts, eq(contacts.id, journeyRuns.contactId))
      .where(and(eq(contacts.workspaceId, workspace.id), inArray(contacts.externalId, chunk))),
  );

/** Lags (ms) once every run has its visit, or after 60 s with what is there (missing counted). */
async function lags(
  accepted: Map<string, number>,
  nodeId: string,
  journeyIds?: string[],
  read: (userIds: string[]) => Promise<Map<string, number>> = (userIds) =>
    visitTimes(userIds, nodeId, journeyIds),
) {
  const deadline = performance.now() + 60_000;
  let times = await read([...accepted.keys()]);
  while (times.size < accepted.size && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    times = await read([...accepted.keys()]);
  }
  const values = [...accepted].flatMap(([userId, at]) => {
    const visited = times.get(userId);
    return visited === undefined ? [] : [Math.max(0, visited - at)];
  });
  return { values: values.sort((a, b) => a - b), missing: accepted.size - values.length };
}

const pct = (values: number[], p: number) =>
  values.length ? values[Math.min(values.length - 1, Math.ceil(p * values.length) - 1)] : Number.NaN;
const summary = (label: string, result: { values: number[]; missing: number }) =>
  `${label}: ${result.values.length} runs, p50 ${pct(result.values, 0.5).toFixed(0)} ms, ` +
  `p99 ${pct(result.values, 0.99).toFixed(0)} ms, max ${pct(result.values, 1).toFixed(0)} ms` +
  (result.missing ? `, ${result.missing} not there after 60 s` : '');

/**
 * Where the machine's two cores go in each phase (this process holds the API, dispatcher and
 * worker), and how busy this process's event loop was (a share of the wall time, at most 1).
 */
const cores = coresBusy({
  'this process': () => cpuMs(process.cpuUsage()),
  'its event loop': () => performance.eventLoopUtilization().active,
  Temporal: () => processesCpuMs(stack.dataDir),
  PostgreSQL: () => (process.env.DATABASE_URL ? processesCpuMs('postgres:') : 0),
  ...(api.workerRuns === 'apart' ? { 'worker process': () => processesCpuMs('worker-process') } : {}),
});
/** One run: Temporal alone, the trickle alone, the trickle under load; its p99s, printed as it goes. */
async function measureRun(run: number) {
  let phase = cores.start();
  const straight = await lags(await signalledStraight(BASELINE_SECONDS), 'done', [waitJourney]);
  const straightCores = phase();
  phase = cores.start();
  const baseline = await trickle(BASELINE_SECONDS);
  const baseEnrolled = await lags(baseline.triggered, 'start', undefined, enrolledTimes);
  const baseStarted = await lags(baseline.triggered, 'start');
  const baseResumed = await lags(baseline.awaited, 'done', [waitJourney]);
  const baselineCores = phase();

  // The batch load comes from a child process of its own, not sharing this one's event loop
  // (the server's and the trickle's).
  const load = startLoad({ kind: 'batch', url, auth, seconds, clients, batchSize: 500, shoppers: SHOPPERS });
  await load.ready;
  phase = cores.start();
  // How long a callback that was due waited for the loop under load (Node samples every 10 ms).
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const loaded = await trickle(seconds);
  loopDelay.disable();
  const loadedCores = phase();
  const loadResult = await load.result;
  const ingestRate = loadResult.eventsPerSecond;
  loadedCores['load client'] = (loadResult.cpuMs ?? Number.NaN) / (seconds * 1000);
  const loadEnrolled = await lags(loaded.triggered, 'start', undefined, enrolledTimes);
  const loadStarted = await lags(loaded.triggered, 'start');
  const loadResumed = await lags(loaded.awaited, 'done', [waitJourney]);

  console.log(`run ${run}/${runs}:`);
  console.log(
    `Temporal alone (${awaitedPerSecond}/s signalled straight): ${summary('signal sent → waiting run resumed', straight)}`,
  );
  console.log(`Temporal alone, cores busy until every run resumed: ${coresLine(straightCores)}`);
  console.log(`baseline (trickle only), cores busy until every run resumed: ${coresLine(baselineCores)}`);
  console.log(
    `baseline (trickle only): ${summary('accepted → run enrolled by the dispatcher', baseEnrolled)}`,
  );
  console.log(`baseline (trickle only): ${summary('accepted → journey started', baseStarted)}`);
  console.log(`baseline (trickle only): ${summary('accepted → waiting run resumed', baseResumed)}`);
  console.log(`under load (${ingestRate.toFixed(0)} events/s ingested besides the trickle):`);
  console.log(`  cores busy while it sent: ${coresLine(loadedCores)}`);
  console.log(
    `  its event loop's delay meanwhile: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, ` +
      `p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`,
  );
  console.log(`  ${summary('accepted → run enrolled by the dispatcher', loadEnrolled)}`);
  console.log(`  ${summary('accepted → journey started', loadStarted)}`);
  console.log(`  ${summary('accepted → waiting run resumed', loadResumed)}`);

  // What the load left in the outbox is delivered before the next run's phases start.
  await drainOutbox(db, workspace.id);
  const p99 = (result: { values: number[] }) => pct(result.values, 0.99);
  return {
    ingestRate,
    straight: p99(straight),
    base: { enrolled: p99(baseEnrolled), started: p99(baseStarted), resumed: p99(baseResumed) },
    loaded: { enrolled: p99(loadEnrolled), started: p99(loadStarted), resumed: p99(loadResumed) },
  };
}

const measured: Awaited<ReturnType<typeof measureRun>>[] = [];
for (let run = 1; run <= runs; run += 1) measured.push(await measureRun(run));

const rates = measured.map((m) => m.ingestRate.toFixed(0)).join(', ');
console.log(
  `database: ${database.driver}; ${clients} clients loading /v1/batch for ${seconds} s per run; ` +
    `${triggeredPerSecond} triggering and ${awaitedPerSecond} awaited events/s; ${segmentCount} segments; ` +
    `journey worker ${api.workerRuns === 'apart' ? 'in a process of its own' : 'in the API’s process'}; load average ${loadAverage()}`,
);
for (const [name, lag, goal] of [
  [
    'dispatch lag: accepted → run enrolled by the dispatcher, p99',
    'enrolled',
    'the dispatcher’s share of the 2 s',
  ],
  ['dispatch lag: accepted → journey started, p99', 'started', 'goal p99 < 2 s under load'],
  ['dispatch lag: accepted → waiting run resumed, p99', 'resumed', 'goal p99 < 1 s under load'],
] as const) {
  reportResult({
    name,
    baseline: 'the same trickle with no other ingest load',
    unit: 'ms',
    values: measured.map((m) => m.loaded[lag]),
    baselineValues: measured.map((m) => m.base[lag]),
    note: `${goal}; ${rates} events/s ingested besides; ${segmentCount} segments; load average ${loadAverage()}`,
  });
}
reportResult({
  name: 'resume lag with no other load: accepted → waiting run resumed, p99',
  baseline: `the same ${awaitedPerSecond} events/s signalled straight through Temporal (no API, outbox or dispatcher)`,
  unit: 'ms',
  values: measured.map((m) => m.base.resumed),
  baselineValues: measured.map((m) => m.straight),
  note: `what Wayline adds to Temporal's own resume time; load average ${loadAverage()}`,
});
console.log(`outbox rows still pending at the end: ${await pendingRows(db, workspace.id)}`);

await api.close();
await stack.close();

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
 * one workflow in Temporal (each run row's workflow described by its id), and Temporal's list,
 * which shows a start a little after it happened, holds no other run of the journey.
 * Uses TEST_DATABASE_URL when set, else a PostgreSQL server of its own.
 */
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { createJourney, publishJourney } from '../../engine/automation/journeys/journeys';
import { createRegistry } from '../../engine/automation/nodes';
import { line } from '../helpers/fixtures';
import { batchClients, env, finish, logger, openScenario, seconds, sleep, startApi } from './parts';

const CLIENTS = env('FAULT_CLIENTS', 2);
const BATCH = env('FAULT_BATCH', 5, 2);
const INTERVAL_MS = env('FAULT_BATCH_INTERVAL_MS', 500);
const DOWN_SECONDS = env('FAULT_DOWN_SECONDS', 8, 5);
const MAX_LAG_SECONDS = env('FAULT_MAX_OUTBOX_LAG_SECONDS', 60);
const DEADLINE_SECONDS = env('FAULT_DEADLINE_SECONDS', 180);
/** How long Temporal's workflow list may take to show every started run. */
const VISIBILITY_SECONDS = 15;
const log = logger('temporal-unreachable');

const { db, database, workspace, temporal, close } = await openScenario({
  workspace: 'Temporal unreachable',
});
const journey = await createJourney(
  db,
  workspace.id,
  line('Welcome', [
    { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' } },
    { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
  ]),
);
await publishJourney(db, createRegistry(), workspace.id, journey.id);
const api = await startApi({
  DATABASE_URL: database.url,
  TEMPORAL_ADDRESS: temporal.address,
  WAYLINE_SECRET_KEY: 'cd'.repeat(32),
});
log(`API ready in ${seconds(api.readyMs)} s`);

const accepted = new Set<string>();
const statuses = new Map<string, number>();
const statusesWhileDown = new Map<string, number>();
const badAnswers: string[] = [];
let temporalDown = false;

/** One batch of `Signed Up` for new users every interval per client; a 503 is sent again after 1 s. */
const load = batchClients({
  port: api.port,
  writeKey: workspace.writeKey,
  clients: CLIENTS,
  intervalMs: INTERVAL_MS,
  badAnswers,
  batch: (client, seq) => {
    const users = Array.from({ length: BATCH }, (_, i) => `u${client}-${seq}-${i}`);
    const events = users.map((userId) => ({
      type: 'track',
      event: 'Signed Up',
      userId,
      messageId: `signup-${userId}`,
    }));
    return { ids: users, events };
  },
  answered: (response, text, users) => {
    const down = temporalDown;
    const counts = down ? statusesWhileDown : statuses;
    counts.set(String(response.status), (counts.get(String(response.status)) ?? 0) + 1);
    if (response.status < 300) {
      for (const user of users) accepted.add(user);
      return 'done';
    }
    badAnswers.push(`${response.status}${down ? ' while Temporal was away' : ''}: ${text.slice(0, 300)}`);
    return response.status === 503 ? 1000 : 'done';
  },
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
  await load.stop();

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

  const runRows = await sql<{ external_id: string; runs: number; workflow_ids: string[] }[]>`
    select c.external_id, count(r.id)::int as runs,
      coalesce(array_agg(r.workflow_id) filter (where r.id is not null), '{}') as workflow_ids
    from contacts c left join journey_runs r on r.contact_id = c.id and r.journey_id = ${journey.id}
    where c.workspace_id = ${workspace.id} group by c.external_id`;
  const runsOf = new Map(runRows.map((r) => [r.external_id, r.runs]));
  temporalClient = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  // Each run row's workflow, asked of Temporal by id (consistent at once, unlike its list).
  const runWorkflowIds = runRows.flatMap((r) => r.workflow_ids);
  const client = temporalClient;
  const withoutWorkflow = (
    await Promise.all(
      runWorkflowIds.map((id) =>
        client.workflow
          .getHandle(id)
          .describe()
          .then(
            () => undefined,
            (error: Error) => (error.name === 'WorkflowNotFoundError' ? id : Promise.reject(error)),
          ),
      ),
    )
  ).filter((id) => id !== undefined);
  // Temporal's list of the journey's runs, which catches up with the starts a little later.
  const prefix = `wl:${workspace.id}:${journey.id}:`;
  let workflows = new Map<string, number>();
  const listedBy = performance.now() + VISIBILITY_SECONDS * 1000;
  do {
    workflows = new Map();
    for await (const execution of temporalClient.workflow.list()) {
      if (execution.workflowId.startsWith(prefix))
        workflows.set(execution.workflowId, (workflows.get(execution.workflowId) ?? 0) + 1);
    }
    if (workflows.size >= runWorkflowIds.length) break;
    await sleep(500);
  } while (performance.now() < listedBy);
  const known = new Set(runWorkflowIds);
  const strayWorkflows = [...workflows.keys()].filter((id) => !known.has(id));
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
  if (withoutWorkflow.length > 0)
    failures.push(
      `${withoutWorkflow.length} run rows have no workflow in Temporal: ${withoutWorkflow.slice(0, 3)}`,
    );
  if (strayWorkflows.length > 0)
    failures.push(
      `${strayWorkflows.length} workflows in Temporal have no run row: ${strayWorkflows.slice(0, 3)}`,
    );
  if (workflows.size !== accepted.size)
    failures.push(
      `${workflows.size} workflows listed by Temporal ${VISIBILITY_SECONDS} s after the outbox drained, for ${accepted.size} accepted events`,
    );
  failures.push(...[...new Set(badAnswers)].slice(0, 5));
  numbers = {
    clients: CLIENTS,
    downSeconds: DOWN_SECONDS,
    eventsSent: load.sent(),
    accepted: accepted.size,
    acceptedWhileDown,
    statuses: Object.fromEntries(statuses),
    statusesWhileDown: Object.fromEntries(statusesWhileDown),
    runsStarted: [...runsOf.values()].reduce((a, b) => a + b, 0),
    workflowsInTemporal: runWorkflowIds.length - withoutWorkflow.length,
    workflowsListed: workflows.size,
    lostRuns,
    duplicateRuns,
    outboxLagSeconds: drainedAt === undefined ? null : seconds(drainedAt - backAt),
  };
} finally {
  await load.stop(0);
  if (failures.length) log(`the API's last log lines:\n${api.tail()}`);
  await temporalClient?.connection.close();
  await sql.end();
  await api.kill();
  await close();
}
finish('temporal-unreachable', numbers, failures);

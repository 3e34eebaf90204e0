/**
 * Fault scenario: the Temporal dev server restarts (its state in a `--db-filename` file) while
 * journey runs are parked between two emails, on a `wait.duration` timer and on a `wait.event`.
 * A `wayline worker` and a `wayline api` process keep running; after the restart the awaited
 * event is tracked through the API, so it travels the outbox to the waiting runs.
 *
 *   npx tsx tests/faults/temporal-restart.ts
 *   FAULT_RESTART_CONTACTS=40 FAULT_RESTART_WAIT_SECONDS=20 FAULT_MAX_TEMPORAL_RECOVERY_SECONDS=60
 *
 * Bounds: every run completes (none lost), every contact gets both emails exactly once at the
 * SMTP sink (none sent twice), and the last run finishes within
 * FAULT_MAX_TEMPORAL_RECOVERY_SECONDS of the restart. Uses TEST_DATABASE_URL when set, else a
 * PostgreSQL server of its own.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { contacts } from '../../db/schema';
import { createJourney, publishJourney } from '../../engine/automation/journeys/journeys';
import { createRegistry } from '../../engine/automation/nodes';
import { enrollContact } from '../../engine/automation/runs/enroll';
import {
  awaitRuns,
  emailToSink,
  emailWaitEmail,
  env,
  finish,
  logger,
  openScenario,
  seconds,
  sleep,
  startApi,
  startSmtpSink,
  startWayline,
  type WaylineProcess,
} from './parts';

const CONTACTS = env('FAULT_RESTART_CONTACTS', 40, 20);
const WAIT_SECONDS = env('FAULT_RESTART_WAIT_SECONDS', 20, 12);
const MAX_RECOVERY_SECONDS = env('FAULT_MAX_TEMPORAL_RECOVERY_SECONDS', 60);
const DEADLINE_SECONDS = env('FAULT_DEADLINE_SECONDS', 240);
const log = logger('temporal-restart');

const { db, database, workspace, temporal, close } = await openScenario({ workspace: 'Temporal restart' });
const sink = await startSmtpSink();
const secretKey = randomBytes(32).toString('hex');
await emailToSink(db, workspace.id, sink.port, secretKey);

/** A published journey: email, then `wait`, then email on the wait's `port`. */
async function journeyWith(name: string, wait: { type: string; config: unknown }, port: string) {
  const journey = await createJourney(db, workspace.id, { name, ...emailWaitEmail(wait, port) });
  await publishJourney(db, createRegistry(), workspace.id, journey.id);
  const people = await db
    .insert(contacts)
    .values(
      Array.from({ length: CONTACTS }, (_, i) => ({
        workspaceId: workspace.id,
        externalId: `${name}-${i}`,
        email: `c${i}@${name}.test`,
      })),
    )
    .returning({ id: contacts.id, externalId: contacts.externalId });
  return { journeyId: journey.id, name, people };
}
const timer = await journeyWith(
  'timer',
  { type: 'wait.duration', config: { duration: { amount: WAIT_SECONDS, unit: 'seconds' } } },
  'next',
);
const checkout = await journeyWith(
  'checkout',
  { type: 'wait.event', config: { event: 'Order Paid', timeout: { amount: 1, unit: 'hours' } } },
  'matched',
);

const taskQueue = `faults-${randomBytes(3).toString('hex')}`;
const processEnv = {
  DATABASE_URL: database.url,
  TEMPORAL_ADDRESS: temporal.address,
  WAYLINE_TASK_QUEUE: taskQueue,
  WAYLINE_SECRET_KEY: secretKey,
  WAYLINE_SEND_RATE: '1000',
};
const [worker, api] = await Promise.all([startWayline('worker', processEnv), startApi(processEnv)]);
const processes: WaylineProcess[] = [worker, api];
log(`worker and API ready in ${seconds(Math.max(...processes.map((p) => p.readyMs)))} s`);
const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });

const failures: string[] = [];
let numbers: Record<string, unknown> = {};
try {
  const runs: string[] = [];
  for (const journey of [timer, checkout]) {
    for (const person of journey.people) {
      const result = await enrollContact(
        { db, temporal: client, taskQueue },
        { workspaceId: workspace.id, journeyId: journey.journeyId, contactId: person.id },
      );
      if (result.enrolled) runs.push(result.workflowId);
    }
  }
  const everyFirst = () => sink.deliveries('.test', 'first').unique >= 2 * CONTACTS;
  const firstDeadline = performance.now() + DEADLINE_SECONDS * 1000;
  while (!everyFirst() && performance.now() < firstDeadline) await sleep(100);
  const parked = {
    timer: CONTACTS - sink.deliveries('timer.test', 'second').received,
    checkout: CONTACTS - sink.deliveries('checkout.test', 'second').received,
  };
  log(
    `${runs.length} runs enrolled, first emails sent; parked: ${JSON.stringify(parked)}; restarting Temporal`,
  );
  const stoppedAt = performance.now();
  await temporal.stop();
  await temporal.start();
  const restartedAt = performance.now();
  log(`Temporal restarted in ${seconds(restartedAt - stoppedAt)} s; tracking Order Paid for every checkout`);

  const authorization = `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}`;
  const trackStatuses = new Map<number, number>();
  for (const person of checkout.people) {
    const response = await fetch(`http://127.0.0.1:${api.port}/v1/track`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        event: 'Order Paid',
        userId: person.externalId,
        messageId: `paid-${person.id}`,
      }),
    });
    trackStatuses.set(response.status, (trackStatuses.get(response.status) ?? 0) + 1);
  }
  const result = await awaitRuns(client, runs, performance.now() + DEADLINE_SECONDS * 1000);
  const part = (domain: string) => ({
    first: sink.deliveries(domain, 'first'),
    second: sink.deliveries(domain, 'second'),
  });
  const sent = { timer: part('timer.test'), checkout: part('checkout.test') };
  const duplicates = Object.values(sent).reduce((n, p) => n + p.first.duplicates + p.second.duplicates, 0);
  const missing = Object.values(sent).reduce(
    (n, p) => n + (CONTACTS - p.first.unique) + (CONTACTS - p.second.unique),
    0,
  );
  const recovery = seconds(result.lastDoneAt - restartedAt);
  const runsLost = runs.length - result.done;
  if (runs.length !== 2 * CONTACTS) failures.push(`${runs.length} of ${2 * CONTACTS} runs enrolled`);
  if (parked.timer + parked.checkout === 0)
    failures.push('no run was waiting at the restart: the fault missed');
  if (runsLost > 0) failures.push(`${runsLost} runs lost`);
  if (duplicates > 0) failures.push(`${duplicates} duplicate deliveries`);
  if (missing > 0) failures.push(`${missing} emails never arrived`);
  if ([...trackStatuses.keys()].some((s) => s >= 300))
    failures.push(`Order Paid answered ${JSON.stringify(Object.fromEntries(trackStatuses))}`);
  if (recovery > MAX_RECOVERY_SECONDS)
    failures.push(`runs finished ${recovery} s after the restart (bound ${MAX_RECOVERY_SECONDS} s)`);
  numbers = {
    runs: runs.length,
    parkedAtRestart: parked,
    runsLost,
    deliveries: sink.mails.length,
    duplicateDeliveries: duplicates,
    missingDeliveries: missing,
    restartSeconds: seconds(restartedAt - stoppedAt),
    recoverySeconds: recovery,
  };
} finally {
  for (const p of processes) await p.kill();
  await client.connection.close();
  await sink.close();
  await close();
}
finish('temporal-restart', numbers, failures);

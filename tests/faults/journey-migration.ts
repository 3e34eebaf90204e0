/**
 * Fault scenario: migrate `FAULT_MIGRATION_RUNS` (1,000; quick mode 150) waiting runs to a new
 * journey version and SIGKILL the `wayline worker` that is moving them after its first batch;
 * a replacement worker finishes the migration. Real parts: a Temporal dev server, PostgreSQL,
 * worker processes as production runs them.
 *
 *   npx tsx tests/faults/journey-migration.ts        (TEST_DATABASE_URL, else its own PostgreSQL)
 *   FAULT_MIGRATION_RUNS=1000 FAULT_MAX_RECOVERY_SECONDS=180
 *
 * v1: trigger → wait a day → tag "v1"; v2: the wait is 2 seconds (over for every waiting run:
 * they continue at once) → tag "v2". Reported and bounded: runs not on the new path (0), runs
 * moved twice or tagged twice (0), runs that took the old path (0), and recovery: the
 * replacement worker polling → the migration `done` (FAULT_MAX_RECOVERY_SECONDS, the activity's
 * 10 s heartbeat timeout included).
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { and, eq, inArray } from 'drizzle-orm';
import { contacts, journeyMigrations, journeyRunMigrations, journeyRuns, nodeVisits } from '../../db/schema';
import { createJourney, publishJourney, saveDraft } from '../../engine/automation/journeys/journeys';
import { createRegistry } from '../../engine/automation/nodes';
import { enrollContact } from '../../engine/automation/runs/enroll';
import { migrateJourneyRuns } from '../../engine/operations/journey-lifecycle';
import { shortenedJourney, waitingJourney } from '../engine/journeys/migration-fixtures';
import {
  awaitRuns,
  env,
  finish,
  logger,
  openScenario,
  seconds,
  sleep,
  startWayline,
  type WaylineProcess,
  workflowBundleFor,
} from './parts';

const RUNS = env('FAULT_MIGRATION_RUNS', 1000, 150);
const MAX_RECOVERY_SECONDS = env('FAULT_MAX_RECOVERY_SECONDS', 180, 60);
const DEADLINE_SECONDS = env('FAULT_DEADLINE_SECONDS', 600, 300);
const log = logger('journey-migration');

const v1 = waitingJourney;
const v2 = shortenedJourney(2);

const { db, database, workspace, temporal, scratch, close } = await openScenario({
  workspace: 'Migration kills',
});
const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
const taskQueue = `faults-${randomBytes(3).toString('hex')}`;
const bundle = await workflowBundleFor(scratch);
const worker = () =>
  startWayline('worker', {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    WAYLINE_TASK_QUEUE: taskQueue,
    WAYLINE_SECRET_KEY: randomBytes(32).toString('hex'),
    WAYLINE_WORKFLOW_BUNDLE: bundle,
  });

const failures: string[] = [];
let numbers: Record<string, unknown> = {};
let first: WaylineProcess | undefined;
let second: WaylineProcess | undefined;
try {
  // On a loaded machine the dev server may answer before its namespace is registered.
  for (let tries = 0; ; tries += 1) {
    try {
      await client.workflowService.describeNamespace({ namespace: 'default' });
      break;
    } catch (error) {
      if (tries > 120) throw error;
      await sleep(500);
    }
  }
  first = await worker();
  const journey = await createJourney(db, workspace.id, v1);
  await publishJourney(db, createRegistry(), workspace.id, journey.id);
  const people = await db
    .insert(contacts)
    .values(Array.from({ length: RUNS }, (_, i) => ({ workspaceId: workspace.id, externalId: `m-${i}` })))
    .returning({ id: contacts.id });
  const deps = { db, temporal: client, taskQueue };
  const enrolling = performance.now();
  const workflowIds: string[] = [];
  for (let i = 0; i < people.length; i += 50) {
    const batch = await Promise.all(
      people
        .slice(i, i + 50)
        .map((p) =>
          enrollContact(deps, { workspaceId: workspace.id, journeyId: journey.id, contactId: p.id }),
        ),
    );
    for (const r of batch) if (r.enrolled) workflowIds.push(r.workflowId);
  }
  for (;;) {
    const waiting = await db
      .select({ id: nodeVisits.id })
      .from(nodeVisits)
      .where(and(eq(nodeVisits.journeyId, journey.id), eq(nodeVisits.nodeId, 'wait')));
    if (waiting.length >= RUNS) break;
    if (performance.now() - enrolling > DEADLINE_SECONDS * 1000)
      throw new Error('runs did not reach the wait');
    await sleep(500);
  }
  const enrollSeconds = seconds(performance.now() - enrolling);
  log(`${RUNS} runs wait in v1 (${enrollSeconds} s)`);
  await saveDraft(db, workspace.id, journey.id, v2);
  await publishJourney(db, createRegistry(), workspace.id, journey.id);
  await sleep(2_500);

  const migrating = performance.now();
  const { migration } = await migrateJourneyRuns(deps, workspace.id, journey.id, {}, 'faults');
  const progress = async () =>
    (await db.select().from(journeyMigrations).where(eq(journeyMigrations.id, migration.id)))[0];
  while ((await progress()).moved < 100) await sleep(50);
  await first.kill();
  const killedAt = performance.now();
  const movedAtKill = (await progress()).moved;
  log(`worker killed with ${movedAtKill} of ${RUNS} runs moved; starting a replacement`);
  second = await worker();
  const replacementReady = performance.now();
  let row = await progress();
  while (row.status === 'running' && performance.now() - killedAt < DEADLINE_SECONDS * 1000) {
    await sleep(250);
    row = await progress();
  }
  // Recovery: the replacement polling → the migration done (its start-up is reported apart).
  const recoverySeconds = seconds(performance.now() - replacementReady);
  const replacementStartSeconds = seconds(replacementReady - killedAt);
  const { done } = await awaitRuns(client, workflowIds, performance.now() + DEADLINE_SECONDS * 1000);
  const allDoneSeconds = seconds(performance.now() - migrating);

  const runs = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
  const visits = await db.select().from(nodeVisits).where(inArray(nodeVisits.workflowId, workflowIds));
  const history = await db
    .select()
    .from(journeyRunMigrations)
    .where(eq(journeyRunMigrations.migrationId, migration.id));
  /** Per run, how many of its visits `keep` selects. */
  const count = (keep: (v: (typeof visits)[number]) => boolean) => {
    const counts = new Map<string, number>();
    for (const v of visits) if (keep(v)) counts.set(v.workflowId, (counts.get(v.workflowId) ?? 0) + 1);
    return counts;
  };
  const per = (nodeId: string) => count((v) => v.nodeId === nodeId);
  const tagged = per('tag-new');
  const notOnNewPath = workflowIds.filter((id) => tagged.get(id) !== 1).length;
  const taggedTwice = [...tagged.values()].filter((n) => n > 1).length;
  const oldPath = per('tag-old').size;
  // Each run's v1 wait ended "migrated" once and it waited on v2 once, under another visit number.
  const migratedOnV1 = count((v) => v.nodeId === 'wait' && v.version === 1 && v.port === 'migrated');
  const waitedOnV2 = count((v) => v.nodeId === 'wait' && v.version === 2);
  const visitRecordsWrong = workflowIds.filter(
    (id) => migratedOnV1.get(id) !== 1 || waitedOnV2.get(id) !== 1,
  ).length;
  const movedTwice = history.length - new Set(history.map((h) => h.workflowId)).size;
  numbers = {
    runs: RUNS,
    enrollSeconds,
    movedAtKill,
    migration: { status: row.status, moved: row.moved, kept: row.kept, failed: row.failed },
    replacementStartSeconds,
    recoverySeconds,
    allDoneSeconds,
    completed: done,
    onVersion2: runs.filter((r) => r.version === 2 && r.status === 'completed').length,
    notOnNewPath,
    taggedTwice,
    oldPath,
    movedTwice,
    visitRecordsWrong,
    loadAverage: (await import('node:os')).loadavg()[0].toFixed(1),
  };
  if (row.status !== 'done' || row.moved !== RUNS)
    failures.push(`migration ended ${row.status} with ${row.moved} moved`);
  if (notOnNewPath > 0) failures.push(`${notOnNewPath} runs did not take the new path exactly once`);
  if (taggedTwice + movedTwice > 0) failures.push(`${taggedTwice + movedTwice} runs moved or tagged twice`);
  if (oldPath > 0) failures.push(`${oldPath} runs took the old path`);
  if (visitRecordsWrong > 0)
    failures.push(`${visitRecordsWrong} runs lack one "migrated" v1 wait visit and one v2 wait visit`);
  if (recoverySeconds > MAX_RECOVERY_SECONDS) failures.push(`recovery took ${recoverySeconds} s`);
} catch (error) {
  failures.push(String(error));
} finally {
  await first?.kill();
  await second?.kill();
  await close();
}
finish('journey-migration', numbers, failures);

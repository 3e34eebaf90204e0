import { Client, Connection } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../../db';
import {
  contacts,
  journeyMigrations,
  journeyRunMigrations,
  journeyRuns,
  nodeVisits,
} from '../../../db/schema';
import { publishJourney, saveDraft } from '../../../engine/automation/journeys/journeys';
import { createRegistry } from '../../../engine/automation/nodes';
import { enrollContact } from '../../../engine/automation/runs/enroll';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { migrateJourneyRuns, migrationWorkflowId } from '../../../engine/operations/journey-lifecycle';
import { openTestDb } from '../../helpers/databases';
import { publishGraph } from '../../helpers/fixtures';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';
import { eventually } from '../audience/ingest/ingest-harness';
import { shortenedJourney, waitingJourney } from './migration-fixtures';

const RUNS = 24;
const BATCH = 4;

const v1 = waitingJourney;
const v2 = shortenedJourney(1);

/**
 * A migration runs as the `journeyMigration` workflow: the API that started it can go away, and
 * a worker stopped in the middle of it leaves the rest to the next worker, which resumes where
 * the last batch ended (real Temporal dev server, PGlite).
 */
describe('a migration outlives the API and a worker restart (Temporal dev server)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let stopWorker: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    ({ stop: stopWorker } = await startWorker(temporal, database.db));
  });
  afterAll(async () => {
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  it('finishes the move after the API is gone and the worker restarted mid-way, each run once', async () => {
    const { db } = database;
    const deps = { db, temporal: temporal.client, taskQueue: temporal.taskQueue };
    const workspace = await createWorkspace(db, 'Durable');
    const { journey } = await publishGraph(db, workspace.id, v1, createRegistry());
    const people = await db
      .insert(contacts)
      .values(Array.from({ length: RUNS }, (_, i) => ({ workspaceId: workspace.id, externalId: `d-${i}` })))
      .returning({ id: contacts.id });
    await Promise.all(
      people.map((p) =>
        enrollContact(deps, { workspaceId: workspace.id, journeyId: journey.id, contactId: p.id }),
      ),
    );
    await eventually(async () => {
      const waiting = await db
        .select({ id: nodeVisits.id })
        .from(nodeVisits)
        .where(and(eq(nodeVisits.journeyId, journey.id), eq(nodeVisits.nodeId, 'wait')));
      return waiting.length === RUNS;
    }, 60_000);
    await saveDraft(db, workspace.id, journey.id, v2);
    await publishJourney(db, createRegistry(), workspace.id, journey.id);

    // The "API": its own connection, closed as soon as the migration is accepted.
    const apiConnection = await Connection.connect({ address: inject('temporalAddress') });
    const api = { db, temporal: new Client({ connection: apiConnection }), taskQueue: temporal.taskQueue };
    const { migration } = await migrateJourneyRuns(api, workspace.id, journey.id, {}, 'test', {
      batchSize: BATCH,
    });
    await apiConnection.close();

    // The worker stops once the first batches are recorded, long before all are.
    await eventually(async () => {
      const [row] = await db.select().from(journeyMigrations).where(eq(journeyMigrations.id, migration.id));
      return row.moved >= BATCH;
    }, 60_000);
    await stopWorker!();
    stopWorker = undefined;
    const [halfway] = await db.select().from(journeyMigrations).where(eq(journeyMigrations.id, migration.id));
    expect(halfway.status).toBe('running');
    expect(halfway.moved).toBeLessThan(RUNS);

    // A new worker (the restarted process) picks the migration up and finishes it.
    ({ stop: stopWorker } = await startWorker(temporal, db));
    const result = await temporal.client.workflow.getHandle(migrationWorkflowId(migration.id)).result();
    expect(result).toEqual({ status: 'done', moved: RUNS, kept: 0, failed: 0 });
    const history = await db
      .select()
      .from(journeyRunMigrations)
      .where(eq(journeyRunMigrations.migrationId, migration.id));
    expect(history).toHaveLength(RUNS);
    expect(new Set(history.map((h) => h.workflowId)).size).toBe(RUNS);

    const runs = await eventually(async () => {
      const rows = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
      return rows.length === RUNS && rows.every((r) => r.status === 'completed') ? rows : undefined;
    }, 60_000);
    expect(runs.every((r) => r.version === 2)).toBe(true);
    // Each run took v2's path once and never v1's.
    const visits = await db.select().from(nodeVisits).where(eq(nodeVisits.journeyId, journey.id));
    // Each run's wait on v1 ended "migrated" (once), and it re-entered the wait on v2 under the
    // next visit number (once): neither record overwrote the other.
    const migrated = visits.filter((v) => v.port === 'migrated');
    expect(migrated).toHaveLength(RUNS);
    expect(new Set(migrated.map((v) => v.workflowId)).size).toBe(RUNS);
    expect(migrated.every((v) => v.nodeId === 'wait' && v.version === 1)).toBe(true);
    expect(migrated.every((v) => (v.outcome as { toVersion?: number }).toVersion === 2)).toBe(true);
    const waitedOnV2 = visits.filter((v) => v.nodeId === 'wait' && v.version === 2);
    expect(waitedOnV2).toHaveLength(RUNS);
    expect(new Set(waitedOnV2.map((v) => v.workflowId)).size).toBe(RUNS);
    expect(waitedOnV2.every((v) => v.port === 'next')).toBe(true);
    const migratedVisit = new Map(migrated.map((v) => [v.workflowId, v.visit]));
    expect(waitedOnV2.every((v) => v.visit > (migratedVisit.get(v.workflowId) ?? Infinity))).toBe(true);
    // Nothing else of v1's wait is left open or taken.
    expect(visits.filter((v) => v.nodeId === 'wait')).toHaveLength(2 * RUNS);
    const tagged = visits.filter((v) => v.nodeId === 'tag-new');
    expect(tagged).toHaveLength(RUNS);
    expect(new Set(tagged.map((v) => v.workflowId)).size).toBe(RUNS);
    expect(visits.filter((v) => v.nodeId === 'tag-old')).toHaveLength(0);
    const tags = await db
      .select({ tags: contacts.tags })
      .from(contacts)
      .where(eq(contacts.workspaceId, workspace.id));
    expect(tags.map((c) => JSON.stringify(c.tags))).toEqual(Array(RUNS).fill('["v2"]'));
  }, 180_000);
});

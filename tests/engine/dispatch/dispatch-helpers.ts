import { afterAll, beforeAll } from 'vitest';
import type { Database, Db } from '../../../db';
import {
  type Dispatcher,
  type DispatcherOptions,
  startDispatcher,
} from '../../../engine/dispatch/dispatcher';
import { type DatabaseKind, openTestDb } from '../../helpers/databases';
import { line, publishGraph } from '../../helpers/fixtures';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

/** What a file of dispatcher tests shares: its database, the suite's Temporal, the dispatcher a test started. */
export interface DispatchSuite {
  database: Database & { url?: string };
  temporal: TemporalHarness;
  dispatcher?: Dispatcher;
}

/** Opens the database of `kind` and Temporal before the file's tests, and closes them (and the dispatcher) after. */
export function dispatchSuite(kind: DatabaseKind): DispatchSuite {
  const suite = {} as DispatchSuite;
  beforeAll(async () => {
    suite.database = await openTestDb(kind);
    suite.temporal = await devServerTemporal();
  });
  afterAll(async () => {
    await suite.dispatcher?.stop();
    await suite.temporal?.close();
    await suite.database?.close();
  });
  return suite;
}

/**
 * Starts the suite's dispatcher anew with a loop that has looked once, at an empty outbox, and
 * then sleeps: only rows handed over to `deliver` are delivered.
 */
export async function handOverOnlyDispatcher(
  suite: DispatchSuite,
  options: DispatcherOptions = {},
): Promise<Dispatcher> {
  await suite.dispatcher?.stop();
  suite.dispatcher = startDispatcher(
    { db: suite.database.db, temporal: suite.temporal.client, taskQueue: suite.temporal.taskQueue },
    { pollMs: 600_000, ...options },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  return suite.dispatcher;
}

/** A journey `Signed Up` → exit, published in the workspace. */
export function publishSignUpJourney(db: Db, workspaceId: string) {
  return publishGraph(
    db,
    workspaceId,
    line('Welcome', [
      { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' } },
      { id: 'done', type: 'exit', config: {} },
    ]),
  );
}

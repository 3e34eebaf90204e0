import { afterAll, beforeAll } from 'vitest';
import type { Database, Db } from '../../db';
import type { NodeRegistry } from '../../engine/automation/nodes/registry';
import { type DatabaseKind, openTestDb } from './databases';
import { devServerTemporal, startWorker, type TemporalHarness, timeSkippingTemporal } from './temporal';

export interface JourneyStack {
  database: Database;
  db: Db;
  temporal: TemporalHarness;
}

export interface JourneyStackOptions {
  /** The worker's registry; the built-in nodes with test channel deps when absent. */
  registry?: (db: Db) => NodeRegistry;
  database?: DatabaseKind;
}

/**
 * A fresh database, a real Temporal server (the time-skipping test server, or the dev server of
 * the test run) and a worker on them, for the tests of one `describe`; all stopped after it.
 */
export function journeyStack(
  server: 'time-skipping' | 'dev-server',
  options: JourneyStackOptions = {},
): JourneyStack {
  const stack = {} as JourneyStack;
  let stopWorker: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    stack.database = await openTestDb(options.database);
    stack.db = stack.database.db;
    stack.temporal = server === 'time-skipping' ? await timeSkippingTemporal() : await devServerTemporal();
    ({ stop: stopWorker } = await startWorker(stack.temporal, stack.db, options.registry?.(stack.db)));
  });
  afterAll(async () => {
    await stopWorker?.();
    await stack.temporal?.close();
    await stack.database?.close();
  });
  return stack;
}

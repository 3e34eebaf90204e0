import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db';

/** Outbox rows of the workspace not yet delivered. */
export async function pendingOutboxRows(db: Db, workspaceId: string): Promise<number> {
  const counted: any = await db.execute(
    sql`select count(*)::int as n from outbox where workspace_id = ${workspaceId} and status = 'pending'`,
  );
  return (counted.rows ?? counted)[0].n;
}

/**
 * Waits until the dispatcher has delivered the workspace's pending outbox rows, at most
 * `limitMs`, looking every `everyMs`: what a load left behind goes out before the next load.
 */
export async function drainOutbox(db: Db, workspaceId: string, { limitMs = 60_000, everyMs = 500 } = {}) {
  const started = performance.now();
  const pendingAtStart = await pendingOutboxRows(db, workspaceId);
  let left = pendingAtStart;
  while (left > 0 && performance.now() - started < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    left = await pendingOutboxRows(db, workspaceId);
  }
  return { pendingAtStart, left, tookMs: performance.now() - started };
}

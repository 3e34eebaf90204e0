import { performance } from 'node:perf_hooks';
import type { Db } from '../../db';
import { pendingRows } from '../../tests/helpers/outbox';

/**
 * Waits until the dispatcher has delivered the workspace's pending outbox rows, at most
 * `limitMs`, looking every `everyMs`: what a load left behind goes out before the next load.
 */
export async function drainOutbox(db: Db, workspaceId: string, { limitMs = 60_000, everyMs = 500 } = {}) {
  const started = performance.now();
  const pendingAtStart = await pendingRows(db, workspaceId);
  let left = pendingAtStart;
  while (left > 0 && performance.now() - started < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    left = await pendingRows(db, workspaceId);
  }
  return { pendingAtStart, left, tookMs: performance.now() - started };
}

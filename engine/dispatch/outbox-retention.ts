import type { Db } from '../../db';
import { newestOutboxIdBefore, pruneDelivered } from './outbox-queue';

export interface OutboxPrunerOptions {
  /** How long a delivered row is kept (for inspection and the outbox gauges) before it is deleted. */
  retentionMs: number;
  /** How often the pruner looks. */
  everyMs: number;
  /** Rows deleted per statement; a pruning keeps going while statements come back full. */
  chunk?: number;
  log?: { warn(fields: Record<string, unknown>, message: string): void };
}

export interface OutboxPruner {
  /** Prunes now (what the timer does); the rows deleted. */
  prune(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Deletes delivered outbox rows once they are older than the retention, so the outbox holds the
 * backlog and the last hour or so instead of every event ever accepted. Each look finds the
 * newest row created a retention ago (`newestOutboxIdBefore`) and deletes the rows up to it that
 * were delivered before then, in chunks, oldest first. The id bound keeps each statement a short
 * read of the primary key's front whatever the outbox holds; a row delivered late (after an
 * outage) waits for a later look. The bound comes from the rows themselves, so a process's first
 * look already deletes what processes before it left.
 */
export function startOutboxPruner(db: Db, options: OutboxPrunerOptions): OutboxPruner {
  const chunk = options.chunk ?? 5_000;
  let running: Promise<number> | undefined;

  const pruneOnce = async (): Promise<number> => {
    const cutoff = new Date(Date.now() - options.retentionMs);
    const upToId = await newestOutboxIdBefore(db, cutoff);
    if (upToId === 0) return 0;
    let deleted = 0;
    for (;;) {
      const n = await pruneDelivered(db, { upToId, deliveredBefore: cutoff, limit: chunk });
      deleted += n;
      if (n < chunk) return deleted;
    }
  };

  const prune = (): Promise<number> => {
    running ??= pruneOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    prune().catch((error) => options.log?.warn({ err: (error as Error).message }, 'outbox pruning failed'));
  }, options.everyMs);
  timer.unref();

  return {
    prune,
    stop: async () => {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}

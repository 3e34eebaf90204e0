import type { Db } from '../../db';
import { newestOutboxId, pruneDelivered } from './outbox-queue';

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
 * backlog and the last hour or so instead of every event ever accepted. Every look notes the
 * newest row's id; rows up to the id noted one retention ago, delivered before then, are deleted
 * in chunks, oldest first. The id bound keeps each statement a short read of the primary key's
 * front whatever the outbox holds; a row delivered late (after an outage) waits for a later look.
 */
export function startOutboxPruner(db: Db, options: OutboxPrunerOptions): OutboxPruner {
  const chunk = options.chunk ?? 5_000;
  const marks: { at: number; id: number }[] = [];
  let running: Promise<number> | undefined;

  const pruneOnce = async (): Promise<number> => {
    const now = Date.now();
    marks.push({ at: now, id: await newestOutboxId(db) });
    const cutoff = now - options.retentionMs;
    let upTo: { at: number; id: number } | undefined;
    while (marks.length > 0 && marks[0].at <= cutoff) upTo = marks.shift();
    if (!upTo) return 0;
    // The mark is kept for the next look, so a row delivered late goes at a later one.
    marks.unshift(upTo);
    let deleted = 0;
    for (;;) {
      const n = await pruneDelivered(db, {
        upToId: upTo.id,
        deliveredBefore: new Date(cutoff),
        limit: chunk,
      });
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

import type { Db } from '../../../db';
import type { StoreResult } from './store';
import { type BatchItem, storeBatch } from './store-batch';

/** Requests with more events than this are stored on their own (they are batches already). */
const SMALL_REQUEST = 50;
/** Most events stored together for requests that arrived while a store was under way. */
const MOST_TOGETHER = 500;

interface Waiting {
  items: BatchItem[];
  resolve(results: Map<number, StoreResult>): void;
  reject(error: unknown): void;
}

interface Queue {
  waiting: Waiting[];
  storing: boolean;
}

const queues = new WeakMap<Db, Map<string, Queue>>();

/**
 * Stores a request's events like `storeBatch`, but small requests (single `track` calls) of a
 * workspace that arrive while an earlier one is being stored wait for it, then are stored
 * together in one set-based transaction, each request answered with its own outcomes. A
 * request alone is stored at once, so an idle server adds no wait; a busy one pays one
 * transaction for many requests instead of one each, which is what bounded single events to a
 * few hundred a second. Arrival order is kept (one store at a time per workspace and process),
 * and the first write of a message id still wins, across the requests stored together too.
 * When storing them together fails, each request is stored again on its own, so only the
 * requests that fail alone fail.
 */
export function storeCoalesced(
  db: Db,
  workspaceId: string,
  items: BatchItem[],
): Promise<Map<number, StoreResult>> {
  if (items.length > SMALL_REQUEST) return storeBatch(db, workspaceId, items);
  const byWorkspace = queues.get(db) ?? new Map<string, Queue>();
  queues.set(db, byWorkspace);
  const queue = byWorkspace.get(workspaceId) ?? { waiting: [], storing: false };
  byWorkspace.set(workspaceId, queue);
  return new Promise((resolve, reject) => {
    queue.waiting.push({ items, resolve, reject });
    if (!queue.storing) void drain(db, workspaceId, queue, byWorkspace);
  });
}

async function drain(db: Db, workspaceId: string, queue: Queue, byWorkspace: Map<string, Queue>) {
  queue.storing = true;
  try {
    while (queue.waiting.length) {
      const group: Waiting[] = [];
      let count = 0;
      while (
        queue.waiting.length &&
        (group.length === 0 || count + queue.waiting[0].items.length <= MOST_TOGETHER)
      ) {
        const next = queue.waiting.shift() as Waiting;
        group.push(next);
        count += next.items.length;
      }
      await storeGroup(db, workspaceId, group);
    }
  } finally {
    queue.storing = false;
    if (queue.waiting.length === 0) byWorkspace.delete(workspaceId);
  }
}

async function storeGroup(db: Db, workspaceId: string, group: Waiting[]): Promise<void> {
  if (group.length === 1) {
    const [only] = group;
    try {
      only.resolve(await storeBatch(db, workspaceId, only.items));
    } catch (error) {
      only.reject(error);
    }
    return;
  }
  // One batch in arrival order, its items renumbered; each result goes back to its request.
  const owners: { waiting: Waiting; index: number }[] = [];
  const together: BatchItem[] = [];
  for (const waiting of group) {
    for (const item of waiting.items) {
      owners.push({ waiting, index: item.index });
      together.push({ ...item, index: together.length });
    }
  }
  let results: Map<number, StoreResult>;
  try {
    results = await storeBatch(db, workspaceId, together);
  } catch {
    for (const waiting of group) await storeGroup(db, workspaceId, [waiting]);
    return;
  }
  const answers = new Map<Waiting, Map<number, StoreResult>>(group.map((waiting) => [waiting, new Map()]));
  owners.forEach(({ waiting, index }, position) => {
    answers.get(waiting)?.set(index, results.get(position) as StoreResult);
  });
  for (const waiting of group) waiting.resolve(answers.get(waiting) as Map<number, StoreResult>);
}

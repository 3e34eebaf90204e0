import type { TemporalDeps } from '../automation/runs/enroll';
import { DomainError } from '../errors';
import { contactsChanged } from '../operations/segment-membership';
import { type DeliveryContext, deliverOutboxRow, deliveryContext } from './deliver';
import { claimOutbox, markDelivered, markRetry, type OutboxRow } from './outbox-queue';

export interface DispatcherLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface DispatcherOptions {
  /** How often the background loop looks for due rows when nothing woke it. */
  pollMs?: number;
  batchSize?: number;
  /** Most rows handed over after commit that are claimed and delivered together. */
  handOverBatch?: number;
  /** Contacts delivered side by side. */
  concurrency?: number;
  /** How long a claimed row stays reserved for the dispatcher delivering it. */
  leaseMs?: number;
  /** Deadline of one row's Temporal calls; an unreachable server fails within it. */
  deliveryTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Attempts after which a row failing for a non-transient reason is set aside as `dead`. */
  maxAttempts?: number;
  log?: DispatcherLog;
}

export interface Dispatcher {
  /** Delivers these rows now (right after their commit); true when all of them were delivered. */
  deliver(ids: number[]): Promise<boolean>;
  /** False after a delivery failed for a transient reason, until one succeeds. */
  healthy(): boolean;
  /** Wakes the background loop. */
  kick(): void;
  stop(): Promise<void>;
}

/**
 * Starts delivering outbox rows to Temporal: rows handed to `deliver` right after their commit,
 * and a background loop that retries due rows with exponential backoff. The loop uses
 * `FOR UPDATE SKIP LOCKED`, so every API process may run one; the composition root hands it to
 * the ingest routes (`AppDeps.dispatcher`).
 */
export function startDispatcher(deps: TemporalDeps, options: DispatcherOptions = {}): Dispatcher {
  const pollMs = options.pollMs ?? 1000;
  const batchSize = options.batchSize ?? 200;
  const handOverBatch = options.handOverBatch ?? 1000;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 60_000;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
  const minBackoffMs = options.minBackoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 10;
  let stopped = false;
  let unhealthy = false;
  let wake: (() => void) | undefined;
  const inFlight = new Set<Promise<unknown>>();

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    promise.finally(() => inFlight.delete(promise)).catch(() => {});
    return promise;
  };

  const backoff = (attempts: number) =>
    Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.max(0, attempts - 1)) * (0.8 + Math.random() * 0.4);

  /**
   * Delivers claimed rows: one contact's rows in order, contacts side by side, with what the
   * batch needs read once; the delivered rows are marked in one statement.
   */
  const deliverRows = async (rows: OutboxRow[]): Promise<number[]> => {
    const byContact = new Map<string, OutboxRow[]>();
    for (const row of rows) byContact.set(row.contactId, [...(byContact.get(row.contactId) ?? []), row]);
    const delivered: number[] = [];
    let context: DeliveryContext;
    try {
      context = await deliveryContext(deps.db, rows);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.log?.warn({ rows: rows.length, err: message }, 'event dispatch failed');
      for (const row of rows)
        await markRetry(deps.db, row.id, { delayMs: backoff(row.attempts), error: message });
      return [];
    }
    const queues = [...byContact.values()];
    const deliverQueue = async (queue: OutboxRow[]) => {
      for (const [i, row] of queue.entries()) {
        try {
          await deps.temporal.withDeadline(Date.now() + deliveryTimeoutMs, () =>
            deliverOutboxRow(deps, row, context),
          );
          delivered.push(row.id);
          unhealthy = false;
        } catch (error) {
          const transient = isTransient(error);
          if (transient) unhealthy = true;
          const message = error instanceof Error ? error.message : String(error);
          options.log?.warn(
            { outboxId: row.id, attempts: row.attempts, err: message },
            'event dispatch failed',
          );
          // The rest of this contact's queue waits too, keeping its events in order.
          for (const later of queue.slice(i)) {
            await markRetry(deps.db, later.id, {
              delayMs: backoff(later.attempts),
              error: later === row ? message : `waiting for outbox row ${row.id}`,
              dead: later === row && !transient && row.attempts >= maxAttempts,
            });
          }
          return;
        }
      }
    };
    // A few contacts at a time, so delivery never takes every database connection from ingest.
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queues.length) }, async () => {
        for (let queue = queues.shift(); queue; queue = queues.shift()) await deliverQueue(queue);
      }),
    );
    const refreshed = await refreshSegments(rows, new Set(delivered));
    await markDelivered(deps.db, refreshed);
    return refreshed;
  };

  /**
   * Re-evaluates the segments of the contacts whose rows were delivered, per workspace in a
   * few statements (not per contact). When that fails, each contact's last row goes back to
   * the outbox, so its redelivery re-evaluates it; delivering a row again is harmless.
   */
  const refreshSegments = async (rows: OutboxRow[], delivered: Set<number>): Promise<number[]> => {
    const lastRow = new Map<string, OutboxRow>();
    for (const row of rows) if (delivered.has(row.id)) lastRow.set(row.contactId, row);
    const byWorkspace = new Map<string, OutboxRow[]>();
    for (const row of lastRow.values())
      byWorkspace.set(row.workspaceId, [...(byWorkspace.get(row.workspaceId) ?? []), row]);
    for (const [workspaceId, last] of byWorkspace) {
      try {
        await deps.temporal.withDeadline(Date.now() + deliveryTimeoutMs, () =>
          contactsChanged(
            deps,
            workspaceId,
            last.map((row) => row.contactId),
          ),
        );
      } catch (error) {
        const transient = isTransient(error);
        if (transient) unhealthy = true;
        const message = error instanceof Error ? error.message : String(error);
        options.log?.warn(
          { workspaceId, contacts: last.length, err: message },
          'segment re-evaluation failed',
        );
        for (const row of last) {
          delivered.delete(row.id);
          await markRetry(deps.db, row.id, {
            delayMs: backoff(row.attempts),
            error: message,
            dead: !transient && row.attempts >= maxAttempts,
          });
        }
      }
    }
    return [...delivered];
  };

  /**
   * Rows handed over right after their commit wait here and are claimed and delivered together:
   * requests arriving while a batch is delivered form the next one.
   */
  let handedOver: { ids: number[]; done: (delivered: boolean) => void }[] = [];
  let draining = false;
  const drain = async () => {
    draining = true;
    try {
      while (handedOver.length && !stopped) {
        const taken: typeof handedOver = [];
        let count = 0;
        while (handedOver.length && count < handOverBatch) {
          const next = handedOver.shift() as (typeof handedOver)[number];
          taken.push(next);
          count += next.ids.length;
        }
        const ids = taken.flatMap((entry) => entry.ids);
        let delivered = new Set<number>();
        try {
          const rows = await claimOutbox(deps.db, { limit: ids.length, leaseMs, ids });
          delivered = new Set(rows.length ? await deliverRows(rows) : []);
        } catch (error) {
          options.log?.warn({ err: (error as Error).message }, 'outbox hand-over failed');
        }
        // Rows waiting behind an earlier row of their contact go with the loop.
        if (delivered.size < ids.length) dispatcher.kick();
        for (const entry of taken) entry.done(entry.ids.every((id) => delivered.has(id)));
      }
    } finally {
      draining = false;
    }
  };

  const loop = async () => {
    while (!stopped) {
      let claimed = 0;
      try {
        const rows = await claimOutbox(deps.db, { limit: batchSize, leaseMs });
        claimed = rows.length;
        if (rows.length) await deliverRows(rows);
      } catch (error) {
        options.log?.warn({ err: (error as Error).message }, 'outbox loop failed');
      }
      // Rows were claimed: more may be due (a contact's next events, the rest of a big batch).
      if (stopped || claimed > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  const dispatcher: Dispatcher = {
    deliver: (ids) =>
      track(
        new Promise<boolean>((resolve) => {
          if (stopped || ids.length === 0) return resolve(ids.length === 0);
          handedOver.push({ ids, done: resolve });
          if (!draining) void drain();
        }),
      ),
    healthy: () => !unhealthy,
    kick: () => wake?.(),
    stop: async () => {
      stopped = true;
      wake?.();
      for (const entry of handedOver) entry.done(false);
      handedOver = [];
      await running;
      await Promise.allSettled([...inFlight]);
    },
  };
  const running = loop();
  return dispatcher;
}

/** Temporal unreachable or overloaded, a deadline hit: retry for as long as it takes. */
function isTransient(error: unknown): boolean {
  if (error instanceof DomainError) return error.kind === 'unavailable';
  const name = (error as Error)?.name ?? '';
  if (['ServiceError', 'ConnectionError', 'TransportError', 'TimeoutError'].includes(name)) return true;
  const code = (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  // gRPC UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED
  return code === 14 || code === 4 || code === 8 || code === 10;
}

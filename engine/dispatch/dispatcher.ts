import type { Db } from '../../db';
import type { TemporalDeps } from '../automation/runs/enroll';
import { DomainError } from '../errors';
import { deliverOutboxRow } from './deliver';
import { claimOutbox, markDelivered, markRetry, type OutboxRow } from './outbox-queue';

export interface DispatcherLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface DispatcherOptions {
  /** How often the background loop looks for due rows when nothing woke it. */
  pollMs?: number;
  batchSize?: number;
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
  const batchSize = options.batchSize ?? 50;
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

  /** Delivers claimed rows: one contact's rows in order, contacts side by side. */
  const deliverRows = async (rows: OutboxRow[]): Promise<number[]> => {
    const byContact = new Map<string, OutboxRow[]>();
    for (const row of rows) byContact.set(row.contactId, [...(byContact.get(row.contactId) ?? []), row]);
    const delivered: number[] = [];
    await Promise.all(
      [...byContact.values()].map(async (queue) => {
        for (const [i, row] of queue.entries()) {
          try {
            await deps.temporal.withDeadline(Date.now() + deliveryTimeoutMs, () =>
              deliverOutboxRow(deps, row),
            );
            await markDelivered(deps.db, row.id);
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
      }),
    );
    return delivered;
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
        (async () => {
          if (stopped || ids.length === 0) return ids.length === 0;
          const rows = await claimOutbox(deps.db, { limit: ids.length, leaseMs, ids });
          const delivered = rows.length ? await deliverRows(rows) : [];
          // Rows waiting behind an earlier row of their contact go with the loop.
          if (delivered.length < ids.length) dispatcher.kick();
          return delivered.length === ids.length;
        })(),
      ),
    healthy: () => !unhealthy,
    kick: () => wake?.(),
    stop: async () => {
      stopped = true;
      wake?.();
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

import { anyOf } from '../../db';
import { contacts } from '../../db/schema';
import { type ContactChange, changeKey, unionChange } from '../audience/segments/dependencies';
import type { TemporalDeps } from '../automation/runs/enroll';
import { DomainError } from '../errors';
import { contactsChanged } from '../operations/segment-membership';
import { type DeliveredEvent, type DeliveryContext, deliverOutboxRow, deliveryContext } from './deliver';
import { claimOutbox, extendLease, markDelivered, markRetry, type OutboxRow } from './outbox-queue';
import { startOutboxPruner } from './outbox-retention';

export interface DispatcherLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface DispatcherOptions {
  /** How often the background loop looks for due rows when nothing woke it. */
  pollMs?: number;
  batchSize?: number;
  /** Most rows handed over after commit that are claimed and delivered together. */
  handOverBatch?: number;
  /** Hand-overs of at most this many rows are delivered in a lane of their own (default 50). */
  expressRows?: number;
  /** Contacts delivered side by side. */
  concurrency?: number;
  /**
   * Contacts delivered side by side in the lane of small hand-overs (default 32): a trickle's
   * few rows are delivered all at once instead of eight after eight behind one another.
   */
  expressConcurrency?: number;
  /**
   * Batches the lane of small hand-overs delivers at once (default 3): a trickle's next events
   * start while one batch waits for its slowest delivery and its segment refresh.
   */
  expressBatches?: number;
  /**
   * The lane of small hand-overs starts a batch at most this often (default 50 ms), whether or
   * not the one before has delivered: an event after a quiet spell goes at once, a stream of
   * single events goes in one batch per pace with what arrived meanwhile (about 50 at 1,000 a
   * second, where batches started one after another held about 10), and a slow batch (a
   * Temporal call that takes its time) holds up the next for no longer than the pace.
   */
  expressPaceMs?: number;
  /** How long a claimed row stays reserved for the dispatcher delivering it. */
  leaseMs?: number;
  /** Deadline of one row's Temporal calls; an unreachable server fails within it. */
  deliveryTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Attempts after which a row failing for a non-transient reason is set aside as `dead`. */
  maxAttempts?: number;
  /** How long delivered rows are kept before they are deleted (default an hour; see `startOutboxPruner`). */
  retentionMs?: number;
  /** How often delivered rows past the retention are looked for (default a minute). */
  pruneEveryMs?: number;
  log?: DispatcherLog;
}

export interface Dispatcher {
  /**
   * Delivers these rows now (right after their commit); true when all of them were delivered.
   * `events`: the rows' events as their request stored them (`storedEvent`), so delivery need
   * not read them back; the events of the others are read.
   */
  deliver(ids: number[], events?: DeliveredEvent[]): Promise<boolean>;
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
 * the ingest routes (`AppDeps.dispatcher`). Delivered rows are deleted after `retentionMs`.
 */
export function startDispatcher(deps: TemporalDeps, options: DispatcherOptions = {}): Dispatcher {
  const pollMs = options.pollMs ?? 1000;
  const batchSize = options.batchSize ?? 200;
  const handOverBatch = options.handOverBatch ?? 1000;
  const expressRows = options.expressRows ?? 50;
  const concurrency = options.concurrency ?? 8;
  const expressConcurrency = options.expressConcurrency ?? 32;
  const expressBatches = options.expressBatches ?? 3;
  const expressPaceMs = options.expressPaceMs ?? 50;
  const leaseMs = options.leaseMs ?? 60_000;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
  const minBackoffMs = options.minBackoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const pruner = startOutboxPruner(deps.db, {
    retentionMs: options.retentionMs ?? 3_600_000,
    everyMs: options.pruneEveryMs ?? 60_000,
    log: options.log,
  });
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
  const deliverRows = (
    rows: OutboxRow[],
    sideBySide = concurrency,
    handedOver?: Map<string, DeliveredEvent>,
  ): Promise<number[]> => {
    // Rows put back for a retry keep their backoff; the others stay leased until marked.
    const settled = new Set<number>();
    const renewal = setInterval(() => {
      const ids = rows.filter((row) => !settled.has(row.id)).map((row) => row.id);
      extendLease(deps.db, ids, leaseMs).catch(() => {});
    }, leaseMs / 2);
    return deliverLeased(rows, sideBySide, settled, handedOver).finally(() => clearInterval(renewal));
  };

  const deliverLeased = async (
    rows: OutboxRow[],
    sideBySide: number,
    settled: Set<number>,
    handedOver?: Map<string, DeliveredEvent>,
  ): Promise<number[]> => {
    const byContact = new Map<string, OutboxRow[]>();
    for (const row of rows) byContact.set(row.contactId, [...(byContact.get(row.contactId) ?? []), row]);
    const delivered: number[] = [];
    let context: DeliveryContext;
    try {
      context = await deliveryContext(deps.db, rows, handedOver);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.log?.warn({ rows: rows.length, err: message }, 'event dispatch failed');
      for (const row of rows) {
        settled.add(row.id);
        await markRetry(deps.db, row.id, { delayMs: backoff(row.attempts), error: message });
      }
      return [];
    }
    const queues = [...byContact.values()];
    const deliverQueue = async (queue: OutboxRow[]) => {
      for (const [i, row] of queue.entries()) {
        try {
          await withDeadline(deps, deliveryTimeoutMs, () => deliverOutboxRow(deps, row, context));
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
            settled.add(later.id);
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
      Array.from({ length: Math.min(sideBySide, queues.length) }, async () => {
        for (let queue = queues.shift(); queue; queue = queues.shift()) await deliverQueue(queue);
      }),
    );
    const refreshed = await refreshSegments(rows, new Set(delivered), context, settled);
    await markDelivered(deps.db, refreshed);
    return refreshed;
  };

  /**
   * Re-evaluates the segments of the contacts whose rows were delivered, only those that can
   * answer differently after what the rows changed (`describeChanges`), per workspace and per
   * kind of change in a few statements (not per contact). When that fails, the contacts' rows
   * go back to the outbox, so their redelivery re-evaluates them; delivering a row again is
   * harmless.
   */
  const refreshSegments = async (
    rows: OutboxRow[],
    delivered: Set<number>,
    context: DeliveryContext,
    settled: Set<number>,
  ): Promise<number[]> => {
    const changes = await describeChanges(
      deps,
      rows.filter((row) => delivered.has(row.id)),
      context,
    );
    for (const [workspaceId, groups] of groupByChange(rows, changes)) {
      for (const { contactIds, change } of groups) {
        try {
          await withDeadline(deps, deliveryTimeoutMs, () =>
            contactsChanged(deps, workspaceId, contactIds, new Date(), change),
          );
        } catch (error) {
          const transient = isTransient(error);
          if (transient) unhealthy = true;
          const message = error instanceof Error ? error.message : String(error);
          options.log?.warn(
            { workspaceId, contacts: contactIds.length, err: message },
            'segment re-evaluation failed',
          );
          // Every delivered row of these contacts goes back: the redelivery describes the same change.
          const failed = new Set(contactIds);
          for (const row of rows) {
            if (!delivered.has(row.id) || !failed.has(row.contactId)) continue;
            delivered.delete(row.id);
            settled.add(row.id);
            await markRetry(deps.db, row.id, {
              delayMs: backoff(row.attempts),
              error: message,
              dead: !transient && row.attempts >= maxAttempts,
            });
          }
        }
      }
    }
    return [...delivered];
  };

  /**
   * Rows handed over right after their commit wait in a lane and are claimed and delivered
   * together: hand-overs arriving while a lane delivers form its next batch. Small hand-overs
   * (`expressRows` rows or fewer: single events, a trickle of small batches) have a lane of
   * their own, so an event sent alone never waits behind a 500-event batch's delivery and
   * segment refresh; that lane delivers up to `expressBatches` batches at once, so its next
   * events never wait for one slow delivery either, and starts one at most every
   * `expressPaceMs`: each batch gathers what arrived since the one before, instead of many
   * small ones each paying the claim, the reads and the mark for a few rows. A contact's rows
   * stay in order across lanes and batches: `claimOutbox` leaves a row whose contact has an
   * earlier row pending elsewhere, and the loop takes it once that one is delivered (kicked when
   * a lane finishes a batch).
   */
  interface HandOver {
    ids: number[];
    events?: DeliveredEvent[];
    done: (delivered: boolean) => void;
  }
  let leftToLoop = false;
  /** Rows handed over and waiting in a lane: the loop leaves them to their lane. */
  const inLanes = new Set<number>();
  const lane = (sideBySide: number, batchesAtOnce: number, paceMs = 0) => {
    let waiting: HandOver[] = [];
    let delivering = 0;
    /** When the latest batch started, and the timer that looks again once the pace allows. */
    let latestStart = Number.NEGATIVE_INFINITY;
    let paced: NodeJS.Timeout | undefined;
    const deliverBatch = async (taken: HandOver[]) => {
      const ids = taken.flatMap((entry) => entry.ids);
      for (const id of ids) inLanes.delete(id);
      let delivered = new Set<number>();
      try {
        const rows = await claimOutbox(deps.db, { limit: ids.length, leaseMs, ids });
        const handedOver = new Map(
          taken.flatMap((entry) => entry.events ?? []).map((event) => [event.id, event]),
        );
        delivered = new Set(rows.length ? await deliverRows(rows, sideBySide, handedOver) : []);
      } catch (error) {
        options.log?.warn({ err: (error as Error).message }, 'outbox hand-over failed');
      }
      // Rows waiting behind an earlier row of their contact (maybe in the other lane or batch)
      // go with the loop, woken now and again when a lane has delivered a batch.
      if (delivered.size < ids.length) leftToLoop = true;
      if (leftToLoop) {
        leftToLoop = delivered.size < ids.length;
        dispatcher.kick();
      }
      for (const entry of taken) entry.done(entry.ids.every((id) => delivered.has(id)));
    };
    /**
     * Starts batches of the waiting hand-overs while fewer than `batchesAtOnce` are delivering,
     * each at least `paceMs` after the one before.
     */
    const pump = () => {
      while (waiting.length && delivering < batchesAtOnce && !stopped) {
        const early = latestStart + paceMs - performance.now();
        if (early > 0) {
          paced ??= setTimeout(() => {
            paced = undefined;
            pump();
          }, early);
          return;
        }
        const taken: HandOver[] = [];
        let count = 0;
        while (waiting.length && count < handOverBatch) {
          const next = waiting.shift() as HandOver;
          taken.push(next);
          count += next.ids.length;
        }
        delivering += 1;
        latestStart = performance.now();
        void deliverBatch(taken).finally(() => {
          delivering -= 1;
          pump();
        });
      }
    };
    return {
      push(entry: HandOver) {
        for (const id of entry.ids) inLanes.add(id);
        waiting.push(entry);
        pump();
      },
      abandon() {
        clearTimeout(paced);
        paced = undefined;
        for (const entry of waiting) {
          for (const id of entry.ids) inLanes.delete(id);
          entry.done(false);
        }
        waiting = [];
      },
    };
  };
  const bulk = lane(concurrency, 1);
  const express = lane(expressConcurrency, expressBatches, expressPaceMs);

  // Set by a kick while the loop is busy, so it looks again instead of sleeping.
  let kicked = false;
  const loop = async () => {
    while (!stopped) {
      let claimed = 0;
      kicked = false;
      try {
        // Not the rows waiting in a lane: a single event claimed here would wait for a batch
        // of the loop's (up to `batchSize` rows and their segment refresh) instead of its lane.
        const rows = await claimOutbox(deps.db, { limit: batchSize, leaseMs, exclude: [...inLanes] });
        claimed = rows.length;
        if (rows.length) await deliverRows(rows);
      } catch (error) {
        options.log?.warn({ err: (error as Error).message }, 'outbox loop failed');
      }
      // Rows were claimed: more may be due (a contact's next events, the rest of a big batch).
      if (stopped || claimed > 0 || kicked) continue;
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
    deliver: (ids, events) =>
      track(
        new Promise<boolean>((resolve) => {
          if (stopped || ids.length === 0) return resolve(ids.length === 0);
          (ids.length <= expressRows ? express : bulk).push({ ids, events, done: resolve });
        }),
      ),
    healthy: () => !unhealthy,
    kick: () => {
      kicked = true;
      wake?.();
    },
    stop: async () => {
      stopped = true;
      wake?.();
      bulk.abandon();
      express.abandon();
      await running;
      await Promise.allSettled([...inFlight]);
      await pruner.stop();
    },
  };
  const running = loop();
  return dispatcher;
}

/**
 * How far a contact's row may have been written before its outbox row and still be taken for a
 * change made while storing that event (a batch's new contacts are created in a statement just
 * before the events' transaction). Both times come from the database's clock.
 */
const CLOCK_SLACK_MS = 10_000;

/**
 * What one delivered row changed on its contact, as far as segments can tell; undefined when
 * that is not known, and every segment is evaluated. A tracked event (and a named page or
 * screen) adds one event of its name; a node's list join or leave (an identify whose only
 * property is `addedToList` / `removedFromList`, from `wayline-node`) changes that list; any
 * other identify changes the profile (traits; a node's attribute and tag changes); a merge (by
 * hand, or a row ending a merged contact's runs) moved events and lists over; an alias, a group
 * or a kind this does not know: anything.
 */
export function changeOfRow(
  row: OutboxRow,
  event: Pick<DeliveredEvent, 'type' | 'name' | 'properties' | 'source'> | undefined,
): ContactChange | undefined {
  if (!event || row.work.exitWorkflowIds?.length) return undefined;
  switch (event.type) {
    case 'track':
    case 'page':
    case 'screen':
      return { events: event.name ? [event.name] : [] };
    case 'identify': {
      const properties = event.properties as Record<string, unknown>;
      if ('mergedContactId' in properties) return undefined;
      const keys = Object.keys(properties);
      const list = properties.addedToList ?? properties.removedFromList;
      const fromNode = event.source === 'wayline-node';
      if (fromNode && keys.length === 1 && typeof list === 'string') return { lists: [list] };
      return { profile: true };
    }
    default:
      return undefined;
  }
}

/**
 * Per contact of the delivered rows, the union of what its rows changed. A contact whose own
 * row was written when or after its outbox rows (less the slack) was created, claimed, merged
 * into or given traits while they were stored (the outbox row does not say which): every segment.
 */
async function describeChanges(
  deps: TemporalDeps,
  rows: OutboxRow[],
  context: DeliveryContext,
): Promise<Map<string, ContactChange | undefined>> {
  const changes = new Map<string, ContactChange | undefined>();
  const arrived = new Map<string, number>();
  for (const row of rows) {
    const event = context.events.get(row.eventId);
    const change = changeOfRow(row, event);
    changes.set(
      row.contactId,
      changes.has(row.contactId) ? unionChange(changes.get(row.contactId), change) : change,
    );
    arrived.set(row.contactId, Math.min(arrived.get(row.contactId) ?? Infinity, row.createdAt.getTime()));
  }
  const described = [...changes].flatMap(([contactId, change]) => (change ? [contactId] : []));
  if (described.length === 0) return changes;
  try {
    // Read with the handed-over events before delivery, when that covers them (delivering
    // writes no contact); else now.
    const touched = described.every((id) => context.contactsUpdatedAt.has(id))
      ? described.map((id) => ({ id, updatedAt: context.contactsUpdatedAt.get(id) as Date }))
      : await deps.db
          .select({ id: contacts.id, updatedAt: contacts.updatedAt })
          .from(contacts)
          .where(anyOf(contacts.id, described, 'uuid'));
    for (const contact of touched) {
      const since = (arrived.get(contact.id) ?? -Infinity) - CLOCK_SLACK_MS;
      if (contact.updatedAt.getTime() >= since) changes.set(contact.id, undefined);
    }
  } catch {
    // Not known: every segment (the refresh itself then reports the database's trouble).
    for (const contactId of described) changes.set(contactId, undefined);
  }
  return changes;
}

/** Most statements one workspace's contacts of a batch are re-evaluated in. */
const MAX_CHANGE_GROUPS = 4;

/**
 * The contacts of each workspace grouped by their change, so a batch is a few statements: past
 * `MAX_CHANGE_GROUPS`, the described changes are joined into one (a contact then has a few more
 * segments evaluated than its own change needs, never fewer).
 */
function groupByChange(
  rows: OutboxRow[],
  changes: Map<string, ContactChange | undefined>,
): Map<string, { contactIds: string[]; change: ContactChange | undefined }[]> {
  const workspaceOf = new Map(rows.map((row) => [row.contactId, row.workspaceId]));
  const byWorkspace = new Map<
    string,
    Map<string, { contactIds: string[]; change: ContactChange | undefined }>
  >();
  for (const [contactId, change] of changes) {
    const workspaceId = workspaceOf.get(contactId) as string;
    const groups = byWorkspace.get(workspaceId) ?? new Map();
    byWorkspace.set(workspaceId, groups);
    const key = changeKey(change);
    const group = groups.get(key) ?? { contactIds: [], change };
    groups.set(key, group);
    group.contactIds.push(contactId);
  }
  const out = new Map<string, { contactIds: string[]; change: ContactChange | undefined }[]>();
  for (const [workspaceId, groups] of byWorkspace) {
    const all = groups.get(changeKey(undefined));
    const described = [...groups.values()].filter((group) => group.change);
    const joined =
      described.length > MAX_CHANGE_GROUPS - (all ? 1 : 0)
        ? [
            {
              contactIds: described.flatMap((group) => group.contactIds),
              change: described.map((group) => group.change).reduce((a, b) => unionChange(a, b)),
            },
          ]
        : described;
    out.set(workspaceId, all ? [all, ...joined] : joined);
  }
  return out;
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

/** Runs `fn` with one deadline on every client it may reach Temporal through (the eager starter's too). */
function withDeadline<T>(deps: TemporalDeps, ms: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  const plain = () => deps.temporal.withDeadline(deadline, fn);
  return deps.eagerStarter ? deps.eagerStarter.withDeadline(deadline, plain) : plain();
}

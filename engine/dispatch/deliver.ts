import { and, eq, sql } from 'drizzle-orm';
import { anyOf, type Db } from '../../db';
import { contacts, events, journeyRuns } from '../../db/schema';
import { matchesFilter, type PropertyFilter } from '../audience/conditions/filters';
import type { StoredEvent } from '../audience/ingest/ingest';
import { enrollContact, type TemporalDeps } from '../automation/runs/enroll';
import { signalRunsWithEvent } from '../automation/runs/run-control';
import { controlSignal } from '../automation/runs/signals';
import type { RunEvent } from '../automation/runs/types';
import { eventTriggers } from '../automation/triggers/trigger-index';
import { DomainError } from '../errors';
import type { OutboxRow } from './outbox-queue';

/**
 * What delivering reads of an event: not its context (often the largest part, a Segment client's
 * library, page, device and campaign), only the `source` a journey node marks its events with.
 */
export const deliveredEventColumns = {
  id: events.id,
  workspaceId: events.workspaceId,
  contactId: events.contactId,
  type: events.type,
  name: events.name,
  properties: events.properties,
  timestamp: events.timestamp,
  source: sql<string | null>`${events.context} ->> 'source'`,
};

/** What delivering reads of an event (`deliveredEventColumns`), or takes from its request (`StoredEvent`). */
export type DeliveredEvent = StoredEvent;

/**
 * What a batch of claimed rows needs read once instead of per row: their events, the active
 * journeys their event names trigger, and their contacts' running runs.
 */
export interface DeliveryContext {
  events: Map<string, DeliveredEvent>;
  triggers: Map<string, { journeyId: string; where: PropertyFilter | null }[]>;
  /** Per contact, its running runs: read once, then the runs the batch's events start are added. */
  running: Map<string, string[]>;
  /** `journeyId:contactId:eventId` of runs the batch's events already started (a repeated delivery). */
  started: Set<string>;
  /** When each contact of the events handed over with their rows was last written, read before delivery. */
  contactsUpdatedAt: Map<string, Date>;
}

/**
 * Reads what delivering `rows` needs. `handedOver`: events their request stored moments ago,
 * by id, which are not read again (the largest read of a batch, and one this process had
 * just written); their contacts are, in one lookup by primary key. The reads that do not need
 * each other's answers go side by side (the events, the handed-over events' contacts, the
 * contacts' running runs, the triggers of the handed-over events' names), then the triggers of
 * the names only the events read named, then the runs the triggering events already started:
 * three round trips at most instead of five, which a batch waited for one after another while
 * ingest kept the database busy.
 */
export async function deliveryContext(
  db: Db,
  rows: OutboxRow[],
  handedOver: Map<string, DeliveredEvent> = new Map(),
): Promise<DeliveryContext> {
  const eventIds = [...new Set(rows.map((row) => row.eventId))];
  const toRead = eventIds.filter((id) => !handedOver.has(id));
  const handed = eventIds.flatMap((id) => handedOver.get(id) ?? []);
  const contactIds = [...new Set(rows.map((row) => row.contactId))];
  const triggers = new Map<string, { journeyId: string; where: PropertyFilter | null }[]>();
  const [loaded, present, running] = await Promise.all([
    readEvents(db, toRead),
    handed.length
      ? db
          .select({ id: contacts.id, updatedAt: contacts.updatedAt })
          .from(contacts)
          .where(anyOf(contacts.id, [...new Set(handed.flatMap((event) => event.contactId ?? []))], 'uuid'))
      : [],
    runningRuns(db, contactIds),
    readTriggers(db, handed, triggers),
  ]);
  const contactsUpdatedAt = new Map(present.map((contact) => [contact.id, contact.updatedAt]));
  loaded.push(...handed.filter((event) => event.contactId && contactsUpdatedAt.has(event.contactId)));
  await readTriggers(db, loaded, triggers);
  const context: DeliveryContext = {
    events: new Map(loaded.map((event) => [event.id, event])),
    triggers,
    running,
    started: new Set(),
    contactsUpdatedAt,
  };
  const triggering = loaded.filter(
    (event) =>
      event.type === 'track' &&
      event.name &&
      context.triggers.get(`${event.workspaceId}:${event.name}`)?.length,
  );
  if (triggering.length) {
    for (const run of await db
      .select({
        journeyId: journeyRuns.journeyId,
        contactId: journeyRuns.contactId,
        eventId: journeyRuns.triggerEventId,
      })
      .from(journeyRuns)
      .where(
        and(
          anyOf(
            journeyRuns.journeyId,
            [
              ...new Set(
                triggering
                  .flatMap((e) => context.triggers.get(`${e.workspaceId}:${e.name}`) ?? [])
                  .map((t) => t.journeyId),
              ),
            ],
            'uuid',
          ),
          anyOf(journeyRuns.contactId, contactIds, 'uuid'),
          anyOf(
            journeyRuns.triggerEventId,
            triggering.map((event) => event.id),
            'text',
          ),
        ),
      )) {
      context.started.add(`${run.journeyId}:${run.contactId}:${run.eventId}`);
    }
  }
  return context;
}

/**
 * The events of `ids` whose contact still exists: neither the outbox nor events have foreign
 * keys, and an event written while its contact was being deleted keeps the gone contact's id.
 * Their rows are then delivered as no-ops.
 */
async function readEvents(db: Db, ids: string[]): Promise<DeliveredEvent[]> {
  if (ids.length === 0) return [];
  return db
    .select(deliveredEventColumns)
    .from(events)
    .where(
      and(
        anyOf(events.id, ids, 'uuid'),
        sql`exists (select 1 from ${contacts} where ${contacts.id} = ${events.contactId})`,
      ),
    );
}

/** Adds to `triggers` the active journeys triggered by the names of `tracked` not looked up yet. */
async function readTriggers(
  db: Db,
  tracked: DeliveredEvent[],
  triggers: Map<string, { journeyId: string; where: PropertyFilter | null }[]>,
): Promise<void> {
  const namesByWorkspace = new Map<string, Set<string>>();
  for (const event of tracked) {
    if (event.type !== 'track' || !event.name || triggers.has(`${event.workspaceId}:${event.name}`)) continue;
    const names = namesByWorkspace.get(event.workspaceId) ?? new Set<string>();
    namesByWorkspace.set(event.workspaceId, names.add(event.name));
  }
  await Promise.all(
    [...namesByWorkspace].map(async ([workspaceId, names]) => {
      for (const name of names) triggers.set(`${workspaceId}:${name}`, []);
      for (const trigger of await eventTriggers(db, workspaceId, [...names])) {
        triggers.get(`${workspaceId}:${trigger.event}`)?.push(trigger);
      }
    }),
  );
}

/** Per contact, its running runs. */
async function runningRuns(db: Db, contactIds: string[]): Promise<Map<string, string[]>> {
  const running = new Map<string, string[]>();
  if (contactIds.length === 0) return running;
  for (const run of await db
    .select({ contactId: journeyRuns.contactId, workflowId: journeyRuns.workflowId })
    .from(journeyRuns)
    .where(and(anyOf(journeyRuns.contactId, contactIds, 'uuid'), eq(journeyRuns.status, 'running')))) {
    if (!run.contactId) continue;
    running.set(run.contactId, [...(running.get(run.contactId) ?? []), run.workflowId]);
  }
  return running;
}

/**
 * Does what an accepted event owes Temporal: ends the runs of a contact merged away, enrolls
 * the contact in journeys the event triggers and signals its running runs (the dispatcher then
 * re-evaluates the segments of the batch's contacts together, `contactsChanged`). Safe to
 * repeat after a partial failure: an enrollment already made for this event is skipped, and
 * runs drop an event id they have seen.
 */
export async function deliverOutboxRow(
  deps: TemporalDeps,
  row: OutboxRow,
  context?: DeliveryContext,
): Promise<void> {
  const { db } = deps;
  // Signals go through the worker's native connection where this process has one: a call there
  // costs the event loop a fraction of one through the gRPC client in JavaScript.
  const temporal = deps.eagerStarter ?? deps.temporal;
  const batch = context ?? (await deliveryContext(db, [row]));
  for (const workflowId of row.work.exitWorkflowIds ?? []) {
    await ignoreMissing(
      temporal.workflow
        .getHandle(workflowId)
        .signal(controlSignal, { action: 'exit', reason: 'contact merged' }),
    );
  }
  // A row whose event is gone or whose contact was deleted (see `deliveryContext`) owes
  // nothing more and counts as delivered.
  const event = batch.events.get(row.eventId);
  if (!event || event.workspaceId !== row.workspaceId) return;
  if (event.type === 'track' && event.name) {
    const runEvent: RunEvent = {
      id: event.id,
      name: event.name,
      properties: event.properties,
      timestamp: event.timestamp.toISOString(),
    };
    const triggered = (batch.triggers.get(`${row.workspaceId}:${event.name}`) ?? []).filter((trigger) =>
      matchesFilter(event.properties, trigger.where ?? undefined),
    );
    // Runs this event starts carry it as their trigger: they are not signalled it again.
    const startedNow: string[] = [];
    for (const { journeyId } of triggered) {
      if (batch.started.has(`${journeyId}:${row.contactId}:${event.id}`)) continue;
      try {
        const result = await enrollContact(deps, {
          workspaceId: row.workspaceId,
          journeyId,
          contactId: row.contactId,
          trigger: runEvent,
        });
        if (result.enrolled) startedNow.push(result.workflowId);
      } catch (error) {
        // Paused meanwhile, contact deleted: nothing to retry. Unavailable (503) is retried.
        if (error instanceof DomainError && error.expected) continue;
        throw error;
      }
    }
    const running = batch.running.get(row.contactId) ?? [];
    await signalRunsWithEvent(temporal, running, runEvent);
    // The contact's later events in this batch reach the runs started now as well.
    if (startedNow.length) batch.running.set(row.contactId, [...running, ...startedNow]);
  }
}

async function ignoreMissing(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
  }
}

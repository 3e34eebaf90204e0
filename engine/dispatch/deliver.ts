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
 * just written); their contacts are, in one lookup by primary key.
 */
export async function deliveryContext(
  db: Db,
  rows: OutboxRow[],
  handedOver: Map<string, DeliveredEvent> = new Map(),
): Promise<DeliveryContext> {
  const eventIds = [...new Set(rows.map((row) => row.eventId))];
  const toRead = eventIds.filter((id) => !handedOver.has(id));
  const handed = eventIds.flatMap((id) => handedOver.get(id) ?? []);
  // Events whose contact is gone are left out, so their rows are delivered as no-ops: neither
  // the outbox nor events have foreign keys, and an event written while its contact was being
  // deleted keeps the gone contact's id.
  const loaded = toRead.length
    ? await db
        .select(deliveredEventColumns)
        .from(events)
        .where(
          and(
            anyOf(events.id, toRead, 'uuid'),
            sql`exists (select 1 from ${contacts} where ${contacts.id} = ${events.contactId})`,
          ),
        )
    : [];
  const contactsUpdatedAt = new Map<string, Date>();
  if (handed.length) {
    const present = await db
      .select({ id: contacts.id, updatedAt: contacts.updatedAt })
      .from(contacts)
      .where(anyOf(contacts.id, [...new Set(handed.flatMap((event) => event.contactId ?? []))], 'uuid'));
    for (const contact of present) contactsUpdatedAt.set(contact.id, contact.updatedAt);
    loaded.push(...handed.filter((event) => event.contactId && contactsUpdatedAt.has(event.contactId)));
  }
  const context: DeliveryContext = {
    events: new Map(loaded.map((event) => [event.id, event])),
    triggers: new Map(),
    running: new Map(),
    started: new Set(),
    contactsUpdatedAt,
  };
  const namesByWorkspace = new Map<string, Set<string>>();
  for (const event of loaded) {
    if (event.type !== 'track' || !event.name) continue;
    const names = namesByWorkspace.get(event.workspaceId) ?? new Set<string>();
    namesByWorkspace.set(event.workspaceId, names.add(event.name));
  }
  for (const [workspaceId, names] of namesByWorkspace) {
    for (const name of names) context.triggers.set(`${workspaceId}:${name}`, []);
    for (const trigger of await eventTriggers(db, workspaceId, [...names])) {
      context.triggers.get(`${workspaceId}:${trigger.event}`)?.push(trigger);
    }
  }
  const contactIds = [...new Set(rows.map((row) => row.contactId))];
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
  if (contactIds.length) {
    for (const run of await db
      .select({ contactId: journeyRuns.contactId, workflowId: journeyRuns.workflowId })
      .from(journeyRuns)
      .where(and(anyOf(journeyRuns.contactId, contactIds, 'uuid'), eq(journeyRuns.status, 'running')))) {
      if (!run.contactId) continue;
      context.running.set(run.contactId, [...(context.running.get(run.contactId) ?? []), run.workflowId]);
    }
  }
  return context;
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
  const { db, temporal } = deps;
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

import { and, desc, eq, gte, inArray } from 'drizzle-orm';
import type { Db } from '../../db';
import { events, messages } from '../../db/schema';
import {
  addToList,
  applyContactChanges,
  type ContactRow,
  removeFromList,
  toSnapshot,
} from '../audience/contacts/contact-store';
import { type ContactEvent as StoredEvent, storeContactEvent } from '../audience/ingest/contact-event';
import type { SecretBox } from '../identity/secret-box';
import { readSecret } from '../identity/workspace-secrets';
import type {
  AnyNodeDefinition,
  ContactEvent,
  ContactEventFilter,
  NodeContext,
  NodeLogger,
  TriggerEvent,
} from '../sdk/define-node';
import { createHttpClient, type HttpClientOptions } from '../sdk/http';
import { NodeError } from '../sdk/node-error';

/** Where and for whom a node runs: the part of `executeNode`'s input the context needs. */
export interface NodeInvocation {
  workspaceId: string;
  journeyId: string;
  journeyVersion: number;
  contactId: string;
  runId: string;
  nodeId: string;
  visit: number;
  idempotencyKey: string;
  trigger: TriggerEvent | null;
  steps: Record<string, Record<string, unknown>>;
}

export interface NodeContextDeps {
  db: Db;
  logger: NodeLogger;
  /** Opens workspace secrets: the process's one box, from the composition root. */
  secretBox: SecretBox;
  http?: HttpClientOptions;
}

const MAX_EVENTS = 10_000;

/**
 * The context every action node gets, built-in or custom: the activity and the test harness
 * build it here, so a node behaves the same under both.
 */
export function buildNodeContext(
  deps: NodeContextDeps,
  input: NodeInvocation,
  contact: ContactRow,
  /** Told the contact's row each time `updateContact` writes it. */
  onContactUpdated?: (row: ContactRow) => void,
): NodeContext {
  const { db } = deps;
  const { workspaceId, contactId } = input;
  const findSecret = (name: string) => readSecret(db, deps.secretBox, workspaceId, name);
  // A change to the contact goes through the outbox like an identify, so the dispatcher runs
  // `contactChanged` (segments re-evaluated, segment-triggered journeys entered) within a second.
  // The message id is deterministic per node execution, so a retried activity records it once.
  let changes = 0;
  const contactChange = (properties: Record<string, unknown>): StoredEvent => ({
    workspaceId,
    contactId,
    messageId: `${input.idempotencyKey}:contact-change:${++changes}`,
    type: 'identify',
    name: null,
    properties,
    context: { source: 'wayline-node', nodeId: input.nodeId, runId: input.runId },
  });
  const contactChanged = (properties: Record<string, unknown>) =>
    storeContactEvent(db, contactChange(properties));
  return {
    workspaceId,
    journeyId: input.journeyId,
    journeyVersion: input.journeyVersion,
    runId: input.runId,
    nodeId: input.nodeId,
    visit: input.visit,
    idempotencyKey: input.idempotencyKey,
    contact: toSnapshot(contact),
    trigger: input.trigger,
    steps: input.steps,
    logger: scopedLogger(deps.logger, { runId: input.runId, nodeId: input.nodeId }),
    db,
    http: createHttpClient(deps.http),
    secrets: {
      find: findSecret,
      async get(name) {
        const value = await findSecret(name);
        if (value === undefined) {
          throw NodeError.fatal(
            `secret ${name} is not set in this workspace (set it with PUT /v1/secrets/${name})`,
          );
        }
        return value;
      },
    },
    async updateContact(changes) {
      // The change and the event reporting it in one statement.
      const updated = await applyContactChanges(
        db,
        workspaceId,
        contactId,
        changes,
        contactChange({ ...changes }),
      );
      if (!updated) throw NodeError.fatal(`contact ${contactId} no longer exists`);
      onContactUpdated?.(updated);
      return toSnapshot(updated);
    },
    async addToList(list) {
      await addToList(db, workspaceId, contactId, list);
      await contactChanged({ addedToList: list });
    },
    async removeFromList(list) {
      await removeFromList(db, workspaceId, contactId, list);
      await contactChanged({ removedFromList: list });
    },
    async emitEvent(name, properties = {}) {
      // The message id makes a retried activity emit the event once; the outbox carries it to
      // journeys, running runs and segments like any tracked event.
      await storeContactEvent(db, {
        workspaceId,
        contactId,
        messageId: `${input.idempotencyKey}:${name}`,
        name,
        properties,
        context: { source: 'wayline-node', nodeId: input.nodeId, runId: input.runId },
      });
    },
    listEvents: (filter) => listContactEvents(db, workspaceId, contactId, filter),
    async recordMessage(message) {
      const [created] = await db
        .insert(messages)
        .values({
          workspaceId,
          idempotencyKey: input.idempotencyKey,
          contactId,
          journeyId: input.journeyId,
          workflowId: input.runId,
          nodeId: input.nodeId,
          channel: message.channel,
          status: message.status,
          reason: message.reason,
          provider: message.provider,
          recipient: message.recipient ?? null,
          subject: message.subject ?? null,
          body: message.body ?? null,
          payload: message.payload,
          transactional: message.transactional ?? false,
        })
        .onConflictDoNothing()
        .returning({ id: messages.id, status: messages.status });
      if (created) return { ...created, created: true };
      const [existing] = await db
        .select({ id: messages.id, status: messages.status })
        .from(messages)
        .where(and(eq(messages.workspaceId, workspaceId), eq(messages.idempotencyKey, input.idempotencyKey)));
      return { ...existing, created: false };
    },
  };
}

/**
 * `buildNodeContext`, also telling the contact's row after the node ran, when the context can
 * know it: the row it was given, or the one `updateContact` last wrote. Not once the node has
 * reached for `ctx.db`, through which it may have written the contact some other way. A batch
 * of nodes hands that row to its next node instead of reading the contact again.
 */
export function buildContactFollowingContext(
  deps: NodeContextDeps,
  input: NodeInvocation,
  contact: ContactRow,
): { ctx: NodeContext; contactAfter(): ContactRow | undefined } {
  let current: ContactRow = contact;
  let untracked = false;
  const ctx = buildNodeContext(deps, input, contact, (row) => {
    current = row;
  });
  Object.defineProperty(ctx, 'db', {
    enumerable: true,
    get() {
      untracked = true;
      return deps.db;
    },
  });
  return { ctx, contactAfter: () => (untracked ? undefined : current) };
}

async function listContactEvents(
  db: Db,
  workspaceId: string,
  contactId: string,
  filter: ContactEventFilter = {},
): Promise<ContactEvent[]> {
  const where = [eq(events.workspaceId, workspaceId), eq(events.contactId, contactId)];
  if (filter.names) {
    if (filter.names.length === 0) return [];
    where.push(inArray(events.name, filter.names));
  }
  if (filter.since !== undefined) where.push(gte(events.timestamp, new Date(filter.since)));
  const limit = Math.min(Math.max(1, filter.limit ?? 1000), MAX_EVENTS);
  const rows = await db
    .select()
    .from(events)
    .where(and(...where))
    .orderBy(desc(events.timestamp), desc(events.receivedAt))
    .limit(limit);
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    name: row.name,
    properties: row.properties,
    timestamp: row.timestamp.toISOString(),
  }));
}

const prepared = new WeakMap<object, Map<NonNullable<AnyNodeDefinition['setup']>, Promise<void>>>();

/**
 * Runs the definition's `setup` hook once per database (and per hook: nodes of one plugin may
 * share it). A failed setup is forgotten, so the next execution tries again.
 */
export function prepareNode(db: Db, definition: AnyNodeDefinition): Promise<void> {
  const setup = definition.setup;
  if (!setup) return Promise.resolve();
  let done = prepared.get(db);
  if (!done) {
    done = new Map();
    prepared.set(db, done);
  }
  let running = done.get(setup);
  if (!running) {
    running = setup(db).catch((error) => {
      done.delete(setup);
      throw error;
    });
    done.set(setup, running);
  }
  return running;
}

function scopedLogger(base: NodeLogger, fields: Record<string, unknown>): NodeLogger {
  return {
    info: (m, f) => base.info(m, { ...fields, ...f }),
    warn: (m, f) => base.warn(m, { ...fields, ...f }),
    error: (m, f) => base.error(m, { ...fields, ...f }),
  };
}

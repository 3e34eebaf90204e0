import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, like } from 'drizzle-orm';
import type { z } from 'zod';
import { createDb, type Database, type Db } from '../../db';
import { contacts, events, messages, workspaces } from '../../db/schema';
import { buildNodeContext, prepareNode } from '../activities/node-context';
import { findContact, toSnapshot } from '../audience/contacts/contact-store';
import { SecretBox } from '../identity/secret-box';
import { setSecret } from '../identity/workspace-secrets';
import type { ContactSnapshot, NodeDefinition, TriggerEvent } from '../sdk/define-node';
import { portsOf } from '../sdk/define-node';
import type { HttpClientOptions } from '../sdk/http';
import { isNodeError } from '../sdk/node-error';

export interface TestContact {
  userId?: string;
  email?: string;
  phone?: string;
  timezone?: string;
  attributes?: Record<string, unknown>;
  tags?: string[];
  subscriptions?: Record<string, 'subscribed' | 'unsubscribed'>;
}

export interface TestEvent {
  name: string;
  properties?: Record<string, unknown>;
  /** When it happened; now by default. */
  timestamp?: Date | string;
}

export interface TestNodeOptions<Schema extends z.ZodType> {
  /** The node's config as a journey would hold it (defaults are applied by the schema). */
  config: z.input<Schema>;
  contact?: TestContact;
  /** Events the contact already has (what `ctx.listEvents` finds). */
  events?: TestEvent[];
  /** Outputs of earlier nodes, as `ctx.steps` and `{{ steps.<nodeId>.<field> }}` see them. */
  steps?: Record<string, Record<string, unknown>>;
  /** The event that started the run. */
  trigger?: { name: string; properties?: Record<string, unknown>; id?: string; timestamp?: string } | null;
  /** Workspace secrets by name, stored encrypted as the server stores them. */
  secrets?: Record<string, string>;
  /** Timeout (and optionally the `fetch`) of `ctx.http`. */
  http?: HttpClientOptions;
  nodeId?: string;
  visit?: number;
  /** Your own database; by default one in-memory PGlite per process, a fresh workspace per call. */
  db?: Db;
}

export interface ContactDiff {
  /** Attributes added or changed, with their new values. */
  set: Record<string, unknown>;
  /** Attributes removed. */
  unset: string[];
  addTags: string[];
  removeTags: string[];
}

export interface TestNodeResult {
  output?: Record<string, unknown>;
  /**
   * The port the run leaves by: the node's choice (default `next`) on success; on an error,
   * `error` when the node has that port (a fatal error takes it at once, a retryable one after
   * Temporal's retries run out), else null (the run fails).
   */
  port: string | null;
  deferUntil?: string;
  error?: { message: string; retryable: boolean; details?: Record<string, unknown> };
  contact: ContactSnapshot;
  contactChanges: ContactDiff;
  emittedEvents: { name: string; properties: Record<string, unknown> }[];
  /** Rows the node wrote to the message ledger. */
  messages: (typeof messages.$inferSelect)[];
  logs: { level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }[];
  /** Where it ran, to inspect your plugin's own tables. */
  db: Db;
  workspaceId: string;
  contactId: string;
  idempotencyKey: string;
}

let shared: Promise<Database> | undefined;
const box = new SecretBox(randomBytes(32));

/**
 * Runs a node's `execute` once, exactly as a journey run would (same context, same setup hook,
 * same error mapping) against a real PGlite database, without Temporal.
 */
export async function testNode<Schema extends z.ZodType>(
  definition: NodeDefinition<Schema>,
  options: TestNodeOptions<Schema>,
): Promise<TestNodeResult> {
  if (!definition.execute) throw new Error(`${definition.type} has no execute(): only action nodes run`);
  const parsed = definition.config.safeParse(options.config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new Error(`config of ${definition.type}@${definition.version} is invalid: ${issues.join('; ')}`);
  }
  shared ??= createDb({});
  const db = options.db ?? (await shared).db;

  const [workspace] = await db
    .insert(workspaces)
    .values({ name: `testNode ${definition.type}` })
    .returning();
  const [before] = await db
    .insert(contacts)
    .values({
      workspaceId: workspace.id,
      externalId: options.contact?.userId ?? null,
      email: options.contact?.email ?? null,
      phone: options.contact?.phone ?? null,
      timezone: options.contact?.timezone ?? null,
      attributes: options.contact?.attributes ?? {},
      tags: options.contact?.tags ?? [],
      subscriptions: options.contact?.subscriptions ?? {},
    })
    .returning();
  for (const event of options.events ?? []) {
    await db.insert(events).values({
      workspaceId: workspace.id,
      messageId: randomUUID(),
      contactId: before.id,
      type: 'track',
      name: event.name,
      properties: event.properties ?? {},
      timestamp: event.timestamp ? new Date(event.timestamp) : new Date(),
    });
  }
  for (const [name, value] of Object.entries(options.secrets ?? {})) {
    await setSecret(db, box, workspace.id, name, value);
  }

  const journeyId = randomUUID();
  const nodeId = options.nodeId ?? 'node';
  const visit = options.visit ?? 1;
  const runId = `wl:${workspace.id}:${journeyId}:${before.id}`;
  const idempotencyKey = `${runId}:${nodeId}:${visit}`;
  const trigger: TriggerEvent | null = options.trigger
    ? {
        id: options.trigger.id ?? randomUUID(),
        name: options.trigger.name,
        properties: options.trigger.properties ?? {},
        timestamp: options.trigger.timestamp ?? new Date().toISOString(),
      }
    : null;
  const logs: TestNodeResult['logs'] = [];
  const ctx = buildNodeContext(
    {
      db,
      secretBox: box,
      http: options.http,
      logger: {
        info: (message, fields) => logs.push({ level: 'info', message, fields }),
        warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
        error: (message, fields) => logs.push({ level: 'error', message, fields }),
      },
    },
    {
      workspaceId: workspace.id,
      journeyId,
      journeyVersion: 1,
      contactId: before.id,
      runId,
      nodeId,
      visit,
      idempotencyKey,
      trigger,
      steps: options.steps ?? {},
    },
    before,
  );

  let outcome: Pick<TestNodeResult, 'output' | 'port' | 'deferUntil' | 'error'>;
  try {
    await prepareNode(db, definition);
    const result = (await definition.execute(parsed.data, ctx)) ?? {};
    outcome = { output: result.output, port: result.port ?? 'next', deferUntil: result.deferUntil };
  } catch (error) {
    const hasErrorPort = portsOf(definition, parsed.data).some((p) => p.id === 'error');
    outcome = {
      port: hasErrorPort ? 'error' : null,
      // Anything but a NodeError is retried by Temporal like a retryable one.
      error: isNodeError(error)
        ? { message: error.message, retryable: error.retryable, details: error.details }
        : { message: error instanceof Error ? error.message : String(error), retryable: true },
    };
  }

  const after = (await findContact(db, workspace.id, before.id)) ?? before;
  const emitted = await db
    .select({ name: events.name, properties: events.properties })
    .from(events)
    .where(
      and(
        eq(events.workspaceId, workspace.id),
        eq(events.type, 'track'),
        like(events.messageId, `${escapeLike(idempotencyKey)}:%`),
      ),
    );
  const written = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspace.id), eq(messages.workflowId, runId)));
  return {
    ...outcome,
    contact: toSnapshot(after),
    contactChanges: diffContact(toSnapshot(before), toSnapshot(after)),
    emittedEvents: emitted.map((e) => ({ name: e.name ?? '', properties: e.properties })),
    messages: written,
    logs,
    db,
    workspaceId: workspace.id,
    contactId: before.id,
    idempotencyKey,
  };
}

function diffContact(before: ContactSnapshot, after: ContactSnapshot): ContactDiff {
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after.attributes)) {
    if (!(key in before.attributes) || JSON.stringify(before.attributes[key]) !== JSON.stringify(value)) {
      set[key] = value;
    }
  }
  return {
    set,
    unset: Object.keys(before.attributes).filter((key) => !(key in after.attributes)),
    addTags: after.tags.filter((tag) => !before.tags.includes(tag)),
    removeTags: before.tags.filter((tag) => !after.tags.includes(tag)),
  };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

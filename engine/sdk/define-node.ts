import type { z } from 'zod';
import type { Db } from '../../db';
import type { NodeHttp } from './http';

export type NodeKind = 'trigger' | 'control' | 'action';

export interface PortSpec {
  id: string;
  label: string;
  /**
   * Where a run goes when this port is left unconnected. `exit` (the default) ends the run;
   * `next` follows the node's `next` port, as send nodes do for `skipped` and `error`.
   */
  whenUnconnected?: 'exit' | 'next';
}

export interface ContactSnapshot {
  id: string;
  externalId: string | null;
  email: string | null;
  phone: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  tags: string[];
  subscriptions: Record<string, string>;
}

export interface TriggerEvent {
  id: string;
  name: string | null;
  properties: Record<string, unknown>;
  timestamp: string;
}

export interface NodeLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ContactChanges {
  set?: Record<string, unknown>;
  unset?: string[];
  addTags?: string[];
  removeTags?: string[];
}

/** An event of the contact, as `ctx.listEvents` returns it (newest first). */
export interface ContactEvent {
  id: string;
  type: string;
  name: string | null;
  properties: Record<string, unknown>;
  /** When it happened, ISO 8601. */
  timestamp: string;
}

export interface ContactEventFilter {
  /** Only events with one of these names. */
  names?: string[];
  /** Only events that happened at or after this instant. */
  since?: Date | string;
  /** At most this many, newest first (default 1000, at most 10000). */
  limit?: number;
}

/** Workspace secrets by name, resolved server-side; values never travel in journey JSON. */
export interface NodeSecrets {
  /** The secret's value; a missing secret throws `NodeError.fatal` naming it. */
  get(name: string): Promise<string>;
  /** The secret's value, or undefined when the workspace has none by that name. */
  find(name: string): Promise<string | undefined>;
}

/** What an action node can see and do. Built-in and custom nodes get the same context. */
export interface NodeContext {
  workspaceId: string;
  journeyId: string;
  journeyVersion: number;
  /** The Temporal workflow id of the run: `wl:{workspace}:{journey}:{contact}[:{entry}]`. */
  runId: string;
  nodeId: string;
  visit: number;
  /** `workflowId:nodeId:visit`: stable across activity retries, unique per visit. */
  idempotencyKey: string;
  contact: ContactSnapshot;
  /** The event that started the run, when one did. */
  trigger: TriggerEvent | null;
  /** Outputs of earlier action nodes of this run, by node id. */
  steps: Record<string, Record<string, unknown>>;
  logger: NodeLogger;
  updateContact(changes: ContactChanges): Promise<ContactSnapshot>;
  addToList(list: string): Promise<void>;
  removeFromList(list: string): Promise<void>;
  emitEvent(name: string, properties?: Record<string, unknown>): Promise<void>;
  /** Records a message in the ledger once per idempotency key; returns the existing row on a retry. */
  recordMessage(message: MessageRecord): Promise<{ id: string; created: boolean; status: string }>;
  /** The contact's events (the `events` table), newest first. */
  listEvents(filter?: ContactEventFilter): Promise<ContactEvent[]>;
  /** `fetch` with a timeout, and JSON helpers that turn HTTP failures into `NodeError`s. */
  http: NodeHttp;
  secrets: NodeSecrets;
  /**
   * The database, for a plugin's own tables (created by its `setup` hook). Every row you write
   * or read must be scoped by `ctx.workspaceId`: tenants never meet.
   */
  db: Db;
}

export interface MessageRecord {
  channel: string;
  status: string;
  reason?: string;
  provider?: string;
  recipient?: string | null;
  subject?: string | null;
  body?: string | null;
  payload?: Record<string, unknown>;
  transactional?: boolean;
}

export interface NodeResult {
  /** The port to leave by; defaults to `next`. */
  port?: string;
  /** Readable by later nodes as `steps.<nodeId>.<field>`. */
  output?: Record<string, unknown>;
  /**
   * Ask the run to come back later (quiet hours, a deferred frequency cap): the workflow waits
   * until this ISO instant with a durable timer, then executes the node again with the same
   * idempotency key.
   */
  deferUntil?: string;
}

export interface NodeDefinition<Schema extends z.ZodType = z.ZodType> {
  type: string;
  version: number;
  kind: NodeKind;
  title: string;
  category: string;
  description?: string;
  config: Schema;
  /** Fixed ports, or ports that follow from the config (switch cases, split branches). */
  ports: PortSpec[] | ((config: z.infer<Schema>) => PortSpec[]);
  /** One line shown on the node in the builder. */
  summary?: (config: z.infer<Schema>) => string;
  execute?: (config: z.infer<Schema>, ctx: NodeContext) => Promise<NodeResult | undefined>;
  /**
   * Prepares what the node needs in the database (`create table if not exists ...`). Runs once
   * per database before the node first executes, and at start-up for loaded plugins; it must
   * be idempotent.
   */
  setup?: (db: Db) => Promise<void>;
}

export type AnyNodeDefinition = NodeDefinition<z.ZodType>;

/** The one way a node is declared, built-in or custom: the schema drives validation, form and types. */
export function defineNode<Schema extends z.ZodType>(
  definition: NodeDefinition<Schema>,
): NodeDefinition<Schema> {
  return definition;
}

export function portsOf(definition: AnyNodeDefinition, config: unknown): PortSpec[] {
  return typeof definition.ports === 'function' ? definition.ports(config) : definition.ports;
}

export const nextPort: PortSpec = { id: 'next', label: 'Next' };

import type { TriggerEvent } from '../../sdk/define-node';
import type { Plan } from '../journeys/plan';

/** An event as delivered to a run by the `event` signal. */
export interface RunEvent {
  id: string;
  name: string | null;
  properties: Record<string, unknown>;
  /** When it happened (kept, never used to reorder). */
  timestamp: string;
  /** Arrival order within the run, set by the run itself. */
  arrival?: number;
}

export type RunEndStatus = 'completed' | 'converted' | 'exited' | 'failed' | 'cancelled';

export interface VisitRecord {
  nodeId: string;
  visit: number;
  enteredAt: number;
  leftAt?: number;
  port?: string | null;
  outcome?: Record<string, unknown>;
}

/** What a run carries across continue-as-new. */
export interface RunState {
  cursor: string | null;
  visits: Record<string, number>;
  steps: Record<string, Record<string, unknown>>;
  /** Events received since the run entered, in arrival order (bounded). */
  events: RunEvent[];
  /** Ids of every event seen, for deduplication (bounded). */
  seenEventIds: string[];
  /** `nodeId:eventId` pairs already used by a wait.event node, so one event resumes a node once. */
  consumed: string[];
  /** How many distinct events the run has received; the next one's arrival number. */
  received: number;
  /** How many times the contact was reported changed; a wait.condition re-checks when it grows. */
  contactChanges?: number;
  paused: boolean;
  enteredAt: number;
  /** When the current node was entered, if the run continued as new in the middle of it. */
  cursorEnteredAt?: number;
  /** The arrival number a wait.event at the cursor counts from, when resumed mid-wait. */
  cursorSince?: number;
  /**
   * The visit of the cursor's node the run continued as new in the middle of (its number given
   * back, so the next run re-enters the same visit). A migration applied before that re-entry
   * closes this visit as `migrated`, and the new version's visit takes the next number.
   */
  cursorVisit?: number;
  continuedAsNew: number;
  /** A migration signalled and not yet applied. */
  migration?: MigrateRun;
  /** Ids of the migrations this run has applied, so a repeated signal moves it once. */
  migrations?: string[];
}

/**
 * Moves a running run to another version: `mapping` gives, for the node the run is at, the node
 * of the new plan it continues at (null: it finishes on its version). The run keeps its state
 * (visit counters, events received and matched, step outputs, goal state).
 */
export interface MigrateRun {
  migrationId: string;
  version: number;
  plan: Plan;
  mapping: Record<string, string | null>;
  /** A wait kept at the same node measures its time from when the run entered it ('fire': a deadline already past fires at once), or restarts it ('restart'). */
  pastTimers: 'fire' | 'restart';
}

export interface JourneyRunInput {
  workspaceId: string;
  journeyId: string;
  version: number;
  contactId: string;
  entry: number;
  /** The entry key of a keyed trigger (e.g. the cart id): events can be required to carry the same. */
  entryKey?: string;
  plan: Plan;
  trigger: TriggerEvent | null;
  paused?: boolean;
  state?: RunState;
  /** Continue as new once history passes this many events (operations and tests). */
  historyLimit?: number;
  /**
   * The interpreter behaviours the run started with (set by the enrollment, kept across
   * continue-as-new): from 1, conditions in workflow code, batched actions, sends on their
   * channel's queue and the enrollment's snapshot; from 2, the run's end recorded by the batch of
   * action nodes just before it. Each without its `patched()` marker (on the server a marker is
   * also a search attribute write). Runs started before take each behaviour through its marker.
   */
  interpreter?: number;
  /**
   * The contact as the enrollment read it, just before the start: a condition decided before
   * the run first waits or acts reads it instead of a snapshot of its own (one local activity,
   * and one workflow activation, fewer per run).
   */
  contact?: EnrolledContact;
}

/** What the interpreter's conditions read of the contact (`loadContact`'s answer has the same fields). */
export interface EnrolledContact extends ContactView {
  tags: string[];
  email: string | null;
  phone: string | null;
  externalId: string | null;
}

/** The `interpreter` a run started now gets. */
export const INTERPRETER = 2;

export interface JourneyRunResult {
  status: RunEndStatus;
  reason?: string;
  /** Nodes visited by the last execution of the run (after any continue-as-new). */
  path: string[];
  continuedAsNew: number;
}

export type ControlAction = { action: 'pause' } | { action: 'resume' } | { action: 'exit'; reason?: string };

export interface ContactView {
  found: boolean;
  timezone: string | null;
  attributes: Record<string, unknown>;
  workspaceTimezone: string;
}

export const MAX_BUFFERED_EVENTS = 500;
export const MAX_SEEN_EVENT_IDS = 2000;

export function runWorkflowId(
  workspaceId: string,
  journeyId: string,
  contactId: string,
  entry?: number,
  keyDigest?: string,
): string {
  const base = `wl:${workspaceId}:${journeyId}:${contactId}${keyDigest ? `:k${keyDigest}` : ''}`;
  return entry === undefined ? base : `${base}:${entry}`;
}

/**
 * The value at a property path (`properties.cart_id`, or `cart_id` for short) of an event's
 * properties, as a key: non-empty strings and finite numbers only.
 */
export function keyValueOf(properties: Record<string, unknown>, path: string): string | undefined {
  const parts = path.split('.');
  if (parts[0] === 'properties') parts.shift();
  let value: unknown = properties;
  for (const part of parts) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * The entry key a trigger gives a run: '' for an unkeyed trigger, the event's value at the
 * trigger's `key` path for a keyed one, null when the event lacks it.
 */
export function entryKeyOf(
  triggerConfig: Record<string, unknown>,
  trigger: TriggerEvent | null,
): string | null {
  const path = triggerConfig.key;
  if (typeof path !== 'string' || path === '') return '';
  if (!trigger) return null;
  return keyValueOf(trigger.properties, path) ?? null;
}

import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { journeyRuns, nodeVisits } from '../../db/schema';
import type { ConditionGroup } from '../audience/conditions/conditions';
import { type ContactRow, findContact, findContactInZone } from '../audience/contacts/contact-store';
import { firstMatchingGroup } from '../automation/journeys/evaluate-conditions';
import type { NodeRegistry } from '../automation/nodes/registry';
import { type EnrollResult, enrollContact } from '../automation/runs/enroll';
import type { ContactView, RunEndStatus, VisitRecord } from '../automation/runs/types';
import { DomainError } from '../errors';
import type { SecretBox } from '../identity/secret-box';
import type { NodeLogger, NodeResult, TriggerEvent } from '../sdk/define-node';
import { isNodeError } from '../sdk/node-error';
import { activityFailures, nodeExecutions } from './metrics';
import { buildContactFollowingContext, prepareNode } from './node-context';

export interface ActivityDeps {
  db: Db;
  registry: NodeRegistry;
  logger?: NodeLogger;
  /** Opens workspace secrets for `ctx.secrets`: the process's one box. */
  secretBox: SecretBox;
}

export interface ExecuteNodeInput {
  workspaceId: string;
  journeyId: string;
  journeyVersion: number;
  contactId: string;
  runId: string;
  nodeId: string;
  visit: number;
  idempotencyKey: string;
  type: string;
  version: number;
  config: Record<string, unknown>;
  trigger: TriggerEvent | null;
  steps: Record<string, Record<string, unknown>>;
}

/**
 * What `loadContact` returns: the interpreter's view, plus the fields conditions on attributes
 * and tags test in workflow code (absent from results recorded before they were added).
 */
export interface ContactFacts extends ContactView {
  tags?: string[];
  email?: string | null;
  phone?: string | null;
  externalId?: string | null;
}

/** One node of an `executeNodes` batch: what differs from node to node. */
export type BatchedNode = Pick<
  ExecuteNodeInput,
  'nodeId' | 'visit' | 'idempotencyKey' | 'type' | 'version' | 'config'
>;

export interface ExecuteNodesInput extends Omit<ExecuteNodeInput, keyof BatchedNode> {
  nodes: BatchedNode[];
  /** Given when the run ends right after the batch: what its end records (see `BatchFinish`). */
  finish?: BatchFinish;
}

/**
 * The end of a run whose last action nodes this batch is (an `exit` node, or nothing, after
 * them): when every node leaves by `next`, the activity records the run's visits and end itself,
 * in the statement the interpreter's `recordProgress` would have made after it, so the run ends
 * without that local activity. Times are on the run's clock: the workflow's when it scheduled
 * the batch, then the worker's clock measured from there.
 */
export interface BatchFinish {
  entry: number;
  /** The visits the run had not recorded yet when it scheduled the batch. */
  visits: VisitRecord[];
  /** When the run entered the batch's first node, and when it scheduled the batch. */
  firstEnteredAt: number;
  scheduledAt: number;
  /** The exit node reached after the batch, with its visit number; null when nothing follows. */
  exit: { nodeId: string; visit: number } | null;
  end: { status: RunEndStatus; reason: string };
}

/** A node an `executeNodes` batch ran: its index in the batch, its result, and when it ran. */
export interface ExecutedNode {
  index: number;
  result: NodeResult;
  startedAt: number;
  endedAt: number;
  /** On the last node, when the activity recorded the run's end (`BatchFinish`). */
  runEnded?: true;
}

export interface RecordProgressInput {
  workspaceId: string;
  journeyId: string;
  version: number;
  contactId: string;
  entry: number;
  workflowId: string;
  visits: VisitRecord[];
  end?: { status: RunEndStatus; reason: string };
}

const consoleLogger: NodeLogger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

/** How often a running node tells Temporal it is alive; the workflow's heartbeat timeout is a few beats. */
export const HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * Beats every few seconds until stopped, so an activity whose worker died is retried after the
 * heartbeat timeout (seconds) instead of its start-to-close timeout (minutes). Not at the start:
 * Temporal counts the heartbeat timeout from the attempt's start, and the SDK sends an
 * activity's first beat to the server at once, a write of the run's state there, so an activity
 * done within a beat's interval (most node batches) sends none. Outside an activity (a node test
 * harness) there is nothing to beat to.
 */
function heartbeatWhileRunning(details: () => unknown = () => undefined): () => void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return () => {};
  }
  const timer = setInterval(() => context.heartbeat(details()), HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The heartbeat details of an earlier attempt of this activity, if any. */
function earlierProgress<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}

/** The activities of a journey run, built from their dependencies (no module-level state). */
export function createActivities({ db, registry, logger = consoleLogger, secretBox }: ActivityDeps) {
  /**
   * Runs one node; `known`: the contact's row as the batch's previous node left it (read afresh
   * without it). Also gives the row after this node, when its context knows it.
   */
  async function runNode(
    input: ExecuteNodeInput,
    known?: ContactRow,
  ): Promise<{ result: NodeResult; contactAfter: ContactRow | undefined }> {
    const definition = registry.get(input.type, input.version);
    if (!definition?.execute) {
      throw ApplicationFailure.nonRetryable(
        `node type ${input.type}@${input.version} is not installed`,
        'NodeMissing',
      );
    }
    const parsed = definition.config.safeParse(input.config);
    if (!parsed.success) {
      throw ApplicationFailure.nonRetryable(
        `config of node ${input.nodeId} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        'NodeConfigInvalid',
      );
    }
    const row = known ?? (await findContact(db, input.workspaceId, input.contactId));
    if (!row)
      throw ApplicationFailure.nonRetryable(`contact ${input.contactId} no longer exists`, 'ContactGone');
    const { ctx, contactAfter } = buildContactFollowingContext({ db, logger, secretBox }, input, row);
    try {
      await prepareNode(db, definition);
      const result = (await definition.execute(parsed.data, ctx)) ?? {};
      nodeExecutions.inc({ node_type: input.type, outcome: 'ok' });
      return { result, contactAfter: contactAfter() };
    } catch (error) {
      const retryable = !isNodeError(error) || error.retryable;
      nodeExecutions.inc({ node_type: input.type, outcome: retryable ? 'retryable' : 'fatal' });
      activityFailures.inc({ node_type: input.type, retryable: String(retryable) });
      if (isNodeError(error)) {
        throw error.retryable
          ? ApplicationFailure.retryable(error.message, 'NodeRetryableError', error.details)
          : ApplicationFailure.nonRetryable(error.message, 'NodeFatalError', error.details);
      }
      throw error;
    }
  }

  return {
    /** Runs one action node, built-in or custom, through its definition's `execute`. */
    async executeNode(input: ExecuteNodeInput): Promise<NodeResult> {
      const stopBeating = heartbeatWhileRunning();
      try {
        return (await runNode(input)).result;
      } finally {
        stopBeating();
      }
    },

    /**
     * Runs consecutive action nodes of a run in one activity (one Temporal round trip instead of
     * one per node), each node's output in `steps` for the next. It stops after a node that
     * leaves by another port than `next` or asks to be deferred, and hands a node that fails
     * back to the workflow (which runs it alone, with its own retries and `error` port) unless
     * it is the first. A retried attempt skips the nodes its heartbeat says are done.
     */
    async executeNodes(input: ExecuteNodesInput): Promise<ExecutedNode[]> {
      const done: ExecutedNode[] = earlierProgress<ExecutedNode[]>() ?? [];
      const stopBeating = heartbeatWhileRunning(() => done);
      try {
        const steps = { ...input.steps };
        for (const item of done)
          if (item.result.output) steps[input.nodes[item.index].nodeId] = item.result.output;
        // The contact's row as the last node left it, when its context knows it: the next node
        // starts from it instead of reading the contact again.
        let contact: ContactRow | undefined;
        for (let index = done.length; index < input.nodes.length; index++) {
          const node = input.nodes[index];
          const startedAt = Date.now();
          let result: NodeResult;
          try {
            ({ result, contactAfter: contact } = await runNode({ ...input, ...node, steps }, contact));
          } catch (error) {
            if (index === 0) throw error;
            break;
          }
          // The next beat carries it: a retry after this worker died skips what is done.
          done.push({ index, result, startedAt, endedAt: Date.now() });
          if (result.output) steps[node.nodeId] = result.output;
          if ((result.port ?? 'next') !== 'next' || result.deferUntil) break;
        }
        if (input.finish && reachedTheEnd(input.nodes, done)) {
          await recordRunProgress(db, finishedRun(input, input.finish, done));
          done[done.length - 1].runEnded = true;
        }
        return done;
      } finally {
        stopBeating();
      }
    },

    /** Index of the first condition group that holds for the contact, or -1. */
    async evaluateBranch(input: {
      workspaceId: string;
      contactId: string;
      workflowId: string;
      journeyId: string;
      groups: ConditionGroup[];
      steps: Record<string, Record<string, unknown>>;
    }): Promise<number> {
      // Shares the nodes' activity options, heartbeat timeout included.
      const stopBeating = heartbeatWhileRunning();
      try {
        const contact = await findContact(db, input.workspaceId, input.contactId);
        if (!contact)
          throw ApplicationFailure.nonRetryable(`contact ${input.contactId} no longer exists`, 'ContactGone');
        return await firstMatchingGroup(input.groups, { db, contact, ...input });
      } finally {
        stopBeating();
      }
    },

    /** The contact as the interpreter sees it: time zones for waits, the fields conditions test. */
    async loadContact(input: { workspaceId: string; contactId: string }): Promise<ContactFacts> {
      const { contact, workspaceTimezone } = await findContactInZone(db, input.workspaceId, input.contactId);
      return {
        found: !!contact,
        timezone: contact?.timezone ?? null,
        attributes: contact?.attributes ?? {},
        tags: contact?.tags ?? [],
        email: contact?.email ?? null,
        phone: contact?.phone ?? null,
        externalId: contact?.externalId ?? null,
        workspaceTimezone,
      };
    },

    /**
     * Upserts node visits (idempotent per workflow, node and visit) and the run's end, in one
     * statement: the visits are a data-modifying `WITH` of the run row's upsert.
     */
    async recordProgress(input: RecordProgressInput): Promise<void> {
      await recordRunProgress(db, input);
    },

    /**
     * Re-entry at exit (a segment trigger's `reenterAtExit`): a run that ended starts the next
     * one while the contact is still in the segment, once the minimum interval has passed. The
     * ended run's id names the trigger, so a retried activity starts one run.
     */
    async reenterAtExit(input: {
      workspaceId: string;
      journeyId: string;
      contactId: string;
      endedWorkflowId: string;
      segmentId: string;
    }): Promise<EnrollResult> {
      const context = Context.current();
      const stopBeating = heartbeatWhileRunning();
      try {
        return await enrollContact(
          { db, temporal: context.client, taskQueue: context.info.taskQueue },
          {
            workspaceId: input.workspaceId,
            journeyId: input.journeyId,
            contactId: input.contactId,
            waitForInterval: true,
            trigger: {
              id: `reenter:${input.endedWorkflowId}`,
              name: null,
              properties: { segmentId: input.segmentId, reentered: true },
              timestamp: new Date().toISOString(),
            },
          },
        );
      } catch (error) {
        // Paused or archived meanwhile, contact deleted: no re-entry; anything else is retried.
        if (error instanceof DomainError && error.expected) return { enrolled: false, reason: error.message };
        throw error;
      } finally {
        stopBeating();
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * Records a run's visits (inserted, or completed when already there) and, with `end`, its end:
 * one statement, the same whether the interpreter's `recordProgress` or a batch that ends the run
 * records it, so recording twice changes nothing.
 */
async function recordRunProgress(db: Db, input: RecordProgressInput): Promise<void> {
  const visits = input.visits.map((v) => ({
    node_id: v.nodeId,
    visit: v.visit,
    port: v.port ?? null,
    outcome: v.outcome ?? null,
    entered_at: new Date(v.enteredAt).toISOString(),
    left_at: v.leftAt === undefined ? null : new Date(v.leftAt).toISOString(),
  }));
  const ended = !!input.end;
  await db.execute(sql`
    with visits as (
      insert into ${nodeVisits} (workspace_id, journey_id, version, workflow_id, node_id, visit, port, outcome, entered_at, left_at)
      select ${input.workspaceId}, ${input.journeyId}, ${input.version}, ${input.workflowId},
             v.node_id, v.visit, v.port, v.outcome, v.entered_at, v.left_at
      from jsonb_to_recordset(${JSON.stringify(visits)}::jsonb)
        as v(node_id text, visit integer, port text, outcome jsonb, entered_at timestamptz, left_at timestamptz)
      on conflict (workflow_id, node_id, visit) do update set
        port = coalesce(excluded.port, ${nodeVisits}.port),
        outcome = coalesce(excluded.outcome, ${nodeVisits}.outcome),
        left_at = coalesce(excluded.left_at, ${nodeVisits}.left_at)
    )
    insert into ${journeyRuns} (workspace_id, journey_id, version, contact_id, entry, workflow_id, status, exit_reason, ended_at)
    values (${input.workspaceId}, ${input.journeyId}, ${input.version}, ${input.contactId}, ${input.entry},
            ${input.workflowId}, ${input.end?.status ?? 'running'}, ${input.end?.reason ?? null},
            ${ended ? sql`now()` : sql`null`})
    on conflict (workflow_id) do update set
      -- A run migrated to a newer version records its progress under that version from then on.
      version = greatest(${journeyRuns}.version, excluded.version),
      status = ${ended ? sql`excluded.status` : sql`${journeyRuns}.status`},
      exit_reason = ${ended ? sql`excluded.exit_reason` : sql`${journeyRuns}.exit_reason`},
      ended_at = ${ended ? sql`excluded.ended_at` : sql`${journeyRuns}.ended_at`}
    where ${journeyRuns}.version < excluded.version or ${ended}`);
}

/** Whether a batch ran every node and the last left by `next` without a deferral: the run goes on to its end. */
function reachedTheEnd(nodes: BatchedNode[], done: ExecutedNode[]): boolean {
  const last = done[done.length - 1];
  return (
    done.length === nodes.length &&
    last?.index === nodes.length - 1 &&
    (last.result.port ?? 'next') === 'next' &&
    !last.result.deferUntil
  );
}

/**
 * What the run records at its end after this batch, as the interpreter would: the visits it had
 * not recorded, each node of the batch, the exit node, and the end. The batch's times move onto
 * the run's clock from when the run scheduled it.
 */
function finishedRun(
  input: ExecuteNodesInput,
  finish: BatchFinish,
  done: ExecutedNode[],
): RecordProgressInput {
  const origin = done[0].startedAt;
  const onRunClock = (at: number) => finish.scheduledAt + Math.max(0, at - origin);
  const batch: VisitRecord[] = done.map(({ index, result, startedAt, endedAt }) => ({
    nodeId: input.nodes[index].nodeId,
    visit: input.nodes[index].visit,
    enteredAt: index === 0 ? finish.firstEnteredAt : onRunClock(startedAt),
    leftAt: onRunClock(endedAt),
    port: result.port ?? 'next',
    outcome: result.output,
  }));
  const endedAt = onRunClock(done[done.length - 1].endedAt);
  const exit: VisitRecord[] = finish.exit
    ? [
        {
          nodeId: finish.exit.nodeId,
          visit: finish.exit.visit,
          enteredAt: endedAt,
          leftAt: endedAt,
          port: null,
        },
      ]
    : [];
  return {
    workspaceId: input.workspaceId,
    journeyId: input.journeyId,
    version: input.journeyVersion,
    contactId: input.contactId,
    entry: finish.entry,
    workflowId: input.runId,
    visits: [...finish.visits, ...batch, ...exit],
    end: finish.end,
  };
}

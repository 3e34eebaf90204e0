import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, BatchFinish, ContactFacts, ExecutedNode } from '../engine/activities';
import { matchesFilter } from '../engine/audience/conditions/filters';
import type { EventMatch } from '../engine/automation/journeys/model';
import type { PlanNode } from '../engine/automation/journeys/plan';
import { SEND_NODE_CHANNELS } from '../engine/automation/nodes/send-channels';
import {
  contactChangedSignal,
  controlSignal,
  eventSignal,
  migrateSignal,
  statusQuery,
} from '../engine/automation/runs/signals';
import {
  type JourneyRunInput,
  type JourneyRunResult,
  keyValueOf,
  MAX_BUFFERED_EVENTS,
  MAX_SEEN_EVENT_IDS,
  type MigrateRun,
  type RunEvent,
  type RunState,
  type VisitRecord,
} from '../engine/automation/runs/types';
import type { NodeResult } from '../engine/sdk/define-node';
import {
  type ControlVisit,
  type Ending,
  exitNodeEnding,
  isControlType,
  runControlNode,
  type WaitOptions,
  type WaitOutcome,
} from './control';
import {
  decidableInWorkflow,
  decidingValues,
  firstMatchingGroupOf,
  hasConditionFields,
} from './journey-run-conditions';

/**
 * The heartbeat timeout (executeNode beats every 3 s) lets a retry start about 10 s after a
 * worker dies, where the start-to-close timeout alone would hold it for 2 minutes. Activity
 * options are not part of replay, so runs in flight need no `patched()`.
 */
const actionOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
} as const;

const { executeNode, executeNodes, evaluateBranch, reenterAtExit } =
  proxyActivities<Activities>(actionOptions);

/** At most this many consecutive action nodes run in one `executeNodes` activity. */
const MAX_BATCH = 10;

/** Sends run on their channel's task queue (`<queue>-<channel>`), so each channel is rate limited on its own. */
const channelActivities = new Map<string, Activities>();
function activitiesFor(
  nodeType: string,
  adopted: (patchId: string) => boolean,
): Pick<Activities, 'executeNode' | 'executeNodes'> {
  const channel = SEND_NODE_CHANNELS[nodeType];
  if (!channel || !adopted('channel-task-queues')) return { executeNode, executeNodes };
  const taskQueue = `${workflowInfo().taskQueue}-${channel}`;
  let activities = channelActivities.get(taskQueue);
  if (!activities) {
    activities = proxyActivities<Activities>({ ...actionOptions, taskQueue });
    channelActivities.set(taskQueue, activities);
  }
  return activities;
}

const { loadContact, recordProgress } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', maximumInterval: '10s' },
});

/**
 * One contact's trip through one journey version. Control nodes run here as timers and
 * conditions; action nodes run as the `executeNode` activity. The goal, exit criteria and the
 * exit signal are watched at every wait.
 */
export async function journeyRun(input: JourneyRunInput): Promise<JourneyRunResult> {
  const { plan } = input;
  const info = workflowInfo();
  /**
   * Whether the run takes a behaviour added to the interpreter: at once for runs started with
   * `interpreter` 1 or later, through its `patched()` marker for runs started before.
   */
  const adopted = (patchId: string) => (input.interpreter ?? 0) >= 1 || patched(patchId);
  /** `adopted` for a behaviour of interpreter 2. */
  const adopted2 = (patchId: string) => (input.interpreter ?? 0) >= 2 || patched(patchId);
  const state: RunState = input.state ?? {
    cursor: null,
    visits: {},
    steps: {},
    events: [],
    seenEventIds: [],
    consumed: [],
    received: 0,
    paused: input.paused ?? false,
    enteredAt: Date.now(),
    continuedAsNew: 0,
  };
  const pending: VisitRecord[] = [];
  const path: string[] = [];
  let ending: Ending | null = null;
  /** Whether the run's last batch recorded its end (`BatchFinish`), so the run ends without recording it again. */
  let endRecorded = false;
  let contact: ContactFacts | undefined;
  /** The enrollment's snapshot, until the run first waits, acts or hears of a change (a fresh start only). */
  let enrolledContact: ContactFacts | undefined = input.state ? undefined : input.contact;

  const keyPath = plan.nodes[plan.trigger].config.key;
  /** Whether an event carries the run's entry key (runs of an unkeyed trigger have none to carry). */
  const carriesEntryKey = (event: RunEvent) =>
    input.entryKey !== undefined &&
    typeof keyPath === 'string' &&
    keyValueOf(event.properties, keyPath) === input.entryKey;
  const matches = (event: RunEvent, match: EventMatch | undefined) =>
    !!match &&
    event.name === match.event &&
    matchesFilter(event.properties, match.where) &&
    (!match.sameKey || carriesEntryKey(event));

  setHandler(eventSignal, (event) => {
    if (input.trigger && event.id === input.trigger.id) return;
    if (state.seenEventIds.includes(event.id)) return;
    state.seenEventIds.push(event.id);
    if (state.seenEventIds.length > MAX_SEEN_EVENT_IDS) state.seenEventIds.shift();
    state.events.push({ ...event, arrival: state.received });
    state.received += 1;
    if (state.events.length > MAX_BUFFERED_EVENTS) state.events.shift();
    if (ending) return;
    if (matches(event, plan.settings.goal)) {
      ending = { status: 'converted', reason: `goal: ${event.name}` };
    } else if (plan.settings.exitCriteria.some((criterion) => matches(event, criterion))) {
      ending = { status: 'exited', reason: `exit criteria: ${event.name}` };
    }
  });
  setHandler(controlSignal, (control) => {
    if (control.action === 'pause') state.paused = true;
    else if (control.action === 'resume') state.paused = false;
    else if (!ending) ending = { status: 'exited', reason: control.reason ?? 'exited by request' };
  });
  setHandler(contactChangedSignal, () => {
    state.contactChanges = (state.contactChanges ?? 0) + 1;
    contact = undefined;
    enrolledContact = undefined;
  });
  setHandler(migrateSignal, (migration) => {
    // Interpreter code added after runs were recorded: the marker keeps their replay as it was.
    if (!patched('journey-migration')) return;
    if (ending || state.migrations?.includes(migration.migrationId)) return;
    state.migration = migration;
  });
  setHandler(statusQuery, () => ({
    cursor: state.cursor,
    paused: state.paused,
    ended: ending?.status ?? null,
    eventsReceived: state.events.length,
  }));

  const interrupted = () => ending !== null;

  const flush = async (end?: Ending) => {
    if (pending.length === 0 && !end) return;
    const visits = pending.splice(0, pending.length);
    await recordProgress({
      workspaceId: input.workspaceId,
      journeyId: input.journeyId,
      version: input.version,
      contactId: input.contactId,
      entry: input.entry,
      workflowId: info.workflowId,
      visits,
      end,
    });
  };

  const getContact = async (): Promise<ContactFacts> => {
    contact ??= await loadContact({ workspaceId: input.workspaceId, contactId: input.contactId });
    return contact;
  };

  const historyFull = () => {
    if (state.migration) return true;
    const now = workflowInfo();
    return now.continueAsNewSuggested || (!!input.historyLimit && now.historyLength > input.historyLimit);
  };

  /** The node of the migration's plan a run at `nodeId` continues at; undefined when it stays. */
  const migrationTarget = (nodeId: string | null): string | undefined => {
    const migration = state.migration;
    if (!migration || !nodeId) return undefined;
    const target = migration.mapping[nodeId];
    return target && migration.plan.nodes[target] ? target : undefined;
  };

  /**
   * Waits until `deadline` (ms), an interruption, or `also()`. With `resumable`, a history grown
   * too long during the wait ends it early so the run can continue as new at the same node.
   */
  const waitFor = async (deadline: number, options: WaitOptions = {}): Promise<WaitOutcome> => {
    enrolledContact = undefined;
    const also = options.also ?? (() => false);
    const settled = () => (interrupted() ? 'interrupted' : also() ? 'condition' : null);
    const remaining = deadline - Date.now();
    if (remaining > 0) {
      await condition(() => settled() !== null || (!!options.resumable && historyFull()), remaining);
    }
    return settled() ?? (Date.now() >= deadline ? 'deadline' : 'continue-as-new');
  };

  const enterNode = (node: PlanNode, enteredAt: number) => {
    state.visits[node.id] = (state.visits[node.id] ?? 0) + 1;
    path.push(node.id);
    return { nodeId: node.id, visit: state.visits[node.id], enteredAt };
  };

  const leave = (record: VisitRecord, port: string | null, outcome?: Record<string, unknown>) => {
    pending.push({ ...record, leftAt: Date.now(), port, outcome });
  };

  // The trigger counts as visited once per run.
  if (!input.state) {
    const trigger = plan.nodes[plan.trigger];
    const record = enterNode(trigger, state.enteredAt);
    leave(
      record,
      'next',
      input.trigger ? { event: input.trigger.name, eventId: input.trigger.id } : undefined,
    );
    state.cursor = trigger.next.next ?? null;
  }

  /** Puts the run back at the start of the wait it is in, to continue as new there. */
  const resumeLater = (record: VisitRecord, since?: number) => {
    state.cursorEnteredAt = record.enteredAt;
    state.cursorSince = since;
    const target = migrationTarget(record.nodeId);
    if (state.migration && target) {
      // The visit ends here, on this version; the run enters the new version's node afresh.
      leave(record, 'migrated', {
        migrationId: state.migration.migrationId,
        toVersion: state.migration.version,
        toNode: target,
      });
      return;
    }
    state.migration = undefined;
    state.visits[record.nodeId] -= 1;
    state.cursorVisit = record.visit;
    path.pop();
  };

  /**
   * A migration applied at the top of the loop to a run that continued as new in the middle of a
   * wait: the wait's visit, whose number was given back for the re-entry, ends here as
   * `migrated`, and its number is taken again so the new version's visit gets the next one
   * (`node_visits` is unique per workflow, node and visit, across versions). Runs recorded before
   * this record nothing here, and replay so.
   */
  const closeResumedVisit = (nodeId: string, migration: MigrateRun, target: string) => {
    const visit = state.cursorVisit;
    state.cursorVisit = undefined;
    if (visit === undefined || !patched('migration-closes-resumed-visit')) return;
    state.visits[nodeId] = Math.max(state.visits[nodeId] ?? 0, visit);
    leave({ nodeId, visit, enteredAt: state.cursorEnteredAt ?? Date.now() }, 'migrated', {
      migrationId: migration.migrationId,
      toVersion: migration.version,
      toNode: target,
    });
  };

  const controlVisit = (record: VisitRecord, resumedSince: number | undefined): ControlVisit => {
    /** The values the visit's last decision in workflow code read (undefined when a query decided). */
    let decidedOn: Record<string, unknown> | undefined;
    return {
      input,
      state,
      enteredAt: record.enteredAt,
      resumedSince,
      hold: async (until) => {
        pending.push(
          until === undefined ? record : { ...record, outcome: { until: new Date(until).toISOString() } },
        );
        await flush();
      },
      waitFor,
      leave: (port, outcome) => leave(record, port, outcome),
      resumeLater: (since) => resumeLater(record, since),
      end: (end) => {
        ending = end;
      },
      contact: getContact,
      carriesEntryKey,
      evaluateBranch: async (groups) => {
        // Attributes, tags and steps are decided here on a fresh snapshot (a local activity, no
        // round trip through the server); runs recorded before keep their evaluateBranch activity.
        decidedOn = undefined;
        if (decidableInWorkflow(groups) && adopted('conditions-in-workflow')) {
          // Right after the start, the snapshot the enrollment read is as fresh as a new one.
          const enrolled = enrolledContact;
          enrolledContact = undefined;
          contact =
            enrolled && adopted('contact-from-enrollment')
              ? enrolled
              : await loadContact({ workspaceId: input.workspaceId, contactId: input.contactId });
          if (hasConditionFields(contact)) {
            decidedOn = decidingValues(groups, contact, state.steps);
            return firstMatchingGroupOf(groups, contact, state.steps);
          }
        }
        return evaluateBranch({
          workspaceId: input.workspaceId,
          contactId: input.contactId,
          workflowId: info.workflowId,
          journeyId: input.journeyId,
          groups,
          steps: state.steps,
        });
      },
      decidedOn: () => (decidedOn ? { values: decidedOn } : undefined),
    };
  };

  /** An action node runs as the `executeNode` activity on its channel's queue, held while the run is paused. */
  const runAction = async (node: PlanNode, record: VisitRecord, first?: NodeResult) => {
    enrolledContact = undefined;
    if (!first && state.paused) {
      pending.push(record);
      await flush();
      await condition(() => !state.paused || interrupted());
      if (interrupted()) return;
    }
    const idempotencyKey = `${info.workflowId}:${node.id}:${record.visit}`;
    try {
      const execute = () =>
        activitiesFor(node.type, adopted).executeNode({
          workspaceId: input.workspaceId,
          journeyId: input.journeyId,
          journeyVersion: input.version,
          contactId: input.contactId,
          runId: info.workflowId,
          nodeId: node.id,
          visit: record.visit,
          idempotencyKey,
          type: node.type,
          version: node.version,
          config: node.config,
          trigger: input.trigger,
          steps: state.steps,
        });
      let result = first ?? (await execute());
      const deferrals: string[] = [];
      // Why each deferral happened (quiet hours, a frequency cap, a rate), for the timing report.
      const deferredFor: string[] = [];
      while (result.deferUntil && !interrupted() && deferrals.length < 100) {
        deferrals.push(result.deferUntil);
        deferredFor.push(String(result.output?.reason ?? ''));
        pending.push(record);
        await flush();
        if ((await waitFor(Date.parse(result.deferUntil))) !== 'deadline') break;
        result = await execute();
      }
      if (interrupted()) return;
      const port = result.port ?? 'next';
      if (result.output) state.steps[node.id] = result.output;
      contact = undefined;
      leave(
        record,
        port,
        deferrals.length ? { ...result.output, deferredUntil: deferrals, deferredFor } : result.output,
      );
      state.cursor = port in node.next ? node.next[port] : null;
    } catch (error) {
      actionFailed(node, record, error);
    }
  };

  /** An action node whose activity failed for good leaves by `error`, or ends the run when that port is unconnected. */
  const actionFailed = (node: PlanNode, record: VisitRecord, error: unknown) => {
    const reason = failureMessage(error);
    leave(record, 'error', { error: reason });
    if ('error' in node.next) {
      state.cursor = node.next.error;
    } else {
      ending = { status: 'failed', reason: `node ${node.id} failed: ${reason}` };
    }
  };

  /**
   * The action nodes that run with `node` in one activity: the chain of action nodes joined by
   * their `next` ports, ending at the first send (a send's activity runs on its channel's queue,
   * one send per activity, so the channel's rate limit still counts sends).
   */
  const batchFrom = (node: PlanNode): PlanNode[] => {
    const chain = [node];
    for (let current = node; chain.length < MAX_BATCH && !SEND_NODE_CHANNELS[current.type]; ) {
      const next = current.next.next ? plan.nodes[current.next.next] : undefined;
      if (next?.kind !== 'action' || isControlType(next.type) || chain.includes(next)) break;
      chain.push(next);
      current = next;
    }
    return chain;
  };

  /**
   * Runs a chain of action nodes as one `executeNodes` activity and records each node it ran as
   * its own visit. A node it handed back (failed, not the first) is where the run continues,
   * alone; a node that asks to be deferred waits as in `runAction`.
   */
  const runBatch = async (chain: PlanNode[], firstRecord: VisitRecord, end?: RunEnd) => {
    enrolledContact = undefined;
    const visits = chain.map((n, i) => (i === 0 ? firstRecord.visit : (state.visits[n.id] ?? 0) + 1));
    let executed: ExecutedNode[];
    const batchStarted = Date.now();
    const finish: BatchFinish | undefined = end && {
      entry: input.entry,
      visits: [...pending],
      firstEnteredAt: firstRecord.enteredAt,
      scheduledAt: batchStarted,
      exit: end.exit ? { nodeId: end.exit.id, visit: (state.visits[end.exit.id] ?? 0) + 1 } : null,
      end: end.ending,
    };
    try {
      executed = await activitiesFor(chain[chain.length - 1].type, adopted).executeNodes({
        workspaceId: input.workspaceId,
        journeyId: input.journeyId,
        journeyVersion: input.version,
        contactId: input.contactId,
        runId: info.workflowId,
        trigger: input.trigger,
        steps: state.steps,
        nodes: chain.map((n, i) => ({
          nodeId: n.id,
          visit: visits[i],
          idempotencyKey: `${info.workflowId}:${n.id}:${visits[i]}`,
          type: n.type,
          version: n.version,
          config: n.config,
        })),
        finish,
      });
    } catch (error) {
      actionFailed(chain[0], firstRecord, error);
      return;
    }
    // Interrupted meanwhile: the run ends as the interruption says (recorded at its end, over
    // an end the batch recorded).
    if (interrupted()) return;
    contact = undefined;
    const ended = executed[executed.length - 1]?.runEnded === true;
    // The activity's clock is the worker's; visits are recorded on the run's clock (simulated
    // time in a simulation), so its times become offsets from when the batch started here.
    const batchEnded = Date.now();
    const activityOrigin = executed[0]?.startedAt ?? 0;
    const onRunClock = (at: number) =>
      Math.min(batchEnded, Math.max(batchStarted, batchStarted + (at - activityOrigin)));
    for (const { index, result, startedAt: activityStarted, endedAt: activityEnded } of executed) {
      const node = chain[index];
      const startedAt = onRunClock(activityStarted);
      const endedAt = onRunClock(activityEnded);
      const record = index === 0 ? firstRecord : enterNode(node, startedAt);
      if (result.deferUntil) {
        await runAction(node, record, result);
        return;
      }
      const port = result.port ?? 'next';
      if (result.output) state.steps[node.id] = result.output;
      if (!ended) pending.push({ ...record, leftAt: endedAt, port, outcome: result.output });
      state.cursor = port in node.next ? node.next[port] : null;
    }
    if (ended && end && finish) {
      // The activity recorded the visits up to here, the exit and the end: the run ends now.
      pending.splice(0, finish.visits.length);
      if (end.exit) enterNode(end.exit, batchEnded);
      state.cursor = null;
      ending = end.ending;
      endRecorded = true;
    }
  };

  /**
   * How the run ends when `chain` runs through (each node leaving by `next`): at the exit node
   * after it, or with nothing after it. Undefined when another node follows, or when a migration
   * waits to be applied at the next node.
   */
  const endAfter = (chain: PlanNode[]): RunEnd | undefined => {
    if (state.migration) return undefined;
    const nextId = chain[chain.length - 1].next.next;
    if (nextId == null) return { ending: endOfJourney };
    const next = plan.nodes[nextId];
    return next?.type === 'exit' ? { exit: next, ending: exitNodeEnding } : undefined;
  };

  while (state.cursor && !ending) {
    if (state.migration) {
      const migration = state.migration;
      const target = migrationTarget(state.cursor);
      state.migration = undefined;
      if (target) {
        closeResumedVisit(state.cursor, migration, target);
        const sameNode = target === state.cursor;
        if (!sameNode || migration.pastTimers === 'restart') state.cursorEnteredAt = undefined;
        if (!sameNode) state.cursorSince = undefined;
        state.cursor = target;
        state.migrations = [...(state.migrations ?? []), migration.migrationId];
        await flush();
        state.continuedAsNew += 1;
        return continueAsNew<typeof journeyRun>({
          ...input,
          version: migration.version,
          plan: migration.plan,
          state,
          paused: state.paused,
        });
      }
      continue;
    }
    if (historyFull()) {
      await flush();
      state.continuedAsNew += 1;
      return continueAsNew<typeof journeyRun>({ ...input, state, paused: state.paused });
    }
    const node = plan.nodes[state.cursor];
    const enteredAt = state.cursorEnteredAt ?? Date.now();
    const resumedSince = state.cursorSince;
    state.cursorEnteredAt = undefined;
    state.cursorSince = undefined;
    state.cursorVisit = undefined;
    const record = enterNode(node, enteredAt);

    if (isControlType(node.type)) {
      await runControlNode(node.type, node, controlVisit(record, resumedSince));
    } else if (node.kind === 'action') {
      // Consecutive action nodes share one activity; runs recorded before run them one by one.
      // The batch before the run's end records that end too (one round trip fewer per run),
      // a lone node included.
      const chain = state.paused ? [node] : batchFrom(node);
      const end = state.paused ? undefined : endAfter(chain);
      if (end && adopted('batched-actions') && adopted2('run-end-in-batch'))
        await runBatch(chain, record, end);
      else if (chain.length > 1 && adopted('batched-actions')) await runBatch(chain, record);
      else await runAction(node, record);
    } else {
      throw ApplicationFailure.nonRetryable(`node ${node.id}: ${node.type} cannot run in a journey body`);
    }
  }

  const end: Ending = ending ?? endOfJourney;
  if (!endRecorded) await flush(end);
  const entryTrigger = plan.nodes[plan.trigger];
  if (entryTrigger.config.reenterAtExit === true && end.status !== 'cancelled' && end.status !== 'failed') {
    await reenterAtExit({
      workspaceId: input.workspaceId,
      journeyId: input.journeyId,
      contactId: input.contactId,
      endedWorkflowId: info.workflowId,
      segmentId: String(entryTrigger.config.segmentId),
    });
  }
  return { status: end.status, reason: end.reason, path, continuedAsNew: state.continuedAsNew };
}

/** How a run ends when no node follows the last it ran. */
const endOfJourney: Ending = { status: 'completed', reason: 'reached the end of the journey' };

/** How a run ends right after a batch: the exit node it reaches (none when nothing follows) and the ending. */
interface RunEnd {
  exit?: PlanNode;
  ending: Ending;
}

function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { createDb, type Database } from '../../db';
import { events, messages } from '../../db/schema';
import { createContact, getContact } from '../audience/contacts/contacts';
import { createJourney, publishJourney } from '../automation/journeys/journeys';
import type { JourneyGraph } from '../automation/journeys/model';
import type { NodeRegistry } from '../automation/nodes/registry';
import { enrollContact } from '../automation/runs/enroll';
import { runsOfContact } from '../automation/runs/queries';
import { signalContactRuns } from '../automation/runs/run-control';
import type { JourneyRunResult, RunEndStatus } from '../automation/runs/types';
import { SecretBox } from '../identity/secret-box';
import { createWorkspace } from '../identity/workspaces';
import type { NodeLogger } from '../sdk/define-node';
import { findTestServer } from '../temporal/binaries';
import { bundleWorkflows, createChannelWorkers, createJourneyWorker } from '../temporal/worker';
import { sandboxRegistry } from './sandbox-registry';
import { type ScriptedEvent, type SimulatedContact, type TimedEvent, timeline } from './script';

export interface SimulationStep {
  nodeId: string;
  type: string;
  label?: string;
  visit: number;
  port: string | null;
  /** Milliseconds after the contact entered, on the simulated clock. */
  atMs: number;
  leftAtMs: number | null;
  outcome: Record<string, unknown> | null;
}

export interface SimulatedEventResult {
  event: string;
  atMs: number;
  /** How the run saw it: the trigger, delivered to the waiting run, or why not. */
  outcome: 'trigger' | 'delivered' | 'before-entry' | 'after-end';
}

export interface SimulatedMessage {
  nodeId: string | null;
  channel: string;
  recipient: string | null;
  subject: string | null;
  body: string | null;
  status: string;
  atMs: number;
}

export interface SimulationResult {
  status: RunEndStatus | 'not-entered' | 'unfinished';
  reason: string;
  /** Simulated instant the contact entered. */
  startedAt: string | null;
  durationMs: number;
  steps: SimulationStep[];
  events: SimulatedEventResult[];
  messages: SimulatedMessage[];
  contact: { attributes: Record<string, unknown>; tags: string[] };
}

export interface SimulationInput {
  graph: JourneyGraph;
  contact: Omit<SimulatedContact, 'contactId'>;
  events: ScriptedEvent[];
}

export interface SimulatorOptions {
  registry: NodeRegistry;
  /** The time-skipping test server; found like `npm test` finds it when absent. */
  testServerPath?: string;
  /** Pre-bundled workflow code (tests build it once); bundled on first use otherwise. */
  workflowBundlePath?: string;
  /** Longest wall-clock time one simulation may take before it is stopped. */
  timeoutMs?: number;
}

const quietLogger: NodeLogger = { info() {}, warn() {}, error() {} };
const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * Runs a journey for one sample contact on the real time-skipping Temporal test server, with a
 * throwaway in-memory database, so a week of waits takes seconds and nothing touches the
 * workspace's data or any provider. Simulations run one at a time: the test server's clock is
 * shared, and a queue keeps one script's sleeps from moving another's time.
 */
export class Simulator {
  private env?: Promise<TestWorkflowEnvironment>;
  private bundle?: Promise<{ codePath: string } | { code: string }>;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sandbox: NodeRegistry;

  constructor(private readonly options: SimulatorOptions) {
    this.sandbox = sandboxRegistry(options.registry);
  }

  run(input: SimulationInput): Promise<SimulationResult> {
    const next = this.queue.then(() => this.runOne(input));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    const env = await this.env?.catch(() => undefined);
    await env?.teardown();
  }

  private environment(): Promise<TestWorkflowEnvironment> {
    this.env ??= (async () => {
      const serverPath =
        this.options.testServerPath ?? findTestServer({ root, install: false, log: () => {} }).path;
      return TestWorkflowEnvironment.createTimeSkipping(
        serverPath ? { server: { executable: { type: 'existing-path', path: serverPath } } } : {},
      );
    })();
    this.env.catch(() => {
      this.env = undefined;
    });
    return this.env;
  }

  private workflowBundle() {
    this.bundle ??= this.options.workflowBundlePath
      ? Promise.resolve({ codePath: this.options.workflowBundlePath })
      : bundleWorkflows().then((code) => ({ code }));
    return this.bundle;
  }

  private async runOne(input: SimulationInput): Promise<SimulationResult> {
    const script = timeline(input.events);
    const [env, workflowBundle] = await Promise.all([this.environment(), this.workflowBundle()]);
    const database = await createDb({});
    try {
      const { db } = database;
      const workspace = await createWorkspace(db, 'Simulation', input.contact.timezone ?? 'UTC');
      const contact = await createContact(db, workspace.id, { ...input.contact, userId: 'sample-contact' });
      const journey = await createJourney(db, workspace.id, input.graph);
      await publishJourney(db, this.options.registry, workspace.id, journey.id);

      const taskQueue = `simulation-${journey.id}`;
      const workerOptions = {
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        db,
        registry: this.sandbox,
        // A throwaway box: the sandbox database holds no secrets worth keeping.
        secretBox: new SecretBox(randomBytes(32)),
        logger: quietLogger,
      };
      const worker = await createJourneyWorker({ ...workerOptions, workflowBundle });
      // Sends run on their channel's task queue, as in production (with the simulated sends).
      const channelWorkers = await createChannelWorkers(workerOptions);
      const channelRuns = channelWorkers.map((w) => w.run());
      const temporal = { db, temporal: env.client, taskQueue };
      const triggerNode = input.graph.nodes.find((n) => n.type.startsWith('trigger.'));
      const triggerEvent =
        triggerNode?.type === 'trigger.event' ? String(triggerNode.config.event ?? '') : undefined;

      const drive = async () => {
        const outcomes: SimulatedEventResult[] = [];
        const triggerIndex = triggerEvent ? script.findIndex((e) => e.event === triggerEvent) : -1;
        const origin = triggerIndex >= 0 ? script[triggerIndex].atMs : 0;
        let clock = 0;
        const advanceTo = async (atMs: number) => {
          if (atMs > clock) await env.sleep(atMs - clock);
          clock = Math.max(clock, atMs);
        };
        const record = async (scripted: TimedEvent, index: number) => {
          const timestamp = new Date(await env.currentTimeMs());
          const [row] = await db
            .insert(events)
            .values({
              workspaceId: workspace.id,
              messageId: `simulation-${index}`,
              contactId: contact.id,
              type: 'track',
              name: scripted.event,
              properties: scripted.properties,
              timestamp,
            })
            .returning();
          return {
            id: row.id,
            name: scripted.event,
            properties: scripted.properties,
            timestamp: timestamp.toISOString(),
          };
        };

        for (const [index, scripted] of script.entries()) {
          if (index === triggerIndex || scripted.atMs >= origin) continue;
          await record(scripted, index);
          outcomes.push({ event: scripted.event, atMs: scripted.atMs - origin, outcome: 'before-entry' });
        }
        await advanceTo(origin);
        const trigger =
          triggerIndex >= 0
            ? await record(script[triggerIndex], triggerIndex)
            : triggerEvent
              ? await record({ event: triggerEvent, atMs: 0, properties: {} }, -1)
              : null;
        if (triggerIndex >= 0) outcomes.push({ event: triggerEvent!, atMs: 0, outcome: 'trigger' });
        const enrolled = await enrollContact(temporal, {
          workspaceId: workspace.id,
          journeyId: journey.id,
          contactId: contact.id,
          trigger,
          force: true,
        });
        if (!enrolled.enrolled) return { outcomes, ending: null, reason: enrolled.reason };

        for (const [index, scripted] of script.entries()) {
          if (index === triggerIndex || scripted.atMs < origin) continue;
          await advanceTo(scripted.atMs);
          const event = await record(scripted, index);
          const delivered = await signalContactRuns(db, env.client, workspace.id, contact.id, event);
          outcomes.push({
            event: scripted.event,
            atMs: scripted.atMs - origin,
            outcome: delivered > 0 ? 'delivered' : 'after-end',
          });
        }
        const result: JourneyRunResult = await env.client.workflow.getHandle(enrolled.workflowId).result();
        return { outcomes, ending: result, reason: result.reason ?? '' };
      };

      const timeoutMs = this.options.timeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const driving = drive();
      driving.catch(() => undefined);
      const driven = await worker.runUntil(Promise.race([driving, timedOut])).finally(async () => {
        clearTimeout(timer);
        for (const w of channelWorkers) if (w.getState() === 'RUNNING') w.shutdown();
        await Promise.allSettled(channelRuns);
      });
      return await this.report(database, workspace.id, contact.id, input.graph, driven, timeoutMs);
    } finally {
      await database.close();
    }
  }

  private async report(
    database: Database,
    workspaceId: string,
    contactId: string,
    graph: JourneyGraph,
    driven: 'timeout' | { outcomes: SimulatedEventResult[]; ending: JourneyRunResult | null; reason: string },
    timeoutMs: number,
  ): Promise<SimulationResult> {
    const { db } = database;
    const [run] = await runsOfContact(db, workspaceId, contactId);
    const origin = run?.path[0]?.enteredAt.getTime() ?? run?.startedAt.getTime() ?? 0;
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const steps: SimulationStep[] = (run?.path ?? []).map((step) => ({
      nodeId: step.nodeId,
      type: byId.get(step.nodeId)?.type ?? 'unknown',
      label: byId.get(step.nodeId)?.label,
      visit: step.visit,
      port: step.port,
      atMs: step.enteredAt.getTime() - origin,
      leftAtMs: step.leftAt ? step.leftAt.getTime() - origin : null,
      outcome: step.outcome,
    }));
    const sent = await db.select().from(messages).where(eq(messages.workspaceId, workspaceId));
    const after = await getContact(db, workspaceId, contactId);
    const last = steps.reduce((max, s) => Math.max(max, s.leftAtMs ?? s.atMs), 0);
    const base = {
      startedAt: run ? new Date(origin).toISOString() : null,
      durationMs: last,
      steps,
      messages: sent.map((m) => ({
        nodeId: m.nodeId,
        channel: m.channel,
        recipient: m.recipient,
        subject: m.subject,
        body: m.body,
        status: m.status,
        // The ledger's created_at is wall-clock time; the step carries the simulated one.
        atMs: steps.find((s) => s.nodeId === m.nodeId)?.atMs ?? 0,
      })),
      contact: { attributes: after.attributes, tags: after.tags },
    };
    if (driven === 'timeout') {
      return {
        ...base,
        status: 'unfinished',
        reason: `the simulation did not finish within ${Math.round(timeoutMs / 1000)} s of real time`,
        events: [],
      };
    }
    if (!driven.ending) {
      return { ...base, status: 'not-entered', reason: driven.reason, events: driven.outcomes };
    }
    return { ...base, status: driven.ending.status, reason: driven.reason, events: driven.outcomes };
  }
}

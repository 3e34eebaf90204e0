import path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Db } from '../../db';
import { createActivities } from '../activities';
import { createBroadcastActivities } from '../activities/broadcasts';
import { createMigrationActivities } from '../activities/journey-migration';
import { createSchedulingActivities } from '../activities/scheduling';
import { createSocialActivities } from '../activities/social';
import { createTicketActivities } from '../activities/tickets';
import type { NodeRegistry } from '../automation/nodes/registry';
import { SEND_CHANNELS } from '../automation/nodes/send-channels';
import type { SecretBox } from '../identity/secret-box';
import type { ChannelDeps } from '../messaging/channels/deps';
import type { NodeLogger } from '../sdk/define-node';

export const workflowsPath = path.join(import.meta.dirname, '..', '..', 'workflows', 'index.ts');

export interface JourneyWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  registry: NodeRegistry;
  secretBox: SecretBox;
  logger?: NodeLogger;
  /** A pre-built bundle (tests build it once); otherwise the workflows are bundled now. */
  workflowBundle?: { codePath: string } | { code: string };
  /** What broadcasts send with; without them this worker runs no broadcast. */
  channels?: ChannelDeps;
}

/**
 * Worker options journey workers run with (the journey benchmark gives its baseline worker the same).
 *
 * `stickyQueueScheduleToStartTimeout`: a run's next workflow task goes first to the worker that
 * has the run cached (its sticky queue). When that worker was SIGKILLed, Temporal still routes
 * there for about 10 s after its last poll, and each such task (a timer firing, a send done on
 * a survivor) waits this long before any worker may take it from the shared queue. Temporal's
 * default, 10 s, let such runs stand still up to 20 s after the kill; 3 s bounds it at about
 * 13 s, beside the 11 s a killed send waits (heartbeat timeout + first retry). A live worker
 * busier than 3 s only loses its cache hit: another worker replays the run's (short) history.
 *
 * `isolateExecutionTimeout: 0`: no deadline on each call into the workflow sandbox (the SDK's
 * default is 5 s). Node's vm enforces such a deadline with a watchdog thread it starts and joins
 * on every call, several calls per activation, all on the one workflow thread; a patch of the SDK
 * (`patches/@temporalio+worker+*.patch`) makes 0 mean none. The SDK takes the option without
 * declaring it ("not exposed at the moment"), hence the type beside `WorkerOptions`. The sandbox
 * runs only Wayline's own workflows (custom nodes run as activities). What the watchdog cost:
 * docs/BENCHMARKS.md.
 */
export const workerTuning = {
  stickyQueueScheduleToStartTimeout: '3s',
  isolateExecutionTimeout: 0,
} satisfies Partial<WorkerOptions> & { isolateExecutionTimeout?: number };

/** A worker for journey runs: the interpreter workflow and every node's activities. */
export async function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  return Worker.create({
    ...workerTuning,
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: {
      ...createActivities(options),
      ...createSchedulingActivities({ db: options.db }),
      ...createSocialActivities(options),
      ...createTicketActivities(options),
      ...createMigrationActivities({ db: options.db }),
      ...(options.channels ? createBroadcastActivities(options.channels) : {}),
    },
  });
}

/**
 * One activity-only worker per channel task queue (`<taskQueue>-<channel>`): the interpreter
 * schedules each send there, and `maxTaskQueueActivitiesPerSecond` caps that channel's rate
 * across every worker polling it without slowing the other channels.
 */
export async function createChannelWorkers(
  options: Omit<JourneyWorkerOptions, 'workflowBundle'> & {
    rates?: Record<string, number>;
    defaultRate?: number;
  },
): Promise<Worker[]> {
  const activities = createActivities(options);
  return Promise.all(
    SEND_CHANNELS.map((channel) =>
      Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: `${options.taskQueue}-${channel}`,
        activities,
        maxTaskQueueActivitiesPerSecond: options.rates?.[channel] ?? options.defaultRate ?? 50,
      }),
    ),
  );
}

export async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  return code;
}

export function connectWorker(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}

/** A bundler logger that shows only warnings and errors. */
export const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

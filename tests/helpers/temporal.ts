import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Db } from '../../db';
import { createRegistry } from '../../engine/automation/nodes';
import type { NodeRegistry } from '../../engine/automation/nodes/registry';
import { createChannelWorkers, createJourneyWorker } from '../../engine/temporal/worker';
import { testChannelDeps, testSecretBox } from './channels';

let runtimeQuiet = false;
function quietRuntime() {
  if (runtimeQuiet) return;
  runtimeQuiet = true;
  // Core's own logs (e.g. the test server's missing-capability warnings) are forwarded to this
  // silent logger instead of the console.
  Runtime.install({
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as any,
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
}

export interface TemporalHarness {
  client: Client;
  connection: NativeConnection;
  taskQueue: string;
  timeSkipping: boolean;
  env?: TestWorkflowEnvironment;
  close(): Promise<void>;
}

/** The real time-skipping test server (a process of its own for this test file). */
export async function timeSkippingTemporal(): Promise<TemporalHarness> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
  });
  return {
    client: env.client,
    connection: env.nativeConnection,
    taskQueue: `test-${randomUUID()}`,
    timeSkipping: true,
    env,
    close: () => env.teardown(),
  };
}

/** The real Temporal dev server started for the whole test run. */
export async function devServerTemporal(): Promise<TemporalHarness> {
  quietRuntime();
  const address = inject('temporalAddress');
  const clientConnection = await Connection.connect({ address });
  const connection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection: clientConnection }),
    connection,
    taskQueue: `test-${randomUUID()}`,
    timeSkipping: false,
    close: async () => {
      await connection.close();
      await clientConnection.close();
    },
  };
}

export async function startWorker(
  temporal: TemporalHarness,
  db: Db,
  registry: NodeRegistry = createRegistry([], { channels: testChannelDeps(db) }),
): Promise<{ worker: Worker; stop: () => Promise<void> }> {
  const options = {
    connection: temporal.connection,
    namespace: 'default',
    taskQueue: temporal.taskQueue,
    db,
    registry,
    secretBox: testSecretBox,
  };
  const worker = await createJourneyWorker({
    ...options,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  // Sends run on their channel's task queue, as in production.
  const channelWorkers = await createChannelWorkers(options);
  const all = [worker, ...channelWorkers];
  const running = Promise.all(all.map((w) => w.run()));
  return {
    worker,
    stop: async () => {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
    },
  };
}

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { Database, Db } from '../../db';
import { buildApp } from '../../engine/api/app';
import { createRegistry } from '../../engine/automation/nodes';
import type { NodeRegistry } from '../../engine/automation/nodes/registry';
import { saveChannelSettings } from '../../engine/messaging/channels/channel-settings';
import { type ChannelDeps, closeChannelDeps } from '../../engine/messaging/channels/deps';
import { startSmtpSink } from '../connectors/peers';
import { testChannelDeps, testSecretBox } from './channels';
import { type DatabaseKind, openTestDb } from './databases';
import { devServerTemporal, startWorker, type TemporalHarness, timeSkippingTemporal } from './temporal';

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;

export interface ChannelStack {
  database: Database;
  db: Db;
  temporal: TemporalHarness;
  channels: ChannelDeps;
  registry: NodeRegistry;
  /** The API with the channel deps (absent with `api: false`). */
  app: FastifyInstance;
  /** The smtp-server sink (only with `smtpSink: true`). */
  sink: SmtpSink;
  /** Where the API listens on 127.0.0.1 (only with `listen: true`). */
  apiUrl: string;
}

export interface ChannelStackOptions {
  /** PGlite (default) or the PostgreSQL server in TEST_DATABASE_URL. */
  database?: DatabaseKind;
  /** Where tracking links point; testChannelDeps' default when absent. */
  publicUrl?: string;
  smtpSink?: boolean;
  /** Builds the API (default true). */
  api?: boolean;
  /** The API listens on a real port, for peers that call back over HTTP. */
  listen?: boolean;
  /** The worker's and API's registry; the built-in nodes on the stack's channel deps when absent. */
  registry?: (channels: ChannelDeps) => NodeRegistry;
}

/**
 * `journeyStack` for sending: a fresh database, a real Temporal server, channel deps, a worker on
 * them and the API, for the tests of one `describe`; all stopped after it in reverse order.
 */
export function channelStack(
  server: 'time-skipping' | 'dev-server',
  options: ChannelStackOptions = {},
): ChannelStack {
  const stack = {} as ChannelStack;
  let stopWorker: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    stack.database = await openTestDb(options.database);
    stack.db = stack.database.db;
    stack.temporal = server === 'time-skipping' ? await timeSkippingTemporal() : await devServerTemporal();
    if (options.smtpSink) stack.sink = await startSmtpSink();
    stack.channels = testChannelDeps(stack.db, options.publicUrl);
    stack.registry = options.registry?.(stack.channels) ?? createRegistry([], { channels: stack.channels });
    ({ stop: stopWorker } = await startWorker(stack.temporal, stack.db, stack.registry));
    if (options.api === false) return;
    stack.app = await buildApp({
      db: stack.db,
      database: stack.database,
      temporal: stack.temporal.client,
      taskQueue: stack.temporal.taskQueue,
      registry: stack.registry,
      secretBox: testSecretBox,
      channels: stack.channels,
    });
    if (options.listen) stack.apiUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await stack.app?.close();
    await stopWorker?.();
    // Pooled SMTP connections first, or the sink waits for them to time out.
    if (stack.channels) await closeChannelDeps(stack.channels);
    await stack.temporal?.close();
    await stack.sink?.close();
    await stack.database?.close();
  });
  return stack;
}

/**
 * Points the workspace's email channel at an SMTP server on 127.0.0.1 (the stack's sink or a peer
 * of the test's own), sending as `from`.
 */
export async function emailThroughSmtp(
  db: Db,
  channels: ChannelDeps,
  workspaceId: string,
  port: number,
  from = 'Acme <news@acme.test>',
): Promise<void> {
  await saveChannelSettings(db, channels.box, workspaceId, 'email', {
    provider: 'smtp',
    config: { host: '127.0.0.1', port, from },
  });
}

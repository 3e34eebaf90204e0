import type { Client } from '@temporalio/client';
import type { Database, Db } from '../../db';
import type { NodeRegistry } from '../automation/nodes/registry';
import type { ChannelDeps } from '../messaging/channels/deps';

/** What the API needs, passed in so tests build the app on real or test dependencies. */
export interface AppDeps {
  db: Db;
  database: Pick<Database, 'ping' | 'driver'>;
  temporal: Client;
  taskQueue: string;
  registry: NodeRegistry;
  /** Folder of the built builder UI, served at `/`; absent in API-only tests. */
  uiDist?: string;
  /** The demo workspace's secret key, handed to a local builder UI in the embedded `npm start` only. */
  demoKey?: string;
  /** Secrets and links for channel settings and the public tracking routes (`/t/...`). */
  channels?: ChannelDeps;
}

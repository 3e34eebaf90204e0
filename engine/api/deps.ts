import type { Client } from '@temporalio/client';
import type { Database, Db } from '../../db';
import type { NodeRegistry } from '../sdk/registry';

/** What the API needs, passed in so tests build the app on real or test dependencies. */
export interface AppDeps {
  db: Db;
  database: Pick<Database, 'ping' | 'driver'>;
  temporal: Client;
  taskQueue: string;
  registry: NodeRegistry;
  /** Folder of the built builder UI, served at `/`; absent in API-only tests. */
  uiDist?: string;
}

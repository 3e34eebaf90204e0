import type { Client } from '@temporalio/client';
import type { Database, Db } from '../../db';
import type { NodeRegistry } from '../automation/nodes/registry';
import type { ContentDeps } from '../content/storage';
import type { Dispatcher } from '../dispatch/dispatcher';
import type { SecretBox } from '../identity/secret-box';
import type { IdentitySettings } from '../identity/settings';
import type { ChannelDeps } from '../messaging/channels/deps';
import type { SecuritySettings } from './security';

/** What the API needs, passed in so tests build the app on real or test dependencies. */
export interface AppDeps {
  db: Db;
  database: Pick<Database, 'ping' | 'driver'>;
  temporal: Client;
  taskQueue: string;
  registry: NodeRegistry;
  /** Seals and opens provider, hook and node secrets: the one box of this process. */
  secretBox: SecretBox;
  /** Delivers ingested events right after commit; without it the outbox loop of another process does. */
  dispatcher?: Dispatcher;
  /** Folder of the built builder UI, served at `/`; absent in API-only tests. */
  uiDist?: string;
  /** The demo workspace's secret key, handed to a local builder UI in the embedded `npm start` only. */
  demoKey?: string;
  /** Secrets and links for channel settings and the public tracking routes (`/t/...`). */
  channels?: ChannelDeps;
  /** Sessions, sign-in limits, SSO, the demo sign-in; embedded-mode defaults when absent. */
  identity?: IdentitySettings;
  /** CORS origins and rate limits of the public endpoints; defaults when absent. */
  security?: SecuritySettings;
  /** Asset storage (local folder or S3-compatible) and the upload size limit; a temporary folder when absent. */
  content?: ContentDeps;
}

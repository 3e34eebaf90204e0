import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import type { Database } from '../../../db';
import { buildApp } from '../../../engine/api/app';
import { createRegistry } from '../../../engine/automation/nodes';
import { startDispatcher } from '../../../engine/dispatch/dispatcher';
import { defaultIdentitySettings } from '../../../engine/identity/settings';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { ensureDemoUser } from '../../../engine/operations/seed-demo';
import type { AnyNodeDefinition } from '../../../engine/sdk/define-node';
import { testChannelDeps, testSecretBox } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';
import { type OpenBrowser, openBrowser } from './browser';
import { ensureUiBuilt, uiDist } from './ui-build';

export interface Stack {
  url: string;
  workspace: NewWorkspace;
  database: Database;
  app: FastifyInstance;
  /**
   * Restarts the API on the same address and database with other custom nodes installed, as
   * when a developer deploys a new version of a node (the worker keeps the nodes it started with).
   */
  reinstall(nodes: AnyNodeDefinition[]): Promise<void>;
  /** Calls the API as the workspace (secret key). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The whole product in this process: PGlite, a worker on the real Temporal dev server, the
 * tracked-event dispatcher, and the API serving the built UI on a free port. The UI gets the workspace key as the embedded demo
 * mode hands it out.
 */
export interface StackOptions {
  nodes?: AnyNodeDefinition[];
  /** `false`: no demo sign-in, as `wayline api` (a browser must sign in). Default on, as `npm start`. */
  autologin?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  await ensureUiBuilt();
  const database = await openTestDb();
  const temporal: TemporalHarness = await devServerTemporal();
  const custom = (nodes: AnyNodeDefinition[] = []) =>
    nodes.map((definition) => ({ definition, source: `test:${definition.type}@${definition.version}` }));
  // The worker's registry sends through test channel dependencies; the API's only validates.
  const worker = await startWorker(
    temporal,
    database.db,
    createRegistry(custom(options.nodes), { channels: testChannelDeps(database.db) }),
  );
  const workspace = await createWorkspace(database.db, 'Browser test workspace', 'Europe/Paris');
  // The UI signs in as the workspace's owner, as the embedded demo mode does.
  const demoDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-ui-'));
  const demoUser = await ensureDemoUser(database.db, demoDir, workspace.id);
  // Tracked events reach journeys through the dispatcher, as in `npm start`.
  const dispatcher = startDispatcher({
    db: database.db,
    temporal: temporal.client,
    taskQueue: temporal.taskQueue,
  });
  const api = (nodes?: AnyNodeDefinition[]) =>
    buildApp({
      db: database.db,
      secretBox: testSecretBox,
      // Channel settings, test sends and tracking links, as `npm start` has them.
      channels: testChannelDeps(database.db),
      dispatcher,
      database,
      temporal: temporal.client,
      taskQueue: temporal.taskQueue,
      registry: createRegistry(custom(nodes)),
      uiDist,
      identity: {
        ...defaultIdentitySettings,
        demoAutologin: options.autologin === false ? undefined : { userId: demoUser.id },
      },
    });
  let app = await api(options.nodes);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const stack: Stack = {
    url: address,
    workspace,
    database,
    app,
    reinstall: async (nodes) => {
      await app.close();
      app = await api(nodes);
      await app.listen({ host: '127.0.0.1', port: Number(new URL(address).port) });
      stack.app = app;
    },
    call: (method, path, body, headers = {}) =>
      fetch(`${address}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${workspace.secretKey}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      }),
    close: async () => {
      await app.close();
      await dispatcher.stop();
      await worker.stop();
      await temporal.close();
      await database.close();
      rmSync(demoDir, { recursive: true, force: true });
    },
  };
  return stack;
}

export interface Credentials {
  email: string;
  password: string;
}

/** Fills the sign-in form the page shows as `who` and submits it. */
export async function signIn(page: Page, who: Credentials): Promise<void> {
  await page.locator('input[name="email"]').fill(who.email);
  await page.locator('input[name="password"]').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Opens the stack's sign-in page, signs in as `who` and waits for the signed-in navigation. */
export async function signInAt(page: Page, stack: Stack, who: Credentials): Promise<void> {
  await page.goto(`${stack.url}/sign-in`);
  await signIn(page, who);
  await page.locator('nav a').first().waitFor();
}

export interface BrowserSession {
  stack: Stack;
  browser: OpenBrowser;
  /** The browser's page: signed in as the demo owner on its first visit unless `autologin: false`. */
  page: Page;
  /** Closes the browser, then the stack. */
  close(): Promise<void>;
}

/** What a browser test starts with: the whole stack (`startStack`) and Chromium on it. */
export async function browserSession(options: StackOptions = {}): Promise<BrowserSession> {
  const stack = await startStack(options);
  let browser: OpenBrowser;
  try {
    browser = await openBrowser();
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    stack,
    browser,
    page: browser.page,
    close: async () => {
      await browser.close();
      await stack.close();
    },
  };
}

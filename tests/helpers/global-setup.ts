import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { findTemporalCli, findTestServer } from '../../engine/temporal/binaries';
import { type DevServer, startDevServer } from '../../engine/temporal/dev-server';
import { bundleWorkflows } from '../../engine/temporal/worker';
import { freePort } from './ports';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    testServerPath: string;
    workflowBundlePath: string;
  }
}

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * Starts one real Temporal dev server for the whole run and bundles the workflows once. The
 * time-skipping test server is started per test file from the binary found here.
 */
export default async function setup(project: TestProject) {
  const log = (line: string) => console.log(`[test setup] ${line}`);
  const cli = findTemporalCli({ root, log });
  const testServer = findTestServer({ root, log });
  if (!cli.path || !testServer.path) {
    throw new Error(
      'The Temporal CLI and test server binaries are required for the test suite (see README).',
    );
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'wayline-test-'));
  let server: DevServer | undefined;
  try {
    server = await startDevServer({
      binary: cli,
      dataDir: scratch,
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      log,
    });
    const bundlePath = path.join(scratch, 'workflows.js');
    writeFileSync(bundlePath, await bundleWorkflows());
    project.provide('temporalAddress', server.address);
    project.provide('testServerPath', testServer.path);
    project.provide('workflowBundlePath', bundlePath);
  } catch (error) {
    await server?.stop();
    throw error;
  }
  return async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
}

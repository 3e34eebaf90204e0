import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { findTemporalCli, findTestServer } from '../../engine/temporal/binaries';
import type { DevServer } from '../../engine/temporal/dev-server';
import { bundleWorkflows } from '../../engine/temporal/worker';
import { createPostgresTemplate, migratedPgliteImage } from './database-images';
import { startDevServerOnFreePorts } from './dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    testServerPath: string;
    workflowBundlePath: string;
    /** The migrated PGlite data folder test databases start from (`openTestDb`). */
    pgliteImagePath: string;
    /** With TEST_DATABASE_URL: the migrated database server test databases are copied from. */
    postgresTemplate: string | undefined;
  }
}

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * Starts one real Temporal dev server for the whole run, bundles the workflows and migrates a
 * PGlite image (and, with TEST_DATABASE_URL, a template database on that server) once. The time-skipping test server is started per test file from the binary
 * found here.
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
  let template: Awaited<ReturnType<typeof createPostgresTemplate>> | undefined;
  try {
    ({ server } = await startDevServerOnFreePorts({
      binary: cli,
      dataDir: scratch,
      namespace: 'default',
      log,
    }));
    const bundlePath = path.join(scratch, 'workflows.js');
    writeFileSync(bundlePath, await bundleWorkflows());
    project.provide('temporalAddress', server.address);
    project.provide('testServerPath', testServer.path);
    project.provide('workflowBundlePath', bundlePath);
    const imagePath = path.join(scratch, 'pglite-migrated.tar');
    writeFileSync(imagePath, await migratedPgliteImage());
    project.provide('pgliteImagePath', imagePath);
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (adminUrl) template = await createPostgresTemplate(adminUrl);
    project.provide('postgresTemplate', template?.name);
  } catch (error) {
    await template?.drop();
    await server?.stop();
    throw error;
  }
  return async () => {
    await template?.drop().catch((error) => log(`could not drop ${template?.name}: ${error}`));
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
}

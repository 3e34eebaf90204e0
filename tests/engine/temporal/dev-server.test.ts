import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { findTemporalCli } from '../../../engine/temporal/binaries';
import type { DevServer } from '../../../engine/temporal/dev-server';
import { startDevServerOnFreePorts } from '../../helpers/dev-server';

/** The pids of the processes whose command line names `text` (the dev server names its state file). */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * The embedded dev server keeps its state file in SQLite's WAL mode with `synchronous=normal`:
 * what it acknowledged survives the server being killed, and it is read back on a restart.
 */
describe('the embedded Temporal dev server’s state file', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-dev-server-'));
  const binary = findTemporalCli({
    root: path.resolve(import.meta.dirname, '..', '..', '..'),
    log: () => {},
  });
  let server: DevServer | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is in WAL mode, and keeps a started run when the server is killed', async () => {
    const started = await startDevServerOnFreePorts({ binary, dataDir, namespace: 'default' });
    server = started.server;
    let connection = await Connection.connect({ address: server.address });
    const workflowId = `kept-${randomUUID()}`;
    // No worker polls this queue: the run stays open, known only to the server's state.
    await new Client({ connection }).workflow.start('anything', {
      workflowId,
      taskQueue: `nobody-${randomUUID()}`,
    });
    await connection.close();

    // The database header's read and write versions (bytes 18 and 19) are 2 in WAL mode.
    const header = readFileSync(path.join(dataDir, 'temporal.db')).subarray(18, 20);
    expect([...header]).toEqual([2, 2]);

    const pids = processesNaming(path.join(dataDir, 'temporal.db'));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await server.stop();

    const again = await startDevServerOnFreePorts({ binary, dataDir, namespace: 'default' });
    server = again.server;
    connection = await Connection.connect({ address: server.address });
    const described = await new Client({ connection }).workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    await connection.close();
  });
});

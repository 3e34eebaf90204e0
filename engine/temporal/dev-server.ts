import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { TemporalBinary } from './binaries';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  binary: TemporalBinary;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /**
   * How the state file's writes reach the disk (SQLite's `synchronous`, in WAL mode). `normal`
   * (the default): a commit is written, not flushed, so a killed or crashed process loses
   * nothing and the file stays consistent, but a power loss or an OS crash may undo the last
   * moments. `full`: every commit is flushed to the disk first, at about half the throughput.
   */
  synchronous?: 'normal' | 'full';
  log?: (line: string) => void;
}

/**
 * The state file in WAL mode with `synchronous` as chosen: in the default rollback journal
 * every commit waited for the disk, which bounded the dev server to about 27 one-activity
 * workflows a second on the benchmarks' machine (53–65 in WAL mode with `normal`).
 */
function sqlitePragmas(synchronous: DevServerOptions['synchronous'] = 'normal'): string[] {
  return ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', `synchronous=${synchronous}`];
}

/**
 * Starts `temporal server start-dev` with its state in the data folder, so workflows survive a
 * restart. The child is stopped when this process exits.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const dbFilename = path.join(options.dataDir, 'temporal.db');
  const address = `127.0.0.1:${options.port}`;
  const uiUrl = `http://127.0.0.1:${options.uiPort}`;
  if (!options.binary.path) return startWithSdkDownload(options, dbFilename, address, uiUrl);

  const child = spawn(
    options.binary.path,
    [
      'server',
      'start-dev',
      '--db-filename',
      dbFilename,
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--namespace',
      options.namespace,
      '--log-level',
      'error',
      ...sqlitePragmas(options.synchronous),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The last of what it printed, on either stream: why it stopped, when it stops during start-up.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);

  try {
    await waitForServer(address, child, () => output);
  } catch (error) {
    killChild();
    throw error;
  }
  return {
    address,
    uiUrl,
    stop: () => stopChild(child, killChild),
  };
}

async function startWithSdkDownload(
  options: DevServerOptions,
  dbFilename: string,
  address: string,
  uiUrl: string,
): Promise<DevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port: options.port,
      ui: true,
      uiPort: options.uiPort,
      dbFilename,
      namespace: options.namespace,
      extraArgs: sqlitePragmas(options.synchronous),
    },
  });
  return { address, uiUrl, stop: () => env.teardown() };
}

/** The dev server stopped before it answered (a port taken meanwhile, a data file it cannot open). */
export class DevServerExited extends Error {
  constructor(exit: string, output: string) {
    super(`Temporal dev server exited during start-up (${exit}):\n${output}`);
    this.name = 'DevServerExited';
  }
}

async function waitForServer(address: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${code}`;
  });
  while (Date.now() < deadline) {
    if (exit) throw new DevServerExited(exit, output());
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address} within 60 s:\n${output()}`);
}

function stopChild(child: ChildProcess, killChild: () => void): Promise<void> {
  process.removeListener('exit', killChild);
  // Already gone: exited, or killed by a signal (its exit code then stays null).
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Real components the fault scenarios start, stop and kill: a PostgreSQL server of their own
 * (so stopping it disturbs nobody else), a Temporal dev server with its state in a file,
 * `wayline api` / `wayline worker` processes, and a scenario's report.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';
import { findTemporalCli } from '../../engine/temporal/binaries';
import { type DevServer, startDevServer } from '../../engine/temporal/dev-server';
import { headerLine } from '../connectors/peers';
import { freePort } from '../helpers/ports';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
export const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
export const logger =
  (scenario: string) =>
  (message: string): void =>
    console.error(`[${scenario} ${new Date().toISOString().slice(11, 23)}] ${message}`);

const pgBin = process.env.FAULT_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL 15 server in a temporary folder on a free port (`initdb` + `pg_ctl`, trust
 * authentication on 127.0.0.1). Run as root, the server runs as the `postgres` user.
 */
export interface PostgresServer {
  url: string;
  port: number;
  /** `immediate` is a crash (no shutdown checkpoint; recovery replays the WAL on start). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  destroy(): void;
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wayline-faults-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (binary: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : path.join(pgBin, binary),
      asRoot ? ['-u', 'postgres', '--', path.join(pgBin, binary), ...args] : args,
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
    );
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  const server: PostgresServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => void run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', options, '-w', 'start']),
    stop: (mode = 'fast') => void run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    destroy: () => {
      try {
        server.stop('immediate');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
  server.start();
  process.once('exit', () => {
    try {
      server.stop('immediate');
    } catch {}
  });
  return server;
}

/**
 * The PostgreSQL server a scenario that does not stop it uses: TEST_DATABASE_URL (or
 * DATABASE_URL) when set (the runner sets it to one server for all scenarios), else one of its own.
 */
export async function sharedPostgres(): Promise<{ url: string; close(): void }> {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) return { url, close: () => {} };
  const server = await startPostgres();
  return { url: server.url, close: () => server.destroy() };
}

/** A fresh database on a server; `drop` removes it (and its connections). */
export async function freshDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `wayline_faults_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

/** `temporal server start-dev` with its state in `dataDir/temporal.db`; restartable on the same port. */
export async function temporalDevServer(dataDir: string) {
  const options = {
    binary: findTemporalCli({ root, log: () => {} }),
    dataDir,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
  };
  let server: DevServer = await startDevServer(options);
  return {
    address: server.address,
    stop: () => server.stop(),
    start: async () => {
      server = await startDevServer(options);
    },
  };
}

/**
 * An smtp-server sink that survives its clients dying mid-transfer (a SIGKILLed worker resets
 * its connections): such a message never completed, so it was not delivered.
 */
export async function startSmtpSink() {
  const mails: ParsedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  smtp.on('error', () => {});
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as { port: number };
  return {
    port,
    mails,
    /** Mails to addresses containing `domain` (and subject containing `subject`), and repeats by Message-ID. */
    deliveries(domain: string, subject = '') {
      const matching = mails.filter(
        (m) => JSON.stringify(m.to ?? '').includes(domain) && (m.subject ?? '').includes(subject),
      );
      const unique = new Set(matching.map((m) => headerLine(m, 'Message-ID') ?? '')).size;
      return { received: matching.length, unique, duplicates: matching.length - unique };
    },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

export interface WaylineProcess {
  child: ChildProcess;
  readyMs: number;
  /** SIGKILLs the process group and waits until none of it is left. */
  kill(): Promise<void>;
  /** The last lines the process wrote to stderr. */
  tail(): string;
}

/**
 * `wayline api` or `wayline worker` as production runs them, in a process group of their own
 * (bin/wayline.mjs runs the entry point as its child); resolves once it says it is ready.
 */
export async function startWayline(
  command: 'api' | 'worker',
  environment: Record<string, string>,
): Promise<WaylineProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'wayline.mjs'), command], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const group = child.pid as number;
  const killGroup = () => {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {}
  };
  process.once('exit', killGroup);
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  const ready = command === 'api' ? 'Wayline API listening' : 'Wayline worker polling';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
      if (chunk.toString().includes(ready)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`wayline ${command} exited with ${code}:\n${tail}`)));
  });
  return {
    child,
    readyMs: performance.now() - started,
    tail: () => tail,
    kill: async () => {
      process.removeListener('exit', killGroup);
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      killGroup();
      await exited;
      for (;;) {
        try {
          process.kill(-group, 0);
        } catch {
          return;
        }
        await sleep(50);
      }
    },
  };
}

/**
 * Prints the scenario's report as JSON on stdout (the runner reads the last JSON object) and
 * exits 1 when a bound was breached.
 */
export function finish(scenario: string, numbers: Record<string, unknown>, failures: string[]): never {
  console.log(JSON.stringify({ scenario, ...numbers, failures }, null, 2));
  process.exit(failures.length === 0 ? 0 : 1);
}

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
import type { Client } from '@temporalio/client';
import { type ParsedMail, simpleParser } from 'mailparser';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';
import { createDb, type Db } from '../../db';
import { SecretBox } from '../../engine/identity/secret-box';
import { createWorkspace } from '../../engine/identity/workspaces';
import { saveChannelSettings } from '../../engine/messaging/channels/channel-settings';
import { createTemplate } from '../../engine/messaging/templates/templates';
import { findTemporalCli } from '../../engine/temporal/binaries';
import { type DevServer, startDevServer } from '../../engine/temporal/dev-server';
import { headerLine } from '../connectors/peers';
import { startDevServerOnFreePorts } from '../helpers/dev-server';
import { freePort } from '../helpers/ports';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
/** `npm run faults -- --quick` (CI): every scenario with smaller numbers, the same bounds. */
export const quick = process.env.FAULT_QUICK === '1';
/** A scenario's setting: the environment variable, else its quick-mode or full default. */
export const env = (name: string, fallback: number, quickFallback = fallback) =>
  Number(process.env[name] ?? (quick ? quickFallback : fallback));
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
  const base = { binary: findTemporalCli({ root, log: () => {} }), dataDir, namespace: 'default' };
  const first = await startDevServerOnFreePorts(base);
  const options = { ...base, port: first.port, uiPort: first.uiPort };
  let server: DevServer = first.server;
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
export async function startSmtpSink(options: { answerDelayMs?: number } = {}) {
  const mails: ParsedMail[] = [];
  /** When each of `mails` arrived (Date.now(), same index). */
  const arrivedAt: number[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          // Received, then answered after `answerDelayMs`: a client killed in between never
          // learns that its message arrived (the case at-most-once must not send twice).
          mails.push(mail);
          arrivedAt.push(Date.now());
          if (options.answerDelayMs) await sleep(options.answerDelayMs);
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
    /** When the first mail with exactly this subject arrived (Date.now()). */
    arrival(subject: string): number | undefined {
      const i = mails.findIndex((m) => m.subject === subject);
      return i === -1 ? undefined : arrivedAt[i];
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
  /** Set when the process exited without `kill()`: its exit code or signal and last lines. */
  died?: string;
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
  let killing = false;
  const handle: WaylineProcess = {
    child,
    readyMs: performance.now() - started,
    tail: () => tail,
    kill: async () => {
      killing = true;
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
  child.once('exit', (code, signal) => {
    if (!killing) handle.died = `wayline ${command} exited on its own (${code ?? signal}):\n${tail}`;
  });
  return handle;
}

/**
 * What every scenario starts with: a scratch folder, a fresh database (on its own PostgreSQL
 * server when the scenario stops it, else on the shared one) with the migrations applied and one
 * workspace, and a Temporal dev server with its state in the scratch folder. `close` undoes it all.
 */
export async function openScenario(options: { workspace: string; ownPostgres?: boolean }) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'wayline-faults-'));
  const server = options.ownPostgres ? await startPostgres() : undefined;
  const pg = server ? { url: server.url, close: () => server.destroy() } : await sharedPostgres();
  const database = await freshDatabase(pg.url);
  const setup = await createDb({ url: database.url, maxConnections: 5 });
  const workspace = await createWorkspace(setup.db, options.workspace);
  const temporal = await temporalDevServer(scratch);
  let setupOpen = true;
  const closeSetup = async () => {
    if (setupOpen) await setup.close();
    setupOpen = false;
  };
  return {
    scratch,
    /** The scenario's own PostgreSQL server, when it asked for one. */
    server,
    database,
    db: setup.db,
    workspace,
    temporal,
    /** Closes the setup connections (before a fault that would break them). */
    closeSetup,
    close: async () => {
      await closeSetup();
      await temporal.stop();
      await database.drop().catch(() => {});
      pg.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** `wayline api` on a free port of 127.0.0.1. */
export async function startApi(
  environment: Record<string, string>,
): Promise<WaylineProcess & { port: number }> {
  const port = await freePort();
  const api = await startWayline('api', { HOST: '127.0.0.1', PORT: String(port), ...environment });
  return { ...api, port };
}

/**
 * Prints the scenario's report as JSON on stdout (the runner reads the last JSON object) and
 * exits 1 when a bound was breached.
 */
export function finish(scenario: string, numbers: Record<string, unknown>, failures: string[]): never {
  console.log(JSON.stringify({ scenario, ...numbers, failures }, null, 2));
  process.exit(failures.length === 0 ? 0 : 1);
}

/**
 * A workspace's email channel pointed at the SMTP sink, and two templates, `first` and
 * `second`, whose subjects name the recipient.
 */
export async function emailToSink(db: Db, workspaceId: string, smtpPort: number, secretKey: string) {
  await saveChannelSettings(db, new SecretBox(Buffer.from(secretKey, 'hex')), workspaceId, 'email', {
    provider: 'smtp',
    config: { host: '127.0.0.1', port: smtpPort, from: 'Acme <news@acme.test>' },
  });
  for (const template of ['first', 'second']) {
    await createTemplate(db, workspaceId, {
      name: template,
      channel: 'email',
      subject: `${template} for {{ contact.email }}`,
      body: `The ${template} email.`,
    });
  }
}

/** Journey nodes and edges: manual trigger, the `first` email, `wait`, the `second` email on the wait's `port`. */
export function emailWaitEmail(wait: { type: string; config: unknown }, port = 'next') {
  return {
    nodes: [
      { id: 'start', type: 'trigger.manual', config: {} },
      { id: 'first', type: 'email.send', config: { template: 'first' } },
      { id: 'wait', ...wait },
      { id: 'second', type: 'email.send', config: { template: 'second' } },
    ],
    edges: [
      { id: 'a', source: 'start', sourceHandle: 'next', target: 'first' },
      { id: 'b', source: 'first', sourceHandle: 'next', target: 'wait' },
      { id: 'c', source: 'wait', sourceHandle: port, target: 'second' },
    ],
  };
}

/** Waits for every run; one not finished by the deadline, or failed, is lost. */
export async function awaitRuns(client: Client, ids: string[], deadline: number) {
  let done = 0;
  let lastDoneAt = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      const finished = await Promise.race([
        client.workflow
          .getHandle(id)
          .result()
          .then(
            () => true,
            () => false,
          ),
        sleep(Math.max(0, deadline - performance.now())).then(() => false),
      ]);
      if (finished) {
        done += 1;
        lastDoneAt = performance.now();
      }
    }),
  );
  return { done, lastDoneAt };
}

/**
 * Tracking clients that POST `/v1/batch` to a `wayline api` without pause (or one batch every
 * `intervalMs` each) until stopped. `answered` sees each answer and says whether the batch is
 * done or is to be sent again after some milliseconds; a request without answer is recorded in
 * `badAnswers` and sent again.
 */
export function batchClients(options: {
  port: number;
  writeKey: string;
  clients: number;
  intervalMs?: number;
  /** The batch's ids (messageIds, users) and its events. */
  batch(client: number, seq: number): { ids: string[]; events: unknown[] };
  answered(response: Response, text: string, ids: string[]): 'done' | number;
  badAnswers: string[];
}) {
  const authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  let running = true;
  let sent = 0;
  const loops = Array.from({ length: options.clients }, async (_, client) => {
    for (let seq = 0; running; seq += 1) {
      const next = performance.now() + (options.intervalMs ?? 0);
      const { ids, events } = options.batch(client, seq);
      sent += ids.length;
      const body = JSON.stringify({ batch: events });
      for (;;) {
        let response: Response;
        try {
          response = await fetch(`http://127.0.0.1:${options.port}/v1/batch`, {
            method: 'POST',
            headers: { authorization, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(30_000),
          });
        } catch (error) {
          options.badAnswers.push(`no answer: ${(error as Error).message}`);
          await sleep(500);
          continue;
        }
        const verdict = options.answered(response, await response.text(), ids);
        if (verdict === 'done') break;
        await sleep(verdict);
      }
      await sleep(next - performance.now());
    }
  });
  return {
    sent: () => sent,
    /** Stops sending new batches; resolves when every client's last batch is answered (or after `maxMs`). */
    stop: async (maxMs = 60_000) => {
      running = false;
      await Promise.race([Promise.all(loops), sleep(maxMs)]);
    },
  };
}

/**
 * A workflow bundle for every `wayline worker` the scenarios start (WAYLINE_WORKFLOW_BUNDLE, as
 * the container image ships one): built once into `dir` unless the variable names one already.
 */
export async function workflowBundleFor(dir: string): Promise<string> {
  if (process.env.WAYLINE_WORKFLOW_BUNDLE) return process.env.WAYLINE_WORKFLOW_BUNDLE;
  const file = path.join(dir, 'workflows.js');
  execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'engine', 'temporal', 'build-workflow-bundle.ts'), file],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return file;
}

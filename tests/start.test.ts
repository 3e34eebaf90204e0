import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTemporalCli } from '../engine/temporal/binaries';
import { freePort } from './helpers/ports';

const root = path.resolve(import.meta.dirname, '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  apiKey: string;
  writeKey: string;
}

/** Runs `npm start`'s bootstrap as a person would and waits for its banner. */
async function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'wayline.mjs'), 'start'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 170_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const apiKey = /API key\s+(wl_sk_\S+)/.exec(output)?.[1];
  const writeKey = /Write key\s+(\S+)/.exec(output)?.[1];
  if (!apiKey || !writeKey) throw new Error(`no API key or write key printed:\n${output}`);
  return { child, output: () => output, apiKey, writeKey };
}

/**
 * `start` on ports free a moment before. One that fails because a port was taken meanwhile (by
 * another process of the suite, or by one of the dev server's own services) starts again on
 * other ports, up to three times in all.
 */
async function startOnFreePorts(env: NodeJS.ProcessEnv) {
  for (let attempt = 1; ; attempt++) {
    const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    try {
      const started = await start({
        ...env,
        PORT: String(port),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
      });
      return { started, port, temporalPort, base: `http://127.0.0.1:${port}` };
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('address already in use')) throw error;
    }
  }
}

/** Ctrl-C reaches the whole process group, as in a terminal. */
async function interrupt(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  process.kill(-started.child.pid!, 'SIGINT');
  return exited;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start (the real bootstrap: Temporal dev server child, PGlite, worker, API)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('comes up healthy, stops on Ctrl-C, and a second start reuses the persisted data', async () => {
    const cli = findTemporalCli({ root, install: false, log: () => {} });
    const env = {
      ...process.env,
      WAYLINE_DATA_DIR: dataDir,
      TEMPORAL_CLI: cli.path,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      LOG_LEVEL: 'warn',
    };
    delete (env as Record<string, string | undefined>).DATABASE_URL;
    delete (env as Record<string, string | undefined>).TEMPORAL_ADDRESS;
    const { started: first, port, temporalPort, base } = await startOnFreePorts(env);
    expect(first.output()).toContain('(created now)');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      database: { ok: true, driver: 'pglite' },
      temporal: { ok: true },
    });
    const auth = { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${base}/v1/journeys`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        name: 'Survives restarts',
        nodes: [{ id: 'start', type: 'trigger.manual' }],
        edges: [],
      }),
    });
    expect(created.status).toBe(201);
    const journeyId = (await created.json()).id;

    expect(await interrupt(first)).toBe(0);
    expect(await portOpen(temporalPort)).toBe(false);
    expect(await portOpen(port)).toBe(false);

    // The data folder is what carries over; the ports may differ.
    const { started: second, base: secondBase } = await startOnFreePorts(env);
    try {
      expect(second.apiKey).toBe(first.apiKey);
      expect(second.output()).not.toContain('(created now)');
      const again = await fetch(`${secondBase}/v1/journeys/${journeyId}`, { headers: auth });
      expect(again.status).toBe(200);
      expect((await again.json()).name).toBe('Survives restarts');

      // A tracked event starts an event-triggered journey's run (API and worker in one process:
      // the dispatcher starts it eagerly on this process's worker) and the run ends.
      const welcome = await fetch(`${secondBase}/v1/journeys`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          name: 'Tag on sign-up',
          nodes: [
            { id: 'start', type: 'trigger.event', config: { event: 'Start Test Signed Up' } },
            { id: 'tag', type: 'contact.update', config: { addTags: ['signed-up'] } },
          ],
          edges: [{ id: 'e1', source: 'start', target: 'tag' }],
        }),
      });
      const welcomeId = (await welcome.json()).id;
      expect(
        (
          await fetch(`${secondBase}/v1/journeys/${welcomeId}/publish`, {
            method: 'POST',
            headers: auth,
            body: '{}',
          })
        ).status,
      ).toBe(201);
      const tracked = await fetch(`${secondBase}/v1/track`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${second.writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ userId: 'start-test-user', event: 'Start Test Signed Up' }),
      });
      expect(tracked.status).toBe(200);
      await expect
        .poll(
          async () => {
            const runs = await (
              await fetch(`${secondBase}/v1/journeys/${welcomeId}/runs`, { headers: auth })
            ).json();
            return runs.data?.map((r: { status: string }) => r.status);
          },
          { timeout: 60_000, interval: 500 },
        )
        .toEqual(['completed']);
    } finally {
      expect(await interrupt(second)).toBe(0);
    }
  }, 400_000);
});

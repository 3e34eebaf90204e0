/**
 * The ingest benchmarks' HTTP load, run in a child process of its own so the server under test
 * never shares its event loop (nor the JSON building and parsing of the load) with its clients.
 *
 *   const result = await runLoad({ kind: 'batch', url, auth, seconds: 5, clients: 4 });
 *   const result = await runLoad({ kind: 'single', url, auth, seconds: 5, rate: 1000 });
 *
 * `batch`: `clients` closed-loop clients sending `/v1/batch` bodies of `batchSize` events
 * (`benchBatch`). `single`: open loop, one `POST /v1/track` every 1/rate s whatever the answers.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

export interface LoadOptions {
  kind: 'batch' | 'single';
  url: string;
  /** The Authorization header's value. */
  auth: string;
  seconds: number;
  /** batch: concurrent clients. */
  clients?: number;
  /** batch: events per request. */
  batchSize?: number;
  /** single: requests per second. */
  rate?: number;
  /**
   * batch: instead of `benchBatch`, only `Product Viewed` events of `shopper-0` …
   * `shopper-<shoppers - 1>` (the dispatch-lag benchmark's existing customers).
   */
  shoppers?: number;
}

export interface LoadResult {
  /** Events the answers said were stored, per second of the load. */
  eventsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
  statuses: Record<number, number>;
  /** The client process's own CPU time (ms) from `ready` to its result: a share of the same cores. */
  cpuMs?: number;
}

/**
 * A `/v1/batch` body's events as the ingest benchmarks send them: 90 % `track`, 10 % `identify`,
 * over a pool of 20,000 user ids (new and known contacts mixed), each with a fresh message id.
 */
export function benchBatch(size: number): Record<string, unknown>[] {
  return Array.from({ length: size }, (_, i) => {
    const userId = `user-${Math.floor(Math.random() * 20_000)}`;
    const base = { userId, messageId: randomUUID(), timestamp: new Date().toISOString() };
    return i % 10 === 0
      ? { ...base, type: 'identify', traits: { plan: ['free', 'pro'][i % 2], visits: i } }
      : {
          ...base,
          type: 'track',
          event: 'Product Viewed',
          properties: { sku: `sku-${i % 300}`, price: (i % 90) + 0.99, currency: 'EUR' },
        };
  });
}

/** Runs the load in a child process and resolves with what it measured. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return startLoad(options).result;
}

/**
 * Starts the load in a child process: `ready` once the child is loaded and about to send (its
 * `seconds` start then), `result` with what it measured.
 */
export function startLoad(options: LoadOptions): { ready: Promise<void>; result: Promise<LoadResult> } {
  let started: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const result = new Promise<LoadResult>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let measured: LoadResult | undefined;
    child.on('message', (message) => {
      if (message === 'ready') started();
      else measured = message as LoadResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      started();
      if (measured) resolve(measured);
      else reject(new Error(`load client exited with ${code} and no result`));
    });
  });
  return { ready, result };
}

/** 500 `Product Viewed` events of existing shoppers. */
function shopperBatch(size: number, shoppers: number): Record<string, unknown>[] {
  return Array.from({ length: size }, (_, i) => ({
    type: 'track',
    userId: `shopper-${Math.floor(Math.random() * shoppers)}`,
    event: 'Product Viewed',
    properties: { sku: `sku-${i % 300}` },
    messageId: randomUUID(),
    timestamp: new Date().toISOString(),
  }));
}

/**
 * Keep-alive sockets for the load: `node:http` rather than `fetch`, whose streams cost this
 * process about half a millisecond of CPU per request (0.55 of a core at 1,000 single tracks a
 * second, on the same two cores as the server under test).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs a JSON body; answers the status and the parsed answer (empty when it is not JSON). */
function postJson(
  url: string,
  auth: string,
  body: string,
): Promise<{ status: number; answer: { accepted?: number } }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: auth,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          let answer: { accepted?: number } = {};
          try {
            answer = JSON.parse(Buffer.concat(chunks).toString());
          } catch {
            // Not JSON: counted by its status alone.
          }
          resolve({ status: response.statusCode ?? 0, answer });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Answers counted as they come: latencies, statuses, events stored, failures. */
function tally() {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let stored = 0;
  let failed = 0;
  let refusals = 0;
  return {
    answered(status: number, accepted: number | undefined, latency: number) {
      latencies.push(latency);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 300) stored += accepted ?? 0;
      else failed += 1;
    },
    /** Refused or reset (the client's sockets or the server overwhelmed): a failure, no latency. */
    refused() {
      failed += 1;
      refusals += 1;
    },
    result(seconds: number): LoadResult {
      latencies.sort((a, b) => a - b);
      const pct = (p: number) =>
        latencies.length
          ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]
          : Number.NaN;
      return {
        eventsPerSecond: stored / seconds,
        p50: pct(0.5),
        p99: pct(0.99),
        requests: latencies.length + refusals,
        failed,
        statuses,
      };
    },
  };
}

async function batchLoad(options: LoadOptions): Promise<LoadResult> {
  const answers = tally();
  const started = performance.now();
  const until = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients ?? 4 }, async () => {
      while (performance.now() < until) {
        const size = options.batchSize ?? 500;
        const body = JSON.stringify({
          batch: options.shoppers ? shopperBatch(size, options.shoppers) : benchBatch(size),
          sentAt: new Date().toISOString(),
        });
        const sent = performance.now();
        try {
          const { status, answer } = await postJson(`${options.url}/v1/batch`, options.auth, body);
          answers.answered(status, answer.accepted, performance.now() - sent);
        } catch {
          answers.refused();
        }
      }
    }),
  );
  return answers.result((performance.now() - started) / 1000);
}

async function singleLoad(options: LoadOptions): Promise<LoadResult> {
  const rate = options.rate ?? 1000;
  const answers = tally();
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; performance.now() - started < options.seconds * 1000; i += 1) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    const body = JSON.stringify({
      userId: `user-${Math.floor(Math.random() * 20_000)}`,
      event: 'Product Viewed',
      messageId: randomUUID(),
      properties: { sku: `sku-${i % 300}` },
    });
    pending.push(
      postJson(`${options.url}/v1/track`, options.auth, body).then(
        ({ status, answer }) => answers.answered(status, answer.accepted, performance.now() - sent),
        () => answers.refused(),
      ),
    );
  }
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(pending);
  return answers.result(elapsed);
}

// Run as the child: measure, hand the result to the parent, exit.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const options = JSON.parse(process.argv[2]) as LoadOptions;
  const loaded = process.cpuUsage();
  process.send('ready');
  const result = await (options.kind === 'batch' ? batchLoad(options) : singleLoad(options));
  const usage = process.cpuUsage(loaded);
  process.send({ ...result, cpuMs: (usage.user + usage.system) / 1000 }, () => process.exit(0));
}

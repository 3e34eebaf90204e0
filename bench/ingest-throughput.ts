/**
 * Ingest throughput: `POST /v1/batch` with 500-event batches from concurrent clients, against a
 * bare Fastify route parsing the same bodies in the same process (the baseline), the load coming
 * from a child process (`helpers/load-client.ts`) so it does not share the server's event loop. Starts its own
 * Temporal dev server and the API on a real port with the outbox dispatcher, as `npm start` does;
 * DATABASE_URL points it at a Postgres server (PGlite in memory without it).
 *
 *   DATABASE_URL=postgres://… node --max-semi-space-size=32 --import tsx bench/ingest-throughput.ts \
 *     [seconds=8] [clients=4] [runs=3]
 *   (`--max-semi-space-size=32` as `wayline api` runs its process, which `npm run bench` passes too)
 *
 * Each run measures the baseline, then Wayline, for `seconds` each; every batch is 90 % `track`
 * and 10 % `identify` over a pool of 20,000 users (new and known contacts mixed). Then, once the
 * dispatcher has drained the outbox (how long it took is printed), `runs` runs of single-event
 * `POST /v1/track` at BENCH_TRACK_RATE requests/s (default 1,000; 0 skips it), open loop, for
 * `seconds` against each. Each Wayline run of the batch load also prints its CPU per request:
 * this process's (API and dispatcher) and, on Linux with the server on this machine,
 * PostgreSQL's processes'; each of the single-event load, the cores each part kept busy, how
 * busy this process's event loop was and how late it ran its callbacks (its delay).
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { buildApp } from '../engine/api/app';
import { startDispatcher } from '../engine/dispatch/dispatcher';
import { createWorkspace } from '../engine/identity/workspaces';
import { pendingRows } from '../tests/helpers/outbox';
import { startIngestStack } from './helpers/ingest-stack';
import { type LoadResult, runLoad } from './helpers/load-client';
import { drainOutbox } from './helpers/outbox';
import { coresBusy, coresLine, cpuMs, processesCpuMs } from './helpers/process';
import { loadAverage, reportResult } from './helpers/report';

const seconds = Number(process.argv[2] ?? 8);
const clients = Number(process.argv[3] ?? 4);
const runs = Number(process.argv[4] ?? 3);
const batchSize = 500;
const stack = await startIngestStack();
const { database, db, temporal, taskQueue, registry, secretBox } = stack;
// BENCH_DISPATCH=0 leaves the dispatcher out (the answers are then 202): ingest alone.
const dispatcher =
  process.env.BENCH_DISPATCH === '0' ? undefined : startDispatcher({ db, temporal, taskQueue });
const app = await buildApp({ db, database, temporal, taskQueue, registry, secretBox, dispatcher });
const waylineUrl = await app.listen({ host: '127.0.0.1', port: 0 });

const bare = Fastify({ bodyLimit: 4 * 1024 * 1024 });
bare.post('/v1/batch', async (request) => {
  const { batch } = request.body as { batch: unknown[] };
  return { success: true, accepted: batch.length, duplicates: 0, rejected: [], cleaned: [] };
});
bare.post('/v1/track', async (request) => {
  const event = request.body as { event?: unknown };
  return { success: true, accepted: event ? 1 : 0, duplicates: 0, rejected: [], cleaned: [] };
});
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

const workspace = await createWorkspace(db, `Bench ${randomUUID().slice(0, 8)}`);
const auth = `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}`;

// The load runs in a child process of its own: the server's event loop is not shared with it.
const load = (url: string): Promise<LoadResult> =>
  runLoad({ kind: 'batch', url, auth, seconds, clients, batchSize });

const ratios: number[] = [];
const measured: { wayline: LoadResult; baseline: LoadResult }[] = [];
for (let run = 1; run <= runs; run += 1) {
  const baseline = await load(bareUrl);
  const cpuBefore = process.cpuUsage();
  const postgresBefore = processesCpuMs('postgres:');
  const wayline = await load(waylineUrl);
  const apiMs = cpuMs(process.cpuUsage(cpuBefore)) / wayline.requests;
  const postgresAfter = processesCpuMs('postgres:');
  const postgresMs =
    postgresBefore === undefined || postgresAfter === undefined
      ? undefined
      : (postgresAfter - postgresBefore) / wayline.requests;
  measured.push({ wayline, baseline });
  const ratio = wayline.eventsPerSecond / baseline.eventsPerSecond;
  ratios.push(ratio);
  console.log(
    `run ${run}: wayline ${wayline.eventsPerSecond.toFixed(0)} events/s (p50 ${wayline.p50.toFixed(0)} ms, ` +
      `p99 ${wayline.p99.toFixed(0)} ms per 500-event request, ${wayline.requests} requests, ` +
      `answers ${JSON.stringify(wayline.statuses)}); bare route ${baseline.eventsPerSecond.toFixed(0)} events/s; ` +
      `ratio ${ratio.toFixed(3)}; CPU per request: this process ${apiMs.toFixed(1)} ms` +
      (postgresMs === undefined
        ? ''
        : `, PostgreSQL's processes on this machine ${postgresMs.toFixed(1)} ms`),
  );
}
ratios.sort((a, b) => a - b);
console.log(
  `database: ${database.driver}; clients: ${clients}; ${seconds} s per measurement; ratio wayline / bare ` +
    `min ${ratios[0].toFixed(3)}, median ${ratios[Math.floor(ratios.length / 2)].toFixed(3)}, max ${ratios.at(-1)?.toFixed(3)}`,
);
reportResult({
  name: 'ingest /v1/batch',
  baseline: 'bare Fastify route parsing the same bodies',
  unit: 'events/s',
  values: measured.map((m) => m.wayline.eventsPerSecond),
  baselineValues: measured.map((m) => m.baseline.eventsPerSecond),
  note: `goal ≥ 10,000 events/s and p99 ≤ 250 ms per request; p99 ${measured.map((m) => m.wayline.p99.toFixed(0)).join(', ')} ms; load average ${loadAverage()}`,
});

/** Single-event `track` at a fixed rate (open loop), for `seconds`, from a child process. */
const singles = (url: string, rate: number): Promise<LoadResult> =>
  runLoad({ kind: 'single', url, auth, seconds, rate });

/**
 * The server's own time per request (its headers read → its answer written), apart from the
 * client's: on two cores the load's process waits for a core too, which the bare route shows.
 */
const serverTimes: number[] = [];
app.server.on('request', (_request, response) => {
  const received = performance.now();
  response.on('finish', () => serverTimes.push(performance.now() - received));
});
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * values.length) - 1)] ?? Number.NaN;

// The batch load's outbox drains before the single-event load, which would otherwise queue
// behind the dispatcher's backlog for the database's connections (up to a minute).
if (dispatcher) {
  const { pendingAtStart, left, tookMs } = await drainOutbox(db, workspace.id, { everyMs: 200 });
  const took = (tookMs / 1000).toFixed(1);
  console.log(
    `outbox after the batch load: ${pendingAtStart} rows pending at its end, ${left === 0 ? `drained in ${took} s` : `${left} still pending after ${took} s`}`,
  );
}

const singleRate = Number(process.env.BENCH_TRACK_RATE ?? 1000);
if (singleRate > 0) {
  // As many runs as the batch load, each the bare route then Wayline at the same rate.
  const measuredSingles: { wayline: LoadResult; baseline: LoadResult; serverP99: number }[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const baseline = await singles(bareUrl, singleRate);
    serverTimes.length = 0;
    const phase = coresBusy({
      'this process': () => cpuMs(process.cpuUsage()),
      'its event loop': () => performance.eventLoopUtilization().active,
      PostgreSQL: () => (process.env.DATABASE_URL ? processesCpuMs('postgres:') : 0),
    }).start();
    // How late this process's event loop ran its callbacks: a request waits that long before it is read.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const wayline = await singles(waylineUrl, singleRate);
    loopDelay.disable();
    const cores = { ...phase(), 'load client': (wayline.cpuMs ?? Number.NaN) / (seconds * 1000) };
    const serverP99 = percentile(serverTimes, 0.99);
    measuredSingles.push({ wayline, baseline, serverP99 });
    console.log(
      `single track run ${run} at ${singleRate} requests/s for ${seconds} s: wayline p50 ${wayline.p50.toFixed(1)} ms, ` +
        `p99 ${wayline.p99.toFixed(1)} ms (${wayline.requests} requests, ${wayline.failed} failed or not 2xx; ` +
        `in the server p50 ${percentile(serverTimes, 0.5).toFixed(1)} ms, p99 ${serverP99.toFixed(1)} ms); bare route p50 ` +
        `${baseline.p50.toFixed(1)} ms, p99 ${baseline.p99.toFixed(1)} ms; ratio of p99 ${(wayline.p99 / baseline.p99).toFixed(2)}`,
    );
    console.log(
      `single track run ${run}, cores busy: ${coresLine(cores)}; event loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, ` +
        `p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
    );
  }
  const failed = measuredSingles.reduce((sum, m) => sum + m.wayline.failed, 0);
  const requests = measuredSingles.reduce((sum, m) => sum + m.wayline.requests, 0);
  reportResult({
    name: `single track p99 at ${singleRate}/s`,
    baseline: 'bare Fastify route at the same rate',
    unit: 'ms',
    values: measuredSingles.map((m) => m.wayline.p99),
    baselineValues: measuredSingles.map((m) => m.baseline.p99),
    note: `goal p99 ≤ 20 ms; p99 ${measuredSingles.map((m) => m.wayline.p99.toFixed(1)).join(', ')} ms; in the server p99 ${measuredSingles.map((m) => m.serverP99.toFixed(1)).join(', ')} ms; ${failed} of ${requests} failed or not 2xx; load average ${loadAverage()}`,
  });
}

// Give the dispatcher a moment to drain, then report what is left in the outbox.
await new Promise((resolve) => setTimeout(resolve, 2000));
console.log(`outbox rows still pending 2 s after the load: ${await pendingRows(db, workspace.id)}`);

await app.close();
await bare.close();
await dispatcher?.stop();
await stack.close();

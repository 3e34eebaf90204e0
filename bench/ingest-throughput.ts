/**
 * Ingest throughput: `POST /v1/batch` with 500-event batches from concurrent clients, against a
 * bare Fastify route parsing the same bodies in the same process (the baseline). Starts its own
 * Temporal dev server and the API on a real port with the outbox dispatcher, as `npm start` does;
 * DATABASE_URL points it at a Postgres server (PGlite in memory without it).
 *
 *   DATABASE_URL=postgres://… npx tsx bench/ingest-throughput.ts [seconds=8] [clients=4] [runs=3]
 *
 * Each run measures the baseline, then Wayline, for `seconds` each; every batch is 90 % `track`
 * and 10 % `identify` over a pool of 20,000 users (new and known contacts mixed).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { buildApp } from '../engine/api/app';
import { startDispatcher } from '../engine/dispatch/dispatcher';
import { createWorkspace } from '../engine/identity/workspaces';
import { startIngestStack } from './helpers/ingest-stack';

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
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

const workspace = await createWorkspace(db, `Bench ${randomUUID().slice(0, 8)}`);
const auth = `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}`;

function batchBody(): string {
  const batch = Array.from({ length: batchSize }, (_, i) => {
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
  return JSON.stringify({ batch, sentAt: new Date().toISOString() });
}

interface Result {
  eventsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  statuses: Record<number, number>;
}

async function load(url: string): Promise<Result> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let eventsStored = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const body = batchBody();
        const sent = performance.now();
        const response = await fetch(`${url}/v1/batch`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body,
        });
        const answer = (await response.json()) as { accepted?: number };
        latencies.push(performance.now() - sent);
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        if (response.status < 300) eventsStored += answer.accepted ?? 0;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  return {
    eventsPerSecond: eventsStored / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    requests: latencies.length,
    statuses,
  };
}

const ratios: number[] = [];
for (let run = 1; run <= runs; run += 1) {
  const baseline = await load(bareUrl);
  const wayline = await load(waylineUrl);
  const ratio = wayline.eventsPerSecond / baseline.eventsPerSecond;
  ratios.push(ratio);
  console.log(
    `run ${run}: wayline ${wayline.eventsPerSecond.toFixed(0)} events/s (p50 ${wayline.p50.toFixed(0)} ms, ` +
      `p99 ${wayline.p99.toFixed(0)} ms per 500-event request, ${wayline.requests} requests, ` +
      `answers ${JSON.stringify(wayline.statuses)}); bare route ${baseline.eventsPerSecond.toFixed(0)} events/s; ` +
      `ratio ${ratio.toFixed(3)}`,
  );
}
ratios.sort((a, b) => a - b);
console.log(
  `database: ${database.driver}; clients: ${clients}; ${seconds} s per measurement; ratio wayline / bare ` +
    `min ${ratios[0].toFixed(3)}, median ${ratios[Math.floor(ratios.length / 2)].toFixed(3)}, max ${ratios.at(-1)?.toFixed(3)}`,
);
// Give the dispatcher a moment to drain, then report what is left in the outbox.
await new Promise((resolve) => setTimeout(resolve, 2000));
const counted: any = await db.execute(
  sql`select count(*)::int as n from outbox where workspace_id = ${workspace.id} and status = 'pending'`,
);
console.log(`outbox rows still pending 2 s after the load: ${(counted.rows ?? counted)[0].n}`);

await app.close();
await bare.close();
await dispatcher?.stop();
await stack.close();

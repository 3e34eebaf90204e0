/**
 * What PostgreSQL spends storing a 500-event batch, schema against schema: the same batches
 * (`ingestMessages`, as `POST /v1/batch` calls it, without HTTP or dispatch) stored one after
 * another into two fresh databases on the same server, alternating batch by batch, so the
 * machine's load (shared, changing by the second) weighs on both alike. The baseline is the
 * schema before migrations 0017 and 0018: the outbox with its three foreign keys (workspace,
 * event, contact) and events with their two (workspace, contact), put back on the second
 * database. `BENCH_STORE_KEYS=outbox` puts back the outbox's only.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/ingest-store.ts [batches=60] [runs=3]
 *
 * Each run stores `batches` batches into each database (the first five of each left out, warm-up)
 * and reports the median time per batch; events/s is 500 ÷ that median: one client, no overlap.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type Database } from '../db';
import { ingestMessages } from '../engine/audience/ingest/ingest';
import { createWorkspace } from '../engine/identity/workspaces';
import { benchBatch } from './helpers/ingest-stack';
import { loadAverage, reportResult, summary } from './helpers/report';

const batches = Number(process.argv[2] ?? 60);
const runs = Number(process.argv[3] ?? 3);
const batchSize = 500;
const warmUp = 5;
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL: a PostgreSQL server to create two databases on');

/** The outbox as it was before migration 0017, events before 0018. */
const OUTBOX_FOREIGN_KEYS = [
  'alter table outbox add foreign key (workspace_id) references workspaces(id) on delete cascade',
  'alter table outbox add foreign key (event_id) references events(id) on delete cascade',
  'alter table outbox add foreign key (contact_id) references contacts(id) on delete cascade',
];
const EVENTS_FOREIGN_KEYS = [
  'alter table events add foreign key (workspace_id) references workspaces(id) on delete cascade',
  'alter table events add foreign key (contact_id) references contacts(id) on delete set null',
];
const restored =
  process.env.BENCH_STORE_KEYS === 'outbox'
    ? OUTBOX_FOREIGN_KEYS
    : [...OUTBOX_FOREIGN_KEYS, ...EVENTS_FOREIGN_KEYS];

const admin = postgres(url, { max: 1, onnotice: () => {} });
const suffix = randomUUID().slice(0, 8);
const variants = [
  { name: 'now', statements: [] as string[] },
  { name: `with the ${restored.length} foreign keys`, statements: restored },
].map((variant, i) => ({ ...variant, database: `wayline_store_${suffix}_${i}` }));

const opened: { name: string; database: Database; workspaceId: string; times: number[] }[] = [];
try {
  for (const variant of variants) {
    await admin.unsafe(`create database ${variant.database}`);
    const target = new URL(url);
    target.pathname = `/${variant.database}`;
    const database = await createDb({ url: target.toString() });
    for (const statement of variant.statements) await database.db.execute(statement);
    const workspace = await createWorkspace(database.db, `Store ${variant.name}`);
    opened.push({ name: variant.name, database, workspaceId: workspace.id, times: [] });
  }
  const [current, baseline] = opened;
  const medians: { current: number; baseline: number }[] = [];
  for (let run = 1; run <= runs; run += 1) {
    for (const side of opened) side.times = [];
    for (let i = 0; i < batches + warmUp; i += 1) {
      // The same batch into both, in alternating order.
      const messages = benchBatch(batchSize);
      for (const side of i % 2 ? [...opened].reverse() : opened) {
        const started = performance.now();
        const outcomes = await ingestMessages(side.database.db, { workspaceId: side.workspaceId, messages });
        if (outcomes.some((o) => o.status !== 'stored'))
          throw new Error(`${side.name}: not every event stored`);
        if (i >= warmUp) side.times.push(performance.now() - started);
      }
    }
    const line = (side: (typeof opened)[number]) => {
      const sorted = [...side.times].sort((a, b) => a - b);
      const p90 = sorted[Math.ceil(0.9 * sorted.length) - 1];
      return `${side.name} median ${summary(sorted).median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`;
    };
    medians.push({ current: summary(current.times).median, baseline: summary(baseline.times).median });
    console.log(
      `run ${run}: per 500-event batch ${line(current)}; ${line(baseline)}; load average ${loadAverage()}`,
    );
  }
  reportResult({
    name: 'ingest store per batch',
    baseline: `the same batches into the schema with the ${restored.length} foreign keys of outbox${restored.length > 3 ? ' and events' : ''}, interleaved`,
    unit: 'events/s',
    values: medians.map((m) => (batchSize * 1000) / m.current),
    baselineValues: medians.map((m) => (batchSize * 1000) / m.baseline),
    note: `one client, median batch time ${medians.map((m) => `${m.current.toFixed(0)} vs ${m.baseline.toFixed(0)} ms`).join(', ')}; load average ${loadAverage()}`,
  });
} finally {
  for (const side of opened) await side.database.close();
  for (const variant of variants) await admin.unsafe(`drop database if exists ${variant.database}`);
  await admin.end();
}

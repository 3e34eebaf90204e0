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
 * and reports the median time per batch, and, when the server runs on this machine, the CPU time
 * its backends serving each database spent (from /proc; 10 ms ticks), per event: PostgreSQL's
 * cost, which the machine's load disturbs much less than times. Events/s is 500 ÷ the median
 * batch time: one client, no overlap.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
if (!url) {
  console.log(
    'ingest-store: set DATABASE_URL (a PostgreSQL server to create two databases on) to run it; skipped',
  );
  process.exit(0);
}

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

/**
 * CPU seconds (user + system) spent so far by the server's backends connected to `database`,
 * read from /proc; undefined when the server is not on this machine.
 */
async function backendCpu(database: string): Promise<number | undefined> {
  const backends = await admin<
    { pid: number }[]
  >`select pid from pg_stat_activity where datname = ${database}`;
  let ticks = 0;
  for (const { pid } of backends) {
    try {
      // Fields after the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return undefined;
    }
  }
  return ticks / 100;
}

const opened: {
  name: string;
  database: Database;
  databaseName: string;
  workspaceId: string;
  times: number[];
  cpu?: number;
}[] = [];
try {
  for (const variant of variants) {
    await admin.unsafe(`create database ${variant.database}`);
    const target = new URL(url);
    target.pathname = `/${variant.database}`;
    const database = await createDb({ url: target.toString() });
    for (const statement of variant.statements) await database.db.execute(statement);
    const workspace = await createWorkspace(database.db, `Store ${variant.name}`);
    opened.push({
      name: variant.name,
      database,
      databaseName: variant.database,
      workspaceId: workspace.id,
      times: [],
    });
  }
  const [current, baseline] = opened;
  const medians: { current: number; baseline: number }[] = [];
  const cpuPerEvent: { current?: number; baseline?: number }[] = [];
  for (let run = 1; run <= runs; run += 1) {
    for (const side of opened) side.times = [];
    const cpuBefore = await Promise.all(opened.map((side) => backendCpu(side.databaseName)));
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
    // Warm-up batches included: CPU is counted over the whole run, per event stored.
    const cpuAfter = await Promise.all(opened.map((side) => backendCpu(side.databaseName)));
    const events = (batches + warmUp) * batchSize;
    opened.forEach((side, i) => {
      const [before, after] = [cpuBefore[i], cpuAfter[i]];
      side.cpu = before === undefined || after === undefined ? undefined : ((after - before) * 1e6) / events;
    });
    const line = (side: (typeof opened)[number]) => {
      const sorted = [...side.times].sort((a, b) => a - b);
      const p90 = sorted[Math.ceil(0.9 * sorted.length) - 1];
      const cpu = side.cpu === undefined ? '' : `, PostgreSQL CPU ${side.cpu.toFixed(1)} µs per event`;
      return `${side.name} median ${summary(sorted).median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms${cpu}`;
    };
    medians.push({ current: summary(current.times).median, baseline: summary(baseline.times).median });
    cpuPerEvent.push({ current: current.cpu, baseline: baseline.cpu });
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
  if (cpuPerEvent.every((c) => c.current !== undefined && c.baseline !== undefined)) {
    reportResult({
      name: 'ingest PostgreSQL CPU per event',
      baseline: 'the same events into the schema with the foreign keys, interleaved',
      unit: 'µs',
      values: cpuPerEvent.map((c) => c.current as number),
      baselineValues: cpuPerEvent.map((c) => c.baseline as number),
      note: `CPU time of the backends serving each database; load average ${loadAverage()}`,
    });
  }
} finally {
  for (const side of opened) await side.database.close();
  for (const variant of variants) await admin.unsafe(`drop database if exists ${variant.database}`);
  await admin.end();
}

/**
 * Analytics at scale: RFM refresh against one hand-written SQL query computing the same table
 * (the ratio is the result), predictive CLV (BG/NBD + Gamma-Gamma fit and scoring), K-means and
 * a 4-step funnel. Data are generated in SQL: `contacts` contacts and `events` events, a third
 * of them purchases, over two years.
 *
 *   DATABASE_URL=postgres://... npx tsx bench/analytics-refresh.ts [contacts=100000] [events=1000000]
 *
 * Without DATABASE_URL it runs on PGlite in memory (use small sizes there).
 */
import { sql } from 'drizzle-orm';
import { createDb } from '../db';
import { refreshClusters } from '../engine/analytics/clusters';
import { runFunnel } from '../engine/analytics/funnels';
import { refreshPredictiveClv } from '../engine/analytics/predictive-clv';
import { refreshRfm } from '../engine/analytics/rfm';
import { rfmSegment } from '../engine/analytics/rfm-classes';
import { createWorkspace } from '../engine/identity/workspaces';
import { benchRuns, reportResult } from './helpers/report';

const contactCount = Number(process.argv[2] ?? 100_000);
const eventCount = Number(process.argv[3] ?? 1_000_000);
const database = await createDb(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {});
const { db } = database;
const workspace = await createWorkspace(db, `Bench ${new Date().toISOString()}`);
const ws = workspace.id;

async function timed<T>(label: string, run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  console.log(`${label}: ${ms.toFixed(0)} ms`);
  return { ms, value };
}

await timed('generate contacts', () =>
  db.execute(sql`insert into contacts (workspace_id, external_id)
    select ${ws}::uuid, 'c' || g from generate_series(1, ${contactCount}) g`),
);
await timed('generate events', () =>
  db.execute(sql`insert into events (workspace_id, message_id, contact_id, type, name, properties, timestamp)
    select ${ws}::uuid, 'm' || g, c.id, 'track',
      (array['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'])[1 + (g % 4)],
      case when g % 4 = 3 then jsonb_build_object('revenue', 5 + (g * 7919) % 200,
        'products', jsonb_build_array(jsonb_build_object('product_id', 'p' || (g % 50)), jsonb_build_object('product_id', 'p' || ((g / 7) % 50))))
        else '{}'::jsonb end,
      now() - ((g * 104729) % (730 * 24)) * interval '1 hour'
    from generate_series(1::bigint, ${eventCount}::bigint) g
    join contacts c on c.workspace_id = ${ws}::uuid and c.external_id = 'c' || (1 + (g * 31) % ${contactCount})`),
);
await db.execute(sql`analyze events`);
await db.execute(sql`analyze contacts`);

const classes: string[] = [];
for (let r = 1; r <= 5; r++)
  for (let f = 1; f <= 5; f++)
    for (let m = 1; m <= 5; m++) classes.push(`when ${r * 100 + f * 10 + m} then '${rfmSegment(r, f, m)}'`);
const handSelect = `
  with per_contact as (
    select contact_id,
           extract(epoch from (now() - max(timestamp))) / 86400.0 as recency_days,
           count(*) as frequency,
           sum(coalesce((properties->>'revenue')::double precision, (properties->>'total')::double precision, 0)) as monetary
    from events
    where workspace_id = '${ws}' and name = 'Order Completed' and contact_id is not null
      and timestamp > now() - interval '365 days'
    group by contact_id
  ), scored as (
    select *,
      least(5, 1 + floor(5.0 * (rank() over (order by recency_days desc) - 1) / count(*) over ()))::int as r,
      least(5, 1 + floor(5.0 * (rank() over (order by frequency) - 1) / count(*) over ()))::int as f,
      least(5, 1 + floor(5.0 * (rank() over (order by monetary) - 1) / count(*) over ()))::int as m,
      recency_days < avg(recency_days) over () as rh, frequency > avg(frequency) over () as fh, monetary > avg(monetary) over () as mh
    from per_contact
  )
  select contact_id, recency_days, frequency, monetary, r, f, m,
    case r * 100 + f * 10 + m ${classes.join(' ')} end as segment,
    (case when mh then 'important_' else 'general_' end) ||
    (case when rh and fh then 'value' when rh then 'develop' when fh then 'keep' else 'retain' end) as value_class
  from scored`;
/** The bare query, its result kept in a temporary table (no WAL, no index, no foreign key). */
const handWritten = sql.raw(`create temp table rfm_hand as ${handSelect}`);
/** The bare query into a new ordinary table: written to the WAL, still no index and no foreign key. */
const handWrittenLogged = sql.raw(`create table rfm_hand_logged as ${handSelect}`);
/** The same query replacing the workspace's rows of rfm_scores, as the refresh does. */
const handWrittenIntoTable = async () =>
  db.transaction(async (tx) => {
    await tx.execute(sql`delete from rfm_scores where workspace_id = ${ws}`);
    await tx.execute(
      sql.raw(`insert into rfm_scores (workspace_id, contact_id, recency_days, frequency, monetary, r, f, m, segment, value_class)
        select '${ws}', contact_id, recency_days, frequency, monetary, r, f, m, segment, value_class from (${handSelect}) q`),
    );
  });

// Warm each once (caches), then measure each `BENCH_RUNS` times (5; 2 quick), alternating.
await refreshRfm(db, ws);
await db.execute(handWritten);
await db.execute(sql`drop table rfm_hand`);
await handWrittenIntoTable();
const ours: number[] = [];
const bare: number[] = [];
const logged: number[] = [];
const intoTable: number[] = [];
for (let i = 0; i < benchRuns(); i++) {
  ours.push((await timed(`RFM refresh #${i + 1}`, () => refreshRfm(db, ws))).ms);
  bare.push(
    (await timed(`hand-written query into a temp table #${i + 1}`, () => db.execute(handWritten))).ms,
  );
  await db.execute(sql`drop table rfm_hand`);
  logged.push(
    (await timed(`hand-written query into a new logged table #${i + 1}`, () => db.execute(handWrittenLogged)))
      .ms,
  );
  await db.execute(sql`drop table rfm_hand_logged`);
  intoTable.push(
    (await timed(`hand-written query replacing rfm_scores rows #${i + 1}`, handWrittenIntoTable)).ms,
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a: number[], b: number[]) =>
  `${median(a).toFixed(0)} / ${median(b).toFixed(0)} ms = ${(median(a) / median(b)).toFixed(2)}×`;
console.log(`RFM refresh / hand-written query into a temp table (medians): ${ratio(ours, bare)}`);
console.log(`RFM refresh / hand-written query into a new logged table (medians): ${ratio(ours, logged)}`);
console.log(`RFM refresh / hand-written query replacing the rows (medians): ${ratio(ours, intoTable)}`);
reportResult({
  name: 'RFM refresh',
  baseline: 'hand-written query replacing the same rfm_scores rows',
  unit: 'ms',
  values: ours,
  baselineValues: intoTable,
  note: `${contactCount} contacts, ${eventCount} events; into a temp table ${median(bare).toFixed(0)} ms (median)`,
});
// RFM_ONLY=1 stops after the RFM comparison.
if (process.env.RFM_ONLY) {
  if (!process.env.BENCH_KEEP) await db.execute(sql`delete from workspaces where id = ${ws}`);
  await database.close();
  process.exit(0);
}
await timed('predictive CLV (BG/NBD + Gamma-Gamma fit, scoring, write)', () => refreshPredictiveClv(db, ws));
await timed('K-means, k = 5, 10 restarts', () => refreshClusters(db, ws, { k: 5 }));
await timed('K-means, k suggested in 2..8 by silhouette', () => refreshClusters(db, ws, {}));
await timed('funnel of 4 steps', () =>
  runFunnel(db, ws, {
    steps: [
      { event: 'Product Viewed' },
      { event: 'Product Added' },
      { event: 'Checkout Started' },
      { event: 'Order Completed' },
    ],
    windowHours: 24 * 30,
    from: new Date(Date.now() - 730 * 86_400_000),
    to: new Date(),
  }),
);
// BENCH_KEEP=1 keeps the generated workspace (deleting millions of rows takes a while).
if (!process.env.BENCH_KEEP)
  await timed('clean-up', () => db.execute(sql`delete from workspaces where id = ${ws}`));
await database.close();

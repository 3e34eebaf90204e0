/**
 * Segments at scale: one segment of nested rules (attributes, event counts with property filters,
 * list membership, "never did") evaluated over `contacts` contacts and `events` events on
 * PostgreSQL, against one hand-written SQL query for the same rule (the ratio is the result).
 * Both count the members; the counts must agree. Data are generated in SQL with generate_series.
 *
 *   BENCH_DATABASE_URL=postgres://... npx tsx bench/segment-eval.ts [contacts=1000000] [events=10000000]
 *
 * Runs only with BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL); otherwise it says so and
 * exits. It creates a database of its own on that server (the role needs CREATEDB), loads it with
 * the foreign key and indexes of `events` dropped and rebuilt afterwards (a bulk load, as a
 * restore does), and drops the database at the end. BENCH_KEEP=1 keeps it; then
 * BENCH_DATABASE_URL=<that database> BENCH_WORKSPACE=<id> measures again without generating.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createDb } from '../db';
import type { SegmentGroup } from '../engine/audience/segments/definition';
import { countSegmentMatches } from '../engine/audience/segments/segments';
import { createWorkspace } from '../engine/identity/workspaces';
import { benchRuns, reportResult } from './helpers/report';

const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!serverUrl) {
  console.log('segment-eval: set BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL) to run it; skipped');
  process.exit(0);
}
const contactCount = Number(process.argv[2] ?? 1_000_000);
const eventCount = Number(process.argv[3] ?? 10_000_000);
const reused = process.env.BENCH_WORKSPACE;
const benchDatabase = reused ? null : `wayline_segment_bench_${Date.now()}`;
const server = benchDatabase ? postgres(serverUrl, { max: 1, onnotice: () => {} }) : null;
if (server && benchDatabase) await server.unsafe(`create database ${benchDatabase}`);
const url = benchDatabase ? withDatabase(serverUrl, benchDatabase) : serverUrl;
const database = await createDb({ url });
const { db } = database;

function withDatabase(base: string, name: string): string {
  const parsed = new URL(base);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  console.log(`${label}: ${ms.toFixed(0)} ms`);
  return { ms, value };
}

const ws = reused ?? (await createWorkspace(db, `Segment bench ${new Date().toISOString()}`)).id;
const now = new Date();
if (!reused) {
  // Contact ids derive from the workspace and the row number, so events need no join to find them.
  const contactId = (n: string) => sql.raw(`md5('${ws}' || (${n}))::uuid`);
  await timed(`generate ${contactCount} contacts`, () =>
    db.execute(sql`insert into contacts (id, workspace_id, external_id, attributes)
      select ${contactId('g')}, ${ws}::uuid, 'c' || g,
        jsonb_build_object('plan', (array['free', 'pro', 'team', 'enterprise'])[1 + g % 4],
                           'country', (array['DE', 'FR', 'US', 'GB', 'ES'])[1 + (g / 4) % 5],
                           'age', 18 + g % 60)
      from generate_series(1, ${contactCount}) g`),
  );
  await timed('generate list membership (a third of the contacts)', async () => {
    const [list] = await db.execute<{ id: string }>(
      sql`insert into lists (workspace_id, name) values (${ws}, 'Newsletter') returning id`,
    );
    await db.execute(sql`insert into list_members (workspace_id, list_id, contact_id)
      select ${ws}::uuid, ${list.id}::uuid, ${contactId('g')} from generate_series(1, ${contactCount}) g where g % 3 = 0`);
  });
  // A bulk load: the foreign key and the indexes of events are rebuilt after the rows are in.
  await db.execute(sql`alter table events drop constraint if exists events_contact_id_contacts_id_fk`);
  await db.execute(sql`drop index events_message_idx`);
  await db.execute(sql`drop index events_contact_idx`);
  await timed(`generate ${eventCount} events`, () =>
    db.execute(sql`insert into events (workspace_id, message_id, contact_id, type, name, properties, timestamp)
      select ${ws}::uuid, 'e' || g, ${contactId(`1 + (g * 7919) % ${contactCount}`)}, 'track',
        case when g % 100 = 0 then 'Email Bounced' when g % 10 < 3 then 'Order Completed' else 'Product Viewed' end,
        case when g % 10 < 3 then jsonb_build_object('revenue', (g * 104729) % 200)
             else jsonb_build_object('category', (array['shoes', 'shirts', 'hats', 'bags'])[1 + (g / 10) % 4]) end,
        ${now.toISOString()}::timestamptz - ((g * 15485863) % (730 * 24)) * interval '1 hour'
      from generate_series(1::bigint, ${eventCount}::bigint) g`),
  );
  await timed('rebuild the indexes and foreign key of events', async () => {
    await db.execute(sql`create unique index events_message_idx on events (workspace_id, message_id)`);
    await db.execute(sql`create index events_contact_idx on events (workspace_id, contact_id, received_at)`);
    await db.execute(sql`alter table events add constraint events_contact_id_contacts_id_fk
      foreign key (contact_id) references contacts (id) on delete set null`);
  });
  await db.execute(sql`analyze contacts`);
  await db.execute(sql`analyze events`);
  await db.execute(sql`analyze list_members`);
}

/**
 * (plan is pro or team, or the contact is in Germany)
 * and (two or more orders over 50 in the last year
 *      or (on the Newsletter list and viewed shoes at least once))
 * and never an Email Bounced.
 */
const definition: SegmentGroup = {
  match: 'all',
  rules: [
    {
      match: 'any',
      rules: [
        { kind: 'attribute', path: 'plan', op: 'in', value: ['pro', 'team'] },
        { kind: 'attribute', path: 'country', op: 'eq', value: 'DE' },
      ],
    },
    {
      match: 'any',
      rules: [
        {
          kind: 'event',
          event: 'Order Completed',
          minCount: 2,
          within: { amount: 365, unit: 'days' },
          where: [{ path: 'revenue', op: 'gt', value: 50 }],
        },
        {
          match: 'all',
          rules: [
            { kind: 'list', list: 'Newsletter', member: true },
            {
              kind: 'event',
              event: 'Product Viewed',
              minCount: 1,
              where: [{ path: 'category', op: 'eq', value: 'shoes' }],
            },
          ],
        },
      ],
    },
    { kind: 'event', event: 'Email Bounced', minCount: 0 },
  ],
} as SegmentGroup;

const yearAgo = new Date(now.getTime() - 365 * 86_400_000).toISOString();
/**
 * The same rule as one would write it by hand for a table this size: each event and list rule
 * read once and joined by contact (an `id in (subquery)` under an OR cannot become a join, and
 * once its set outgrows work_mem PostgreSQL rescans it for every contact), "never bounced" as an
 * anti-join.
 */
const handWritten = sql`select count(*)::int as n from contacts c
  left join (select contact_id from events
             where workspace_id = ${ws} and name = 'Order Completed' and timestamp >= ${yearAgo}::timestamptz
               and (properties ->> 'revenue')::numeric > 50
             group by contact_id having count(*) >= 2) orders on orders.contact_id = c.id
  left join (select distinct contact_id from events
             where workspace_id = ${ws} and name = 'Product Viewed' and properties ->> 'category' = 'shoes') shoes
    on shoes.contact_id = c.id
  left join (select lm.contact_id from list_members lm join lists l on l.id = lm.list_id
             where l.workspace_id = ${ws} and l.name = 'Newsletter') newsletter on newsletter.contact_id = c.id
  where c.workspace_id = ${ws}
    and (c.attributes ->> 'plan' in ('pro', 'team') or c.attributes ->> 'country' = 'DE')
    and (orders.contact_id is not null or (newsletter.contact_id is not null and shoes.contact_id is not null))
    and not exists (select 1 from events e where e.workspace_id = ${ws} and e.contact_id = c.id and e.name = 'Email Bounced')`;

/** What a segment preview and a full refresh evaluate. */
const compiled = () => countSegmentMatches(db, ws, definition, now);
const hand = async () => Number((await db.execute<{ n: number }>(handWritten))[0].n);

// Warm each once (caches), then measure each `BENCH_RUNS` times (5; 2 quick), alternating.
const expected = await hand();
const got = await compiled();
console.log(`members: compiled segment ${got}, hand-written ${expected}`);
if (got !== expected)
  throw new Error(`the compiled segment counts ${got} members, the hand-written query ${expected}`);
const ours: number[] = [];
const bare: number[] = [];
for (let i = 0; i < benchRuns(); i++) {
  ours.push((await timed(`compiled segment #${i + 1}`, compiled)).ms);
  bare.push((await timed(`hand-written query #${i + 1}`, hand)).ms);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `segment / hand-written (medians): ${median(ours).toFixed(0)} / ${median(bare).toFixed(0)} ms = ${(median(ours) / median(bare)).toFixed(2)}×`,
);
reportResult({
  name: 'segment evaluation',
  baseline: 'hand-written SQL query for the same rule, same database, alternating',
  unit: 'ms',
  values: ours,
  baselineValues: bare,
  target: { atMost: 1.5 },
  note: `${got} members of ${contactCount} contacts`,
});
await database.close();
if (server && benchDatabase && !process.env.BENCH_KEEP) await server.unsafe(`drop database ${benchDatabase}`);
else if (benchDatabase) console.log(`kept: BENCH_DATABASE_URL=${url} BENCH_WORKSPACE=${ws}`);
await server?.end({ timeout: 5 });

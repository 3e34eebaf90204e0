/**
 * Incremental re-evaluation of one contact's segment memberships after an event, against one
 * hand-written SQL query evaluating the same five rules for the same contact (evaluation only,
 * no write), alternating in the same run. The workspace's memberships are computed once first,
 * as in a running workspace. Then for each sampled contact an event is stored (untimed, a third
 * each of the three names) and timed:
 *   - after the event: `refreshMemberships` told which event was stored, so only the segments
 *     whose rules count that event are evaluated (none for `Page Viewed`), the memberships left
 *     removed and those entered added, in one statement over the contact's row;
 *   - every segment: `refreshMemberships` without a description of the change (a new contact,
 *     an import), all five segments evaluated in the same one statement.
 * Then, as the dispatcher does after delivering a batch, `batches` times 500 random contacts
 * each get a `Product Viewed` event and are re-evaluated together: told the event (what the
 * dispatcher passes for existing contacts) and without a description (what it passed before).
 *
 *   DATABASE_URL=postgres://… npx tsx bench/segment-contact-refresh.ts [contacts=100000] [events=1000000] [samples=500] [batches=10]
 *
 * The workspace is generated in SQL: contacts with a `plan` and a `country`, events a third each
 * of `Order Completed` (with a `total`), `Product Viewed` and `Page Viewed`, a `VIP` list holding
 * every tenth contact. The segment nests all three kinds of rule:
 * all of { any of { plan = pro, country = DE }, ≥ 2 `Order Completed` with total ≥ 50, in list VIP },
 * plus four other segments of one rule each, as a workspace has several.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createDb } from '../db';
import { createSegment, refreshSegmentMembers, type SegmentRow } from '../engine/audience/segments/segments';
import { createWorkspace } from '../engine/identity/workspaces';
import { refreshMemberships } from '../engine/operations/segment-membership';
import { reportResult } from './helpers/report';

const contactCount = Number(process.argv[2] ?? 100_000);
const eventCount = Number(process.argv[3] ?? 1_000_000);
const samples = Number(process.argv[4] ?? 500);
const batches = Number(process.argv[5] ?? 10);
const BATCH = 500;

const database = await createDb(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {});
const { db } = database;
const rowsOf = (result: unknown) =>
  (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];

const workspace = await createWorkspace(db, `Segment refresh ${randomUUID().slice(0, 8)}`);
const ws = workspace.id;
const generating = performance.now();
await db.execute(sql`insert into contacts (workspace_id, external_id, attributes)
  select ${ws}::uuid, 'c' || g, jsonb_build_object('plan', (array['free','pro','team'])[1 + g % 3],
    'country', (array['DE','FR','US','GB','ES'])[1 + g % 5])
  from generate_series(1, ${contactCount}) g`);
await db.execute(sql`insert into events (workspace_id, message_id, contact_id, type, name, properties, timestamp)
  select ${ws}::uuid, 'm' || g, c.id, 'track', (array['Order Completed','Product Viewed','Page Viewed'])[1 + g % 3],
    jsonb_build_object('total', g % 120), now() - (g % 365) * interval '1 day'
  from generate_series(1, ${eventCount}) g
  join (select id, row_number() over () as n from contacts where workspace_id = ${ws}::uuid) c
    on c.n = 1 + (g::bigint * 7919) % ${contactCount}`);
const [list] = rowsOf(
  await db.execute(sql`insert into lists (workspace_id, name) values (${ws}::uuid, 'VIP') returning id`),
);
await db.execute(sql`insert into list_members (workspace_id, list_id, contact_id)
  select ${ws}::uuid, ${list.id as string}::uuid, id from contacts
  where workspace_id = ${ws}::uuid and (substring(external_id from 2))::int % 10 = 0`);
await db.execute(sql`analyze contacts`);
await db.execute(sql`analyze events`);
await db.execute(sql`analyze list_members`);
console.log(
  `generated ${contactCount} contacts and ${eventCount} events in ${((performance.now() - generating) / 1000).toFixed(1)} s`,
);

const created: SegmentRow[] = [];
created.push(
  await createSegment(db, ws, {
    name: 'Loyal VIPs',
    definition: {
      match: 'all',
      rules: [
        {
          match: 'any',
          rules: [
            { kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' },
            { kind: 'attribute', path: 'country', op: 'eq', value: 'DE' },
          ],
        },
        {
          kind: 'event',
          event: 'Order Completed',
          where: [{ path: 'total', op: 'gte', value: 50 }],
          minCount: 2,
        },
        { kind: 'list', list: 'VIP', member: true },
      ],
    } as any,
  }),
);
for (const [name, rule] of [
  ['Pro', { kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }],
  ['French', { kind: 'attribute', path: 'country', op: 'eq', value: 'FR' }],
  ['Viewers', { kind: 'event', event: 'Product Viewed', minCount: 3 }],
  ['VIP list', { kind: 'list', list: 'VIP', member: true }],
] as const) {
  created.push(await createSegment(db, ws, { name, definition: { match: 'all', rules: [rule] } as any }));
}
const populating = performance.now();
for (const segment of created) await refreshSegmentMembers(db, segment);
console.log(
  `memberships of the five segments computed in ${((performance.now() - populating) / 1000).toFixed(1)} s`,
);

const handWritten = (contactId: string) => sql`select c.id,
    ((c.attributes ->> 'plan') = 'pro' or (c.attributes ->> 'country') = 'DE')
    and (select count(*) from events e where e.workspace_id = c.workspace_id and e.contact_id = c.id
      and e.name = 'Order Completed' and (e.properties ->> 'total')::numeric >= 50) >= 2
    and exists (select 1 from list_members lm join lists l on l.id = lm.list_id
      where l.workspace_id = c.workspace_id and l.name = 'VIP' and lm.contact_id = c.id) as loyal_vip,
    (c.attributes ->> 'plan') = 'pro' as pro,
    (c.attributes ->> 'country') = 'FR' as french,
    (select count(*) from events e where e.workspace_id = c.workspace_id and e.contact_id = c.id
      and e.name = 'Product Viewed') >= 3 as viewer,
    exists (select 1 from list_members lm join lists l on l.id = lm.list_id
      where l.workspace_id = c.workspace_id and l.name = 'VIP' and lm.contact_id = c.id) as vip
  from contacts c where c.workspace_id = ${ws}::uuid and c.id = ${contactId}::uuid`;

const picked = rowsOf(
  await db.execute(
    sql`select id from contacts where workspace_id = ${ws}::uuid order by random() limit ${samples}`,
  ),
).map((row) => row.id as string);
const eventNames = ['Order Completed', 'Product Viewed', 'Page Viewed'];
let stored = 0;
/** Stores one event for the contact, as ingest would before the dispatcher re-evaluates it. */
const storeEvent = async (contactId: string) => {
  const name = eventNames[stored % eventNames.length];
  stored += 1;
  await db.execute(sql`insert into events (workspace_id, message_id, contact_id, type, name, properties, timestamp)
    values (${ws}::uuid, ${`bench-${stored}`}, ${contactId}::uuid, 'track', ${name}, ${JSON.stringify({ total: 60 + (stored % 50) })}::jsonb, now())`);
  return name;
};
// Warm-up: plans and caches for all three.
for (const contactId of picked.slice(0, 20)) {
  const name = await storeEvent(contactId);
  await refreshMemberships(db, ws, [contactId], undefined, { events: [name] });
  await refreshMemberships(db, ws, [contactId]);
  await db.execute(handWritten(contactId));
}
const afterEvent: number[] = [];
const everySegment: number[] = [];
const bare: number[] = [];
let entered = 0;
for (const contactId of picked) {
  const name = await storeEvent(contactId);
  let started = performance.now();
  await db.execute(handWritten(contactId));
  bare.push(performance.now() - started);
  started = performance.now();
  entered += (await refreshMemberships(db, ws, [contactId], undefined, { events: [name] })).size;
  afterEvent.push(performance.now() - started);
  started = performance.now();
  await refreshMemberships(db, ws, [contactId]);
  everySegment.push(performance.now() - started);
}
// A delivered batch: 500 contacts with one `Product Viewed` each, re-evaluated in one call.
const batchAfterEvent: number[] = [];
const batchEverySegment: number[] = [];
for (let round = 0; round < batches; round += 1) {
  const batch = rowsOf(
    await db.execute(
      sql`select id from contacts where workspace_id = ${ws}::uuid order by random() limit ${BATCH}`,
    ),
  ).map((row) => row.id as string);
  await db.execute(sql`insert into events (workspace_id, message_id, contact_id, type, name, properties, timestamp)
    select ${ws}::uuid, ${`batch-${round}-`}::text || c.id::text, c.id, 'track', 'Product Viewed', '{}'::jsonb, now()
    from unnest(${sql.param(batch)}::uuid[]) as c(id)`);
  let started = performance.now();
  await refreshMemberships(db, ws, batch, undefined, { events: ['Product Viewed'] });
  batchAfterEvent.push(performance.now() - started);
  started = performance.now();
  await refreshMemberships(db, ws, batch);
  batchEverySegment.push(performance.now() - started);
}
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
};
console.log(`database: ${database.driver}; ${samples} contacts, each after one stored event`);
for (const [label, values] of [
  ['one contact re-evaluated after an event (refreshMemberships, segments counting that event)', afterEvent],
  ['one contact re-evaluated against every segment (refreshMemberships, no change described)', everySegment],
  ['hand-written query for the five rules', bare],
  [`a batch of ${BATCH} contacts after Product Viewed (told the event)`, batchAfterEvent],
  [`a batch of ${BATCH} contacts after Product Viewed (every segment)`, batchEverySegment],
] as const) {
  console.log(
    `${label}: p50 ${pct(values, 0.5).toFixed(2)} ms, p99 ${pct(values, 0.99).toFixed(2)} ms, max ${pct(values, 1).toFixed(2)} ms`,
  );
}
console.log(
  `ratio after an event p50 ${(pct(afterEvent, 0.5) / pct(bare, 0.5)).toFixed(2)}, p99 ${(pct(afterEvent, 0.99) / pct(bare, 0.99)).toFixed(2)}; ` +
    `every segment p50 ${(pct(everySegment, 0.5) / pct(bare, 0.5)).toFixed(2)}, p99 ${(pct(everySegment, 0.99) / pct(bare, 0.99)).toFixed(2)}; ` +
    `segments entered after the events: ${entered}`,
);

reportResult({
  name: 'one contact re-evaluated after an event, p99',
  baseline: 'hand-written query for the same five rules and contact',
  unit: 'ms',
  values: [pct(afterEvent, 0.99)],
  baselineValues: [pct(bare, 0.99)],
  note: `goal p99 ≤ 5 ms: ${pct(afterEvent, 0.99) <= 5 ? 'met' : 'not met'}`,
  extra: {
    p50: pct(afterEvent, 0.5),
    everySegmentP50: pct(everySegment, 0.5),
    everySegmentP99: pct(everySegment, 0.99),
    batchAfterEventP50: pct(batchAfterEvent, 0.5),
    batchEverySegmentP50: pct(batchEverySegment, 0.5),
  },
});

if (process.env.BENCH_KEEP !== '1') {
  await db.execute(sql`delete from workspaces where id = ${ws}::uuid`);
}
await database.close();

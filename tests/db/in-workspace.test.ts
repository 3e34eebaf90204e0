import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../db';
import { contactsByIds, storedMessageIds } from '../../engine/audience/ingest/store-batch';
import { createWorkspace } from '../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../helpers/databases';

/** Rows the scans of a plan read: what they returned and what their filters removed. */
function rowsRead(plan: Record<string, unknown>): number {
  const scan = String(plan['Node Type']).includes('Scan') && plan['Node Type'] !== 'Function Scan';
  const own = scan ? Number(plan['Actual Rows'] ?? 0) * Number(plan['Actual Loops'] ?? 1) : 0;
  const removed =
    Number(plan['Rows Removed by Filter'] ?? 0) + Number(plan['Rows Removed by Index Recheck'] ?? 0);
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return own + removed + children.reduce((sum, child) => sum + rowsRead(child), 0);
}

/**
 * Ingest looks a batch's ids up in a workspace that may be newer than the tables' statistics (a
 * shop's first import): the planner then believes the workspace holds almost no rows, and a
 * lookup written as `workspace_id = $1 and key = any($2)` reads all of its rows through any index
 * starting with `workspace_id`, per request. The lookup ingest uses reads each id's index entry.
 */
describe.each(databaseKinds())(
  "ingest's contact lookup in a workspace newer than the statistics (%s)",
  (kind) => {
    let database: Database;
    let freshId: string;

    beforeAll(async () => {
      database = await openTestDb(kind);
      const { db } = database;
      const known = await createWorkspace(db, 'Known');
      await db.execute(sql`insert into contacts (workspace_id, external_id)
      select ${known.id}::uuid, 'k' || g from generate_series(1, 50) g`);
      await db.execute(sql`analyze contacts`);
      const fresh = await createWorkspace(db, 'Fresh');
      freshId = fresh.id;
      await db.execute(sql`insert into contacts (workspace_id, external_id)
      select ${fresh.id}::uuid, 'u' || g from generate_series(1, 3000) g`);
      await db.execute(sql`insert into events (workspace_id, message_id, type, name, timestamp)
      select ${fresh.id}::uuid, 'm' || g, 'track', 'Viewed', now() from generate_series(1, 3000) g`);
    });
    afterAll(async () => database?.close());

    const explain = async (query: SQL, db: { execute(query: SQL): PromiseLike<unknown> } = database.db) => {
      const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(
        db,
        sql`explain (analyze, format json) ${query}`,
      );
      const plan = row['QUERY PLAN'];
      return (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan as Record<string, unknown>;
    };

    it("finds a batch's contacts by reading their index entries, not the workspace's 3,000 contacts", async () => {
      const userIds = Array.from({ length: 10 }, (_, i) => `u${i * 100 + 1}`);
      const found = await queryRows<{ id: string; external_id: string }>(
        database.db,
        contactsByIds(freshId, [...userIds, 'nobody'], ['no-such-visitor']),
      );
      expect(found.map((row) => row.external_id).sort()).toEqual([...userIds].sort());
      expect(
        rowsRead(await explain(contactsByIds(freshId, userIds, ['no-such-visitor']))),
      ).toBeLessThanOrEqual(20);
    });

    it("finds a batch's stored message ids by their index entries, also in the plan kept for any batch", async () => {
      const messageIds = Array.from({ length: 10 }, (_, i) => `m${i * 100 + 1}`);
      const found = await queryRows<{ message_id: string }>(
        database.db,
        storedMessageIds(freshId, [...messageIds, 'never-sent']),
      );
      expect(found.map((row) => row.message_id).sort()).toEqual([...messageIds].sort());
      // The plan PostgreSQL keeps for a prepared statement after five runs knows neither the
      // workspace nor how many ids come: it must still read each id's entry, not the workspace's.
      const { sql: text, params } = new PgDialect().sqlToQuery(storedMessageIds(freshId, messageIds));
      const literals = params.map((p) => `'${Array.isArray(p) ? `{${p.join(',')}}` : String(p)}'`);
      const plan = await database.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`prepare stored_ids as ${text}`));
        await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
        const explained = await explain(sql.raw(`execute stored_ids(${literals.join(', ')})`), tx);
        await tx.execute(sql`deallocate stored_ids`);
        return explained;
      });
      expect(rowsRead(plan)).toBeLessThanOrEqual(20);
    });
  },
);

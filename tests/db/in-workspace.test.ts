import { and, or, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, inWorkspace, queryRows } from '../../db';
import { contacts } from '../../db/schema';
import { createWorkspace } from '../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../helpers/databases';

/** Rows each scan of a plan read (`EXPLAIN ANALYZE`'s actual rows plus those its filter removed). */
function rowsRead(plan: Record<string, unknown>): number {
  const own =
    plan['Node Type'] === 'Result'
      ? 0
      : Number(plan['Actual Rows'] ?? 0) + Number(plan['Rows Removed by Filter'] ?? 0);
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return (
    (String(plan['Node Type']).includes('Scan') ? own : 0) +
    children.reduce((sum, child) => sum + rowsRead(child), 0)
  );
}

describe.each(databaseKinds())('a workspace id the planner does not see (%s)', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  it("looks a batch's keys up in their index in a workspace newer than the statistics", async () => {
    const { db } = database;
    const known = await createWorkspace(db, 'Known');
    await db
      .insert(contacts)
      .values(Array.from({ length: 50 }, (_, i) => ({ workspaceId: known.id, externalId: `k${i}` })));
    await db.execute(sql`analyze contacts`);
    // A workspace the statistics have never seen, already large: a shop's first import.
    const fresh = await createWorkspace(db, 'Fresh');
    await db.execute(sql`insert into contacts (workspace_id, external_id)
      select ${fresh.id}::uuid, 'u' || g from generate_series(1, 3000) g`);
    const keys = Array.from({ length: 10 }, (_, i) => `u${i * 100 + 1}`);
    const lookup = db
      .select({ id: contacts.id })
      .from(contacts)
      .where(
        and(
          inWorkspace(contacts.workspaceId, fresh.id),
          or(
            sql`${contacts.externalId} = any(${sql.param(keys)}::text[])`,
            sql`${contacts.anonymousId} = any(${sql.param(['none'])}::text[])`,
          ),
        ),
      );
    expect(await lookup).toHaveLength(10);
    const { sql: text, params } = lookup.toSQL();
    const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(
      db,
      sql.raw(
        `explain (analyze, format json) ${text.replace(/\$(\d+)/g, (_, n) => literal(params[Number(n) - 1]))}`,
      ),
    );
    const plan = (
      typeof row['QUERY PLAN'] === 'string' ? JSON.parse(row['QUERY PLAN']) : row['QUERY PLAN']
    )[0].Plan;
    // Each key's index entry, not the workspace's 3,000 contacts.
    expect(rowsRead(plan)).toBeLessThanOrEqual(20);
  });
});

/** A parameter as an SQL literal, for EXPLAIN (which takes no parameters here). */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `'{${value.map((v) => `"${v}"`).join(',')}}'`;
  return `'${String(value)}'`;
}

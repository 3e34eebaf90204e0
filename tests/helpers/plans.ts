import { type SQLWrapper, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { type Db, queryRows } from '../../db';

/** Rows the scans of a plan read: what they returned and what their filters removed. */
export function rowsRead(plan: Record<string, unknown>): number {
  const scan = String(plan['Node Type']).includes('Scan') && plan['Node Type'] !== 'Function Scan';
  const own = scan ? Number(plan['Actual Rows'] ?? 0) * Number(plan['Actual Loops'] ?? 1) : 0;
  const removed =
    Number(plan['Rows Removed by Filter'] ?? 0) + Number(plan['Rows Removed by Index Recheck'] ?? 0);
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return own + removed + children.reduce((sum, child) => sum + rowsRead(child), 0);
}

/** The plan PostgreSQL ran `query` with (`explain analyze`), as JSON. */
export async function explainAnalyze(
  db: Parameters<typeof queryRows>[0],
  query: SQLWrapper,
): Promise<Record<string, unknown>> {
  const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(db, sql`explain (analyze, format json) ${query}`);
  const plan = row['QUERY PLAN'];
  return (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan as Record<string, unknown>;
}

/**
 * The plan PostgreSQL keeps for `query` as a prepared statement after five runs, made without
 * its parameters' values (`plan_cache_mode = force_generic_plan`), run with them.
 */
export function explainGeneric(db: Db, query: SQLWrapper): Promise<Record<string, unknown>> {
  const { sql: text, params } = new PgDialect().sqlToQuery(query.getSQL());
  const literals = params.map((p) => `'${Array.isArray(p) ? `{${p.join(',')}}` : String(p)}'`);
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`prepare explained as ${text}`));
    await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
    const explained = await explainAnalyze(tx, sql.raw(`execute explained(${literals.join(', ')})`));
    await tx.execute(sql`deallocate explained`);
    return explained;
  });
}

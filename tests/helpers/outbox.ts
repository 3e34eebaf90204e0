import { sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { outbox } from '../../db/schema';

/** Outbox rows still pending, of one workspace or of all. */
export async function pendingRows(db: Db, workspaceId?: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(
      workspaceId
        ? sql`${outbox.workspaceId} = ${workspaceId} and ${outbox.status} = 'pending'`
        : sql`${outbox.status} = 'pending'`,
    );
  return row.n;
}

import { sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { outbox } from '../../../db/schema';
import { line, publishGraph } from '../../helpers/fixtures';

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

/** A journey `Signed Up` → exit, published in the workspace. */
export function publishSignUpJourney(db: Db, workspaceId: string) {
  return publishGraph(
    db,
    workspaceId,
    line('Welcome', [
      { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' } },
      { id: 'done', type: 'exit', config: {} },
    ]),
  );
}

import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { type AnalyticsModel, analyticsResults } from '../../db/schema';

export type AnalyticsResultRow = typeof analyticsResults.$inferSelect;

/** Keeps the latest computation of a model, replacing the one before. */
export async function saveResult(
  db: Db,
  workspaceId: string,
  model: AnalyticsModel,
  params: Record<string, unknown>,
  result: Record<string, unknown>,
  jobId: string | null = null,
): Promise<AnalyticsResultRow> {
  const computedAt = new Date();
  const [row] = await db
    .insert(analyticsResults)
    .values({ workspaceId, model, params, result, jobId, computedAt })
    .onConflictDoUpdate({
      target: [analyticsResults.workspaceId, analyticsResults.model],
      set: { params, result, jobId, computedAt },
    })
    .returning();
  return row;
}

export async function loadResult(
  db: Db,
  workspaceId: string,
  model: AnalyticsModel,
): Promise<AnalyticsResultRow | undefined> {
  const [row] = await db
    .select()
    .from(analyticsResults)
    .where(and(eq(analyticsResults.workspaceId, workspaceId), eq(analyticsResults.model, model)));
  return row;
}

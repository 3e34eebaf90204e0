import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { savedViews } from '../../../db/schema';
import { Conflict, NotFound } from '../../errors';
import { pgErrorCode } from '../ingest/tx';
import { contactFilterSchema, contactSortSchema } from './search';

/** What a saved view keeps: the table's filters, its sort and the attribute columns shown. */
export const viewQuerySchema = contactFilterSchema.extend({
  ...contactSortSchema.partial().shape,
  columns: z.array(z.string().min(1).max(100)).max(30).optional().describe('Attribute columns shown'),
});

export const savedViewInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  query: viewQuerySchema,
});

export type SavedViewInput = z.infer<typeof savedViewInputSchema>;
export type SavedViewRow = typeof savedViews.$inferSelect;

const exists = (name: string) => new Conflict('view_exists', `A view named ${name} already exists`, 'name');

export async function listSavedViews(db: Db, workspaceId: string): Promise<SavedViewRow[]> {
  return db
    .select()
    .from(savedViews)
    .where(eq(savedViews.workspaceId, workspaceId))
    .orderBy(asc(savedViews.name));
}

export async function createSavedView(
  db: Db,
  workspaceId: string,
  input: SavedViewInput,
): Promise<SavedViewRow> {
  const [row] = await db
    .insert(savedViews)
    .values({ workspaceId, name: input.name, query: input.query })
    .onConflictDoNothing()
    .returning();
  if (!row) throw exists(input.name);
  return row;
}

export async function updateSavedView(
  db: Db,
  workspaceId: string,
  id: string,
  input: SavedViewInput,
): Promise<SavedViewRow> {
  try {
    const [row] = await db
      .update(savedViews)
      .set({ name: input.name, query: input.query, updatedAt: new Date() })
      .where(and(eq(savedViews.workspaceId, workspaceId), eq(savedViews.id, id)))
      .returning();
    if (!row) throw new NotFound('View', id);
    return row;
  } catch (error) {
    if (pgErrorCode(error) === '23505') throw exists(input.name);
    throw error;
  }
}

export async function deleteSavedView(db: Db, workspaceId: string, id: string): Promise<void> {
  const deleted = await db
    .delete(savedViews)
    .where(and(eq(savedViews.workspaceId, workspaceId), eq(savedViews.id, id)))
    .returning({ id: savedViews.id });
  if (deleted.length === 0) throw new NotFound('View', id);
}

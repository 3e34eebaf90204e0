import { and, asc, count, eq, inArray, notInArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { dealStages, deals, pipelines } from '../../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../../errors';

export type PipelineRow = typeof pipelines.$inferSelect;
export type StageRow = typeof dealStages.$inferSelect;
export type PipelineView = PipelineRow & { stages: StageRow[] };

export const stageInputSchema = z.object({
  id: z.uuid().optional().describe('An existing stage to keep (renamed or moved); absent for a new one'),
  name: z.string().trim().min(1).max(100),
  winProbability: z.number().int().min(0).max(100).default(0).describe('0–100, weighs the forecast'),
  closedWon: z.boolean().default(false),
  closedLost: z.boolean().default(false),
});

export const pipelineInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  stages: z.array(stageInputSchema).min(1).max(50).describe('In board order, left to right'),
});

export type PipelineInput = z.infer<typeof pipelineInputSchema>;
export type StageInput = z.infer<typeof stageInputSchema>;

/** Rules zod cannot say on one field: unique names, and a stage is not both won and lost. */
function checkStages(stages: StageInput[]): void {
  const seen = new Set<string>();
  stages.forEach((stage, i) => {
    const key = stage.name.toLowerCase();
    if (seen.has(key))
      throw new InvalidInput('duplicate_stage', `Two stages are named ${stage.name}`, `stages.${i}.name`);
    seen.add(key);
    if (stage.closedWon && stage.closedLost)
      throw new InvalidInput(
        'stage_won_and_lost',
        'A stage is closed-won or closed-lost, not both',
        `stages.${i}.closedLost`,
      );
  });
}

export async function createPipeline(
  db: Db,
  workspaceId: string,
  input: PipelineInput,
): Promise<PipelineView> {
  checkStages(input.stages);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(pipelines)
      .values({ workspaceId, name: input.name })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new Conflict('pipeline_exists', `A pipeline named ${input.name} already exists`, 'name');
    const stages = await tx
      .insert(dealStages)
      .values(input.stages.map((stage, position) => stageValues(workspaceId, row.id, stage, position)))
      .returning();
    return { ...row, stages: stages.sort((a, b) => a.position - b.position) };
  });
}

function stageValues(workspaceId: string, pipelineId: string, stage: StageInput, position: number) {
  return {
    workspaceId,
    pipelineId,
    name: stage.name,
    position,
    winProbability: stage.closedWon ? 100 : stage.closedLost ? 0 : stage.winProbability,
    closedWon: stage.closedWon,
    closedLost: stage.closedLost,
  };
}

export async function listPipelines(db: Db, workspaceId: string): Promise<PipelineView[]> {
  const rows = await db
    .select()
    .from(pipelines)
    .where(eq(pipelines.workspaceId, workspaceId))
    .orderBy(asc(pipelines.createdAt), asc(pipelines.name));
  if (rows.length === 0) return [];
  const stages = await db
    .select()
    .from(dealStages)
    .where(eq(dealStages.workspaceId, workspaceId))
    .orderBy(asc(dealStages.position));
  return rows.map((row) => ({ ...row, stages: stages.filter((s) => s.pipelineId === row.id) }));
}

export async function getPipeline(db: Db, workspaceId: string, pipelineId: string): Promise<PipelineView> {
  const [row] = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.id, pipelineId)));
  if (!row) throw new NotFound('Pipeline', pipelineId);
  const stages = await db
    .select()
    .from(dealStages)
    .where(and(eq(dealStages.workspaceId, workspaceId), eq(dealStages.pipelineId, pipelineId)))
    .orderBy(asc(dealStages.position));
  return { ...row, stages };
}

/**
 * Renames a pipeline and replaces its stage list: stages with an `id` are kept (renamed,
 * re-ordered), new ones added, missing ones removed — refused while a deal is in one.
 */
export async function updatePipeline(
  db: Db,
  workspaceId: string,
  pipelineId: string,
  input: PipelineInput,
): Promise<PipelineView> {
  checkStages(input.stages);
  const current = await getPipeline(db, workspaceId, pipelineId);
  const known = new Set(current.stages.map((s) => s.id));
  input.stages.forEach((stage, i) => {
    if (stage.id && !known.has(stage.id))
      throw new InvalidInput(
        'stage_not_in_pipeline',
        `Stage ${stage.id} is not a stage of this pipeline`,
        `stages.${i}.id`,
      );
  });
  const keep = input.stages.flatMap((s) => (s.id ? [s.id] : []));
  await db.transaction(async (tx) => {
    const removed = current.stages.filter((s) => !keep.includes(s.id)).map((s) => s.id);
    if (removed.length > 0) {
      const [{ n }] = await tx
        .select({ n: count() })
        .from(deals)
        .where(and(eq(deals.workspaceId, workspaceId), inArray(deals.stageId, removed)));
      if (n > 0)
        throw new Conflict('stage_has_deals', `${n} deal(s) are in a stage this change removes`, 'stages');
    }
    const [renamed] = await tx
      .update(pipelines)
      .set({ name: input.name, updatedAt: new Date() })
      .where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.id, pipelineId)))
      .returning()
      .catch((error) => {
        throw uniqueViolation(error, input.name);
      });
    if (!renamed) throw new NotFound('Pipeline', pipelineId);
    const scope = and(eq(dealStages.workspaceId, workspaceId), eq(dealStages.pipelineId, pipelineId));
    await tx.delete(dealStages).where(keep.length ? and(scope, notInArray(dealStages.id, keep)) : scope);
    // Names are unique per pipeline: park kept stages under temporary names, then write the final ones.
    for (const id of keep) {
      await tx
        .update(dealStages)
        .set({ name: `~${id}` })
        .where(and(scope, eq(dealStages.id, id)));
    }
    for (const [position, stage] of input.stages.entries()) {
      const values = stageValues(workspaceId, pipelineId, stage, position);
      if (stage.id)
        await tx
          .update(dealStages)
          .set(values)
          .where(and(scope, eq(dealStages.id, stage.id)));
      else await tx.insert(dealStages).values(values);
    }
  });
  return getPipeline(db, workspaceId, pipelineId);
}

function uniqueViolation(error: unknown, name: string): unknown {
  for (let e: any = error; e; e = e.cause) {
    if (e.code === '23505')
      return new Conflict('pipeline_exists', `A pipeline named ${name} already exists`, 'name');
  }
  return error;
}

/** Deletes a pipeline with no deals; one that still has deals is refused. */
export async function deletePipeline(db: Db, workspaceId: string, pipelineId: string): Promise<void> {
  await getPipeline(db, workspaceId, pipelineId);
  await db.transaction(async (tx) => {
    const [{ n }] = await tx
      .select({ n: count() })
      .from(deals)
      .where(and(eq(deals.workspaceId, workspaceId), eq(deals.pipelineId, pipelineId)));
    if (n > 0) throw new Conflict('pipeline_has_deals', `The pipeline still has ${n} deal(s)`, 'id');
    await tx
      .delete(pipelines)
      .where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.id, pipelineId)));
  });
}

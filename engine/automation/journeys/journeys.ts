import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { journeys, journeyVersions } from '../../../db/schema';
import { Conflict, DomainError, NotFound } from '../../errors';
import type { NodeRegistry } from '../nodes/registry';
import { compileJourney, JourneyInvalid } from './compile';
import { type LintOptions, lintJourney } from './lint';
import { type JourneyGraph, journeyGraphSchema } from './model';
import type { Plan } from './plan';
import { toResult, type ValidationResult, validateJourney } from './validate';

export type JourneyRow = typeof journeys.$inferSelect;
export type JourneyVersionRow = typeof journeyVersions.$inferSelect;

export class JourneyNotPublishable extends DomainError {
  constructor(problems: JourneyInvalid['problems']) {
    super(
      'journey_invalid',
      `The journey has ${problems.length} problem(s) and cannot be published`,
      'unprocessable',
      undefined,
      {
        problems,
      },
    );
  }
}

export async function createJourney(db: Db, workspaceId: string, draft: unknown): Promise<JourneyRow> {
  const graph = journeyGraphSchema.parse(draft);
  const [row] = await db.insert(journeys).values({ workspaceId, name: graph.name, draft: graph }).returning();
  return row;
}

export async function getJourney(db: Db, workspaceId: string, journeyId: string): Promise<JourneyRow> {
  const [row] = await db
    .select()
    .from(journeys)
    .where(and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, journeyId)));
  if (!row) throw new NotFound('Journey', journeyId);
  return row;
}

export async function listJourneys(db: Db, workspaceId: string): Promise<JourneyRow[]> {
  return db
    .select()
    .from(journeys)
    .where(eq(journeys.workspaceId, workspaceId))
    .orderBy(desc(journeys.updatedAt));
}

/** Saves a draft; a live journey keeps running its active version until the draft is published. */
export async function saveDraft(
  db: Db,
  workspaceId: string,
  journeyId: string,
  draft: unknown,
): Promise<JourneyRow> {
  const current = await getJourney(db, workspaceId, journeyId);
  if (current.status === 'archived')
    throw new Conflict('journey_archived', 'An archived journey cannot be edited');
  const graph = journeyGraphSchema.parse(draft);
  const [row] = await db
    .update(journeys)
    .set({ draft: graph, name: graph.name, updatedAt: new Date() })
    .where(eq(journeys.id, journeyId))
    .returning();
  return row;
}

export async function deleteJourney(db: Db, workspaceId: string, journeyId: string): Promise<void> {
  const current = await getJourney(db, workspaceId, journeyId);
  if (current.activeVersion !== null) {
    throw new Conflict('journey_published', 'A published journey cannot be deleted; archive it instead');
  }
  await db.delete(journeys).where(eq(journeys.id, journeyId));
}

export function validateDraft(registry: NodeRegistry, draft: unknown) {
  return validateJourney(draft, registry);
}

/** Graph validation and the workspace lint together: what the builder's problems list shows and publishing obeys. */
export async function checkJourney(
  db: Db,
  registry: NodeRegistry,
  workspaceId: string,
  draft: unknown,
  journeyId?: string,
  lintOptions: Omit<LintOptions, 'journeyId'> = {},
): Promise<ValidationResult> {
  const graph = validateJourney(draft, registry);
  const lint = await lintJourney(db, workspaceId, draft, { ...lintOptions, journeyId });
  return toResult([
    ...graph.errors,
    ...lint.filter((p) => p.severity === 'error'),
    ...graph.warnings,
    ...lint.filter((p) => p.severity === 'warning'),
  ]);
}

/** What publishing does with the contacts already in a segment trigger's segment: enroll them, or not. */
export type Backfill = 'enroll' | 'skip';

/**
 * Compiles the draft into an immutable version N+1 and makes it the active one. Runs in flight
 * keep the plan they entered with.
 */
export async function publishJourney(
  db: Db,
  registry: NodeRegistry,
  workspaceId: string,
  journeyId: string,
  note?: string,
  backfill?: Backfill,
): Promise<JourneyVersionRow> {
  const journey = await getJourney(db, workspaceId, journeyId);
  if (journey.status === 'archived')
    throw new Conflict('journey_archived', 'An archived journey cannot be published');
  let compiled: { graph: JourneyGraph; plan: Plan };
  try {
    compiled = compileJourney(journey.draft, registry);
  } catch (error) {
    if (error instanceof JourneyInvalid) throw new JourneyNotPublishable(error.problems);
    throw error;
  }
  // The draft keeps the node versions it was published with, so a later publish never moves a
  // node to a newer version the marketer did not choose.
  const pinned: JourneyGraph = {
    ...compiled.graph,
    nodes: compiled.graph.nodes.map((node) => ({ ...node, version: compiled.plan.nodes[node.id].version })),
  };
  return db.transaction(async (tx) => {
    const [{ next }] = await tx
      .select({ next: sql<number>`coalesce(max(${journeyVersions.version}), 0) + 1` })
      .from(journeyVersions)
      .where(eq(journeyVersions.journeyId, journeyId));
    const [version] = await tx
      .insert(journeyVersions)
      .values({
        workspaceId,
        journeyId,
        version: Number(next),
        graph: pinned,
        plan: compiled.plan as unknown as Record<string, unknown>,
        contentHash: compiled.plan.contentHash,
        note,
        backfill,
      })
      .returning();
    await tx
      .update(journeys)
      .set({
        draft: pinned,
        activeVersion: version.version,
        status: journey.status === 'paused' ? 'paused' : 'active',
        updatedAt: new Date(),
      })
      .where(eq(journeys.id, journeyId));
    return version;
  });
}

export async function listVersions(
  db: Db,
  workspaceId: string,
  journeyId: string,
): Promise<JourneyVersionRow[]> {
  await getJourney(db, workspaceId, journeyId);
  return db
    .select()
    .from(journeyVersions)
    .where(eq(journeyVersions.journeyId, journeyId))
    .orderBy(desc(journeyVersions.version));
}

export async function getVersion(
  db: Db,
  workspaceId: string,
  journeyId: string,
  version: number,
): Promise<JourneyVersionRow> {
  const [row] = await db
    .select()
    .from(journeyVersions)
    .where(
      and(
        eq(journeyVersions.workspaceId, workspaceId),
        eq(journeyVersions.journeyId, journeyId),
        eq(journeyVersions.version, version),
      ),
    );
  if (!row) throw new NotFound('Journey version', `${journeyId}@${version}`);
  return row;
}

export async function setJourneyStatus(
  db: Db,
  workspaceId: string,
  journeyId: string,
  status: 'active' | 'paused' | 'archived',
): Promise<JourneyRow> {
  const journey = await getJourney(db, workspaceId, journeyId);
  if (journey.status === 'archived') throw new Conflict('journey_archived', 'The journey is archived');
  if (journey.activeVersion === null) {
    throw new Conflict('journey_unpublished', 'Publish the journey first', 'status');
  }
  const now = new Date();
  const pausedAt = status === 'paused' ? (journey.status === 'paused' ? journey.pausedAt : now) : null;
  const [row] = await db
    .update(journeys)
    .set({ status, pausedAt, updatedAt: now })
    .where(eq(journeys.id, journeyId))
    .returning();
  return row;
}

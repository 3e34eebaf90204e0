import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { journeys, journeyVersions } from '../../../db/schema';
import type { PropertyFilter } from '../../audience/conditions/filters';
import type { Plan, PlanNode } from '../journeys/plan';

export interface TriggerJourney {
  workspaceId: string;
  journeyId: string;
  version: number;
  plan: Plan;
  trigger: PlanNode;
  /** When a version with this trigger type was first published: date triggers never fire for earlier times. */
  since: Date;
}

/**
 * The one index of "active journeys whose trigger is X": each active journey's trigger node is
 * read from its active version's plan in SQL.
 */
const triggerNode = sql`(${journeyVersions.plan} -> 'nodes' -> (${journeyVersions.plan} ->> 'trigger'))`;
const triggerType = sql<string>`(${triggerNode} ->> 'type')`;

/** Active journeys whose active version starts with a trigger of this type. */
export async function journeysWithTrigger(
  db: Db,
  type: string,
  workspaceId?: string,
): Promise<TriggerJourney[]> {
  const rows = await db
    .select({
      workspaceId: journeys.workspaceId,
      journeyId: journeys.id,
      version: journeyVersions.version,
      plan: journeyVersions.plan,
      since: sql<string>`(select min(v.published_at) from journey_versions v where v.journey_id = ${journeys.id} and (v.plan -> 'nodes' -> (v.plan ->> 'trigger') ->> 'type') = ${type})`,
    })
    .from(journeys)
    .innerJoin(
      journeyVersions,
      and(eq(journeyVersions.journeyId, journeys.id), eq(journeyVersions.version, journeys.activeVersion)),
    )
    .where(
      and(
        eq(journeys.status, 'active'),
        eq(triggerType, type),
        workspaceId ? eq(journeys.workspaceId, workspaceId) : undefined,
      ),
    )
    .orderBy(asc(journeys.createdAt));
  return rows.map((row) => {
    const plan = row.plan as unknown as Plan;
    return {
      workspaceId: row.workspaceId,
      journeyId: row.journeyId,
      version: row.version,
      plan,
      trigger: plan.nodes[plan.trigger],
      since: new Date(row.since),
    };
  });
}

/** Active journeys triggered by entering this segment (`trigger.segment` on its id). */
export async function journeysTriggeredBySegment(
  db: Db,
  workspaceId: string,
  segmentId: string,
): Promise<TriggerJourney[]> {
  return (await journeysWithTrigger(db, 'trigger.segment', workspaceId)).filter(
    (journey) => journey.trigger.config.segmentId === segmentId,
  );
}

/** The active event-triggered journeys of these event names, with their property filters (for a batch). */
export async function eventTriggers(
  db: Db,
  workspaceId: string,
  names: string[],
): Promise<{ journeyId: string; event: string; where: PropertyFilter | null }[]> {
  if (names.length === 0) return [];
  return db
    .select({
      journeyId: journeys.id,
      event: sql<string>`${triggerNode}->'config'->>'event'`,
      where: sql<PropertyFilter | null>`${triggerNode}->'config'->'where'`,
    })
    .from(journeys)
    .innerJoin(
      journeyVersions,
      and(eq(journeyVersions.journeyId, journeys.id), eq(journeyVersions.version, journeys.activeVersion)),
    )
    .where(
      and(
        eq(journeys.workspaceId, workspaceId),
        eq(journeys.status, 'active'),
        eq(triggerType, 'trigger.event'),
        inArray(sql`${triggerNode}->'config'->>'event'`, names),
      ),
    );
}

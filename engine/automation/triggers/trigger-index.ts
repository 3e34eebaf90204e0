import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { journeys, journeyVersions } from '../../../db/schema';
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

const triggerType = sql<string>`(${journeyVersions.plan} -> 'nodes' -> (${journeyVersions.plan} ->> 'trigger') ->> 'type')`;

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

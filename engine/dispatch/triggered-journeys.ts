import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { journeys, journeyVersions } from '../../db/schema';
import { matchesFilter, type PropertyFilter } from '../audience/conditions/filters';

/**
 * Active journeys whose trigger is `trigger.event` on this event name and whose property filter
 * matches. The trigger node is read from the active version's plan in SQL, so only journeys
 * waiting for this name come back.
 */
export async function journeysTriggeredBy(
  db: Db,
  workspaceId: string,
  name: string,
  properties: Record<string, unknown>,
): Promise<string[]> {
  const trigger = sql`${journeyVersions.plan}->'nodes'->(${journeyVersions.plan}->>'trigger')`;
  const rows = await db
    .select({
      journeyId: journeys.id,
      where: sql<PropertyFilter | null>`${trigger}->'config'->'where'`,
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
        sql`${trigger}->>'type' = 'trigger.event'`,
        sql`${trigger}->'config'->>'event' = ${name}`,
      ),
    );
  return rows.filter((row) => matchesFilter(properties, row.where ?? undefined)).map((row) => row.journeyId);
}

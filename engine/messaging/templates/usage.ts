import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { journeys, journeyVersions } from '../../../db/schema';

export interface TemplateUser {
  id: string;
  name: string;
  status: string;
}

/**
 * The active and paused journeys whose running version sends the template (a node whose
 * config names it). Their runs render it by name at send time, so it must not disappear.
 */
export async function journeysUsingTemplate(
  db: Db,
  workspaceId: string,
  name: string,
): Promise<TemplateUser[]> {
  return db
    .select({ id: journeys.id, name: journeys.name, status: journeys.status })
    .from(journeys)
    .innerJoin(
      journeyVersions,
      and(eq(journeyVersions.journeyId, journeys.id), eq(journeyVersions.version, journeys.activeVersion)),
    )
    .where(
      and(
        eq(journeys.workspaceId, workspaceId),
        inArray(journeys.status, ['active', 'paused']),
        sql`exists (select 1 from jsonb_each(coalesce(${journeyVersions.plan} -> 'nodes', '{}'::jsonb)) as node
                    where node.value -> 'config' ->> 'template' = ${name})`,
      ),
    )
    .orderBy(journeys.name);
}

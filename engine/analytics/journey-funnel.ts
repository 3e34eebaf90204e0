import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db';
import { nodeVisits } from '../../db/schema';

export const journeyFunnelInputSchema = z.object({
  journeyId: z.uuid(),
  nodeIds: z
    .array(z.string().min(1))
    .min(2)
    .max(20)
    .describe('Nodes of the journey, in the order of the funnel'),
  version: z.number().int().positive().optional().describe('One version; all versions when absent'),
});
export type JourneyFunnelInput = z.input<typeof journeyFunnelInputSchema>;

/**
 * A journey's own funnel from its node visits: per node, the runs that reached it having
 * reached every node before it in the list (a run counts once however often it loops), the
 * conversion from the node before and the median time from it.
 */
export async function journeyFunnel(db: Db, workspaceId: string, input: JourneyFunnelInput) {
  const { journeyId, nodeIds, version } = journeyFunnelInputSchema.parse(input);
  const versionFilter = version === undefined ? sql`` : sql`and ${nodeVisits.version} = ${version}`;
  const rows = await queryRows<{ step: number; runs: number; median_seconds: number | null }>(
    db,
    sql`with steps as (
        select value as node, ordinality::int as step
        from jsonb_array_elements_text(${JSON.stringify(nodeIds)}::jsonb) with ordinality
      ), firsts as (
        select ${nodeVisits.workflowId} as run, ${nodeVisits.nodeId} as node, min(${nodeVisits.enteredAt}) as at
        from ${nodeVisits}
        where ${nodeVisits.workspaceId} = ${workspaceId} and ${nodeVisits.journeyId} = ${journeyId} ${versionFilter}
          and ${nodeVisits.nodeId} in (select node from steps)
        group by 1, 2
      ),
      reached as (
        select f.run, s.step, f.at from firsts f join steps s on s.node = f.node
      ), chained as (
        select r.run, r.step, r.at, lag(r.at) over (partition by r.run order by r.step) as before,
               count(*) over (partition by r.run order by r.step) as seen
        from reached r
      )
      select step, count(*)::int as runs,
             (percentile_cont(0.5) within group (order by extract(epoch from (at - before))))::double precision as median_seconds
      from chained where seen = step
      group by step order by step`,
  );
  const counts = nodeIds.map((_, i) => rows.find((r) => Number(r.step) === i + 1));
  return nodeIds.map((nodeId, i) => {
    const runs = Number(counts[i]?.runs ?? 0);
    const previous = i === 0 ? runs : Number(counts[i - 1]?.runs ?? 0);
    const first = Number(counts[0]?.runs ?? 0);
    return {
      nodeId,
      runs,
      conversion: previous ? runs / previous : 0,
      overallConversion: first ? runs / first : 0,
      dropOff: previous - runs,
      medianSeconds: i === 0 || counts[i]?.median_seconds == null ? null : Number(counts[i]?.median_seconds),
    };
  });
}

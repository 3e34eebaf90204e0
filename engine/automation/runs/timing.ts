import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { nodeVisits } from '../../../db/schema';
import { getJourney, getVersion } from '../journeys/journeys';
import { SEND_NODE_CHANNELS } from '../nodes/send-channels';

export interface NodeTiming {
  nodeId: string;
  /** Visits that left the node (the ones timed). */
  visits: number;
  medianMs: number;
  p95Ms: number;
  /** For sends: how long after it was due (entered) the message went out, with deferred sends apart. */
  send?: {
    onTime: { visits: number; medianMs: number; p95Ms: number };
    /** Held back by quiet hours or a frequency cap before going out. */
    deferred: { visits: number; medianMs: number; p95Ms: number };
    /** The deferred sends by what held them back first (the policy's reason where the send was deferred). */
    deferredBy: {
      quietHours: { visits: number; medianMs: number; p95Ms: number };
      frequencyCap: { visits: number; medianMs: number; p95Ms: number };
      /** A channel rate limit, or a visit recorded before reasons were kept. */
      other: { visits: number; medianMs: number; p95Ms: number };
    };
  };
}

export interface JourneyTiming {
  version: number | null;
  nodes: NodeTiming[];
}

const ms = (value: unknown) => Math.round(Number(value ?? 0));

/**
 * Where time goes, per node of a version: median and 95th percentile of the time runs spent in
 * it (entered → left), and for sends the drift between due and sent, deferred sends apart.
 */
export async function journeyTiming(
  db: Db,
  workspaceId: string,
  journeyId: string,
  version?: number,
): Promise<JourneyTiming> {
  const journey = await getJourney(db, workspaceId, journeyId);
  const v = version ?? journey.activeVersion;
  if (v === null || v === undefined) return { version: null, nodes: [] };
  const spent = sql<number>`extract(epoch from (${nodeVisits.leftAt} - ${nodeVisits.enteredAt})) * 1000`;
  const deferred = sql<boolean>`coalesce(${nodeVisits.outcome} ? 'deferredUntil', false)`;
  // The first deferral's reason, as the send policy gave it (journey-level rules end the same way).
  const firstReason = sql`${nodeVisits.outcome} -> 'deferredFor' ->> 0`;
  const deferralKind = sql<string>`case when not ${deferred} then 'on-time'
    when ${firstReason} like '%quiet-hours%' then 'quietHours'
    when ${firstReason} like '%frequency-cap%' then 'frequencyCap' else 'other' end`;
  const scope = and(
    eq(nodeVisits.workspaceId, workspaceId),
    eq(nodeVisits.journeyId, journeyId),
    eq(nodeVisits.version, v),
    isNotNull(nodeVisits.leftAt),
    sql`${nodeVisits.port} is distinct from 'migrated'`,
  );
  const kindRows = await db
    .select({
      nodeId: nodeVisits.nodeId,
      kind: deferralKind,
      visits: sql<number>`count(*)`,
      median: sql<number>`percentile_cont(0.5) within group (order by ${spent})`,
      p95: sql<number>`percentile_cont(0.95) within group (order by ${spent})`,
    })
    .from(nodeVisits)
    .where(scope)
    .groupBy(nodeVisits.nodeId, deferralKind);
  const rows = await db
    .select({
      nodeId: nodeVisits.nodeId,
      deferred,
      visits: sql<number>`count(*)`,
      median: sql<number>`percentile_cont(0.5) within group (order by ${spent})`,
      p95: sql<number>`percentile_cont(0.95) within group (order by ${spent})`,
    })
    .from(nodeVisits)
    .where(
      and(
        eq(nodeVisits.workspaceId, workspaceId),
        eq(nodeVisits.journeyId, journeyId),
        eq(nodeVisits.version, v),
        isNotNull(nodeVisits.leftAt),
        sql`${nodeVisits.port} is distinct from 'migrated'`,
      ),
    )
    .groupBy(nodeVisits.nodeId, deferred);
  const allRows = await db
    .select({
      nodeId: nodeVisits.nodeId,
      visits: sql<number>`count(*)`,
      median: sql<number>`percentile_cont(0.5) within group (order by ${spent})`,
      p95: sql<number>`percentile_cont(0.95) within group (order by ${spent})`,
    })
    .from(nodeVisits)
    .where(
      and(
        eq(nodeVisits.workspaceId, workspaceId),
        eq(nodeVisits.journeyId, journeyId),
        eq(nodeVisits.version, v),
        isNotNull(nodeVisits.leftAt),
        sql`${nodeVisits.port} is distinct from 'migrated'`,
      ),
    )
    .groupBy(nodeVisits.nodeId);
  const types = new Map<string, string>();
  const graph = (await getVersion(db, workspaceId, journeyId, v)).graph as {
    nodes?: { id: string; type: string }[];
  };
  for (const node of graph.nodes ?? []) types.set(node.id, node.type);
  const nodes = allRows
    .map((row): NodeTiming => {
      const timing: NodeTiming = {
        nodeId: row.nodeId,
        visits: Number(row.visits),
        medianMs: ms(row.median),
        p95Ms: ms(row.p95),
      };
      if (SEND_NODE_CHANNELS[types.get(row.nodeId) ?? '']) {
        const part = (isDeferred: boolean) => {
          const found = rows.find((r) => r.nodeId === row.nodeId && Boolean(r.deferred) === isDeferred);
          return found
            ? { visits: Number(found.visits), medianMs: ms(found.median), p95Ms: ms(found.p95) }
            : { visits: 0, medianMs: 0, p95Ms: 0 };
        };
        const byKind = (kind: string) => {
          const found = kindRows.find((r) => r.nodeId === row.nodeId && r.kind === kind);
          return found
            ? { visits: Number(found.visits), medianMs: ms(found.median), p95Ms: ms(found.p95) }
            : { visits: 0, medianMs: 0, p95Ms: 0 };
        };
        timing.send = {
          onTime: part(false),
          deferred: part(true),
          deferredBy: {
            quietHours: byKind('quietHours'),
            frequencyCap: byKind('frequencyCap'),
            other: byKind('other'),
          },
        };
      }
      return timing;
    })
    .sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  return { version: v, nodes };
}

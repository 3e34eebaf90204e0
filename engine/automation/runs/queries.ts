import {
  and,
  count,
  countDistinct,
  desc,
  eq,
  inArray,
  isNotNull,
  isNull,
  notInArray,
  or,
  sql,
} from 'drizzle-orm';
import type { Db } from '../../../db';
import { contacts, events, journeyRuns, messages, nodeVisits } from '../../../db/schema';
import { type MessageStats, messageStatsByNode } from '../../messaging/messages/node-stats';

export type RunRow = typeof journeyRuns.$inferSelect;

export interface PathStep {
  nodeId: string;
  visit: number;
  port: string | null;
  enteredAt: Date;
  leftAt: Date | null;
  outcome: Record<string, unknown> | null;
  /** The message a send node sent at this visit, with its status now (delivered, opened, bounced...). */
  message?: SentMessage;
}

export interface SentMessage {
  id: string;
  channel: string;
  status: string;
  reason: string | null;
}

export interface RunWithPath extends RunRow {
  path: PathStep[];
}

async function withPaths(db: Db, runs: RunRow[]): Promise<RunWithPath[]> {
  if (runs.length === 0) return [];
  const visits = await db
    .select()
    .from(nodeVisits)
    .where(
      inArray(
        nodeVisits.workflowId,
        runs.map((r) => r.workflowId),
      ),
    )
    .orderBy(nodeVisits.enteredAt, nodeVisits.id);
  // A send's message carries the visit's idempotency key (`<workflow>:<node>:<visit>`).
  const sent = await db
    .select({
      key: messages.idempotencyKey,
      id: messages.id,
      channel: messages.channel,
      status: messages.status,
      reason: messages.reason,
    })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, runs[0].workspaceId),
        inArray(
          messages.workflowId,
          runs.map((r) => r.workflowId),
        ),
      ),
    );
  const messageOf = new Map(sent.map(({ key, ...message }) => [key, message]));
  const byRun = new Map<string, PathStep[]>();
  for (const v of visits) {
    const steps = byRun.get(v.workflowId) ?? [];
    const message = messageOf.get(`${v.workflowId}:${v.nodeId}:${v.visit}`);
    steps.push({
      nodeId: v.nodeId,
      visit: v.visit,
      port: v.port,
      enteredAt: v.enteredAt,
      leftAt: v.leftAt,
      outcome: v.outcome,
      ...(message ? { message } : {}),
    });
    byRun.set(v.workflowId, steps);
  }
  return runs.map((run) => ({ ...run, path: byRun.get(run.workflowId) ?? [] }));
}

export async function runsOfJourney(
  db: Db,
  workspaceId: string,
  journeyId: string,
  options: { status?: RunRow['status']; limit?: number; entryKey?: string } = {},
): Promise<RunWithPath[]> {
  const filters = [eq(journeyRuns.workspaceId, workspaceId), eq(journeyRuns.journeyId, journeyId)];
  if (options.status) filters.push(eq(journeyRuns.status, options.status));
  if (options.entryKey !== undefined) filters.push(eq(journeyRuns.entryKey, options.entryKey));
  const runs = await db
    .select()
    .from(journeyRuns)
    .where(and(...filters))
    .orderBy(desc(journeyRuns.startedAt))
    .limit(options.limit ?? 100);
  return withPaths(db, runs);
}

export async function runsOfContact(db: Db, workspaceId: string, contactId: string): Promise<RunWithPath[]> {
  const runs = await db
    .select()
    .from(journeyRuns)
    .where(and(eq(journeyRuns.workspaceId, workspaceId), eq(journeyRuns.contactId, contactId)))
    .orderBy(desc(journeyRuns.startedAt))
    .limit(200);
  return withPaths(db, runs);
}

export interface NodeCounts {
  entered: number;
  waiting: number;
  ports: Record<string, number>;
  /** A send node's messages: delivered, opened, clicked, unsubscribed, bounced, converted. */
  messages?: MessageStats;
}

export interface JourneyCounts {
  version: number | null;
  /** The entry key the counts are narrowed to, or null for all runs. */
  entryKey: string | null;
  /** Distinct entry keys among the counted runs (0 when the trigger names no key). */
  keys: number;
  entered: number;
  running: number;
  converted: number;
  conversionRate: number;
  nodes: Record<string, NodeCounts>;
}

/**
 * Per-node counts: "entered" counts runs that reached a node, each port the runs that left by
 * it, "waiting" those there now; conversion divides by the runs that entered the journey.
 */
export async function journeyCounts(
  db: Db,
  workspaceId: string,
  journeyId: string,
  version?: number,
  entryKey?: string,
): Promise<JourneyCounts> {
  // Test contacts run journeys normally but are left out of every count.
  const testRuns = db
    .select({ workflowId: journeyRuns.workflowId })
    .from(journeyRuns)
    .leftJoin(contacts, eq(contacts.id, journeyRuns.contactId))
    .leftJoin(events, sql`${events.id}::text = ${journeyRuns.triggerEventId}`)
    .where(
      and(
        eq(journeyRuns.journeyId, journeyId),
        or(eq(contacts.isTest, true), sql`(${events.context} ->> 'test') = 'true'`),
      ),
    );
  const runFilters = [
    eq(journeyRuns.workspaceId, workspaceId),
    eq(journeyRuns.journeyId, journeyId),
    notInArray(journeyRuns.workflowId, testRuns),
  ];
  const visitFilters = [
    eq(nodeVisits.workspaceId, workspaceId),
    eq(nodeVisits.journeyId, journeyId),
    notInArray(nodeVisits.workflowId, testRuns),
  ];
  if (version !== undefined) {
    runFilters.push(eq(journeyRuns.version, version));
    visitFilters.push(eq(nodeVisits.version, version));
  }
  if (entryKey !== undefined) {
    runFilters.push(eq(journeyRuns.entryKey, entryKey));
    visitFilters.push(
      inArray(
        nodeVisits.workflowId,
        db
          .select({ workflowId: journeyRuns.workflowId })
          .from(journeyRuns)
          .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.entryKey, entryKey))),
      ),
    );
  }
  const [{ keys }] = await db
    .select({ keys: countDistinct(sql`nullif(${journeyRuns.entryKey}, '')`) })
    .from(journeyRuns)
    .where(and(...runFilters));
  const statusRows = await db
    .select({ status: journeyRuns.status, n: count() })
    .from(journeyRuns)
    .where(and(...runFilters))
    .groupBy(journeyRuns.status);
  const byStatus = Object.fromEntries(statusRows.map((r) => [r.status, Number(r.n)]));
  const entered = statusRows.reduce((sum, r) => sum + Number(r.n), 0);

  // Runs, not visits: a run that loops through a node counts once there.
  const enteredRows = await db
    .select({ nodeId: nodeVisits.nodeId, n: countDistinct(nodeVisits.workflowId) })
    .from(nodeVisits)
    .where(and(...visitFilters))
    .groupBy(nodeVisits.nodeId);
  const portRows = await db
    .select({ nodeId: nodeVisits.nodeId, port: nodeVisits.port, n: countDistinct(nodeVisits.workflowId) })
    .from(nodeVisits)
    .where(and(...visitFilters, isNotNull(nodeVisits.port)))
    .groupBy(nodeVisits.nodeId, nodeVisits.port);
  const waitingRows = await db
    .select({ nodeId: nodeVisits.nodeId, n: countDistinct(nodeVisits.workflowId) })
    .from(nodeVisits)
    .innerJoin(journeyRuns, eq(journeyRuns.workflowId, nodeVisits.workflowId))
    .where(and(...visitFilters, isNull(nodeVisits.leftAt), eq(journeyRuns.status, 'running')))
    .groupBy(nodeVisits.nodeId);

  const nodes: Record<string, NodeCounts> = {};
  const node = (id: string) => {
    nodes[id] ??= { entered: 0, waiting: 0, ports: {} };
    return nodes[id];
  };
  for (const row of enteredRows) node(row.nodeId).entered = Number(row.n);
  for (const row of portRows) node(row.nodeId).ports[row.port!] = Number(row.n);
  for (const row of waitingRows) node(row.nodeId).waiting = Number(row.n);
  // Message statistics are kept per journey and node, not per key.
  const stats = entryKey === undefined ? await messageStatsByNode(db, workspaceId, journeyId, version) : {};
  for (const [nodeId, messageStats] of Object.entries(stats)) node(nodeId).messages = messageStats;
  const converted = byStatus.converted ?? 0;
  return {
    version: version ?? null,
    entryKey: entryKey ?? null,
    keys: Number(keys),
    entered,
    running: byStatus.running ?? 0,
    converted,
    conversionRate: entered === 0 ? 0 : converted / entered,
    nodes,
  };
}

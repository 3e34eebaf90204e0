import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { getJourney, saveDraft } from '../automation/journeys/journeys';
import type { JourneyGraphInput } from '../automation/journeys/model';
import type { MigrationRow } from '../automation/runs/migration';
import { CLICK_EVENT, messageEventSql, OPEN_EVENT } from '../campaigns/engagement';
import { twoProportionZTest } from '../campaigns/significance';
import { InvalidInput, NotFound } from '../errors';
import { type LifecycleDeps, migrateJourneyRuns, publishJourney } from './journey-lifecycle';

export type SplitMetric = 'open' | 'click' | 'conversion';

export interface SplitBranchResult {
  /** The split's port. */
  branch: string;
  weight: number | null;
  /** Runs that left the split by this branch. */
  runs: number;
  /** Of those, runs sent at least one message after the split (the base of open and click rates). */
  sent: number;
  opened: number;
  clicked: number;
  /** Runs that reached the journey's goal (the base of the conversion rate is `runs`). */
  converted: number;
  openRate: number;
  clickRate: number;
  conversionRate: number;
}

export interface SplitReport {
  journeyId: string;
  nodeId: string;
  metric: SplitMetric;
  branches: SplitBranchResult[];
  /** The branch with the best rate on `metric`; null when no run went through the split. */
  winner: string | null;
  /** The winner against the runner-up: two-proportion z-test, two-sided, significant below p = 0.05. */
  significance: { z: number; pValue: number; significant: boolean; runnerUp: string } | null;
}

type SplitNode = { id: string; type: string; config?: { branches?: { port: string; weight: number }[] } };

function splitOf(graph: JourneyGraphInput, nodeId: string): SplitNode {
  const node = (graph.nodes as SplitNode[]).find((n) => n.id === nodeId);
  if (!node) throw new NotFound('Split node', nodeId);
  if (node.type !== 'split.random') {
    throw new InvalidInput('not_a_split', `Node "${nodeId}" is not a random split`, 'nodeId');
  }
  return node;
}

/**
 * The A/B report of a journey's random split: per branch, the runs that took it, how many were
 * sent a message after the split and opened or clicked one, and how many reached the goal, with
 * the winner on the chosen metric and its significance against the runner-up (every version of
 * the journey counts: a node id names the same split across versions).
 */
export async function splitReport(
  db: Db,
  workspaceId: string,
  journeyId: string,
  nodeId: string,
  metric: SplitMetric = 'conversion',
): Promise<SplitReport> {
  const journey = await getJourney(db, workspaceId, journeyId);
  const node = splitOf(journey.draft as JourneyGraphInput, nodeId);
  const engaged = (names: string[]) => messageEventSql(workspaceId, names);
  const rows = await queryRows<{
    branch: string;
    runs: number;
    sent: number;
    opened: number;
    clicked: number;
    converted: number;
  }>(
    db,
    sql`with split as (
          select v.workflow_id, v.port as branch, min(v.left_at) as at
          from node_visits v
          where v.workspace_id = ${workspaceId} and v.journey_id = ${journeyId} and v.node_id = ${nodeId}
            and v.left_at is not null and v.port is not null and v.port <> 'migrated'
          group by v.workflow_id, v.port
        ), after as (
          select s.workflow_id, s.branch,
            count(m.id) filter (where m.status in ('sent', 'delivered', 'opened', 'clicked', 'bounced')) as sent,
            count(m.id) filter (where ${engaged([OPEN_EVENT, CLICK_EVENT])}) as opened,
            count(m.id) filter (where ${engaged([CLICK_EVENT])}) as clicked
          from split s
          left join messages m on m.workspace_id = ${workspaceId} and m.journey_id = ${journeyId}
            and m.workflow_id = s.workflow_id and m.created_at >= s.at
          group by s.workflow_id, s.branch
        )
        select a.branch, count(*)::int as runs,
          count(*) filter (where a.sent > 0)::int as sent,
          count(*) filter (where a.opened > 0)::int as opened,
          count(*) filter (where a.clicked > 0)::int as clicked,
          count(*) filter (where r.status = 'converted')::int as converted
        from after a join journey_runs r on r.workflow_id = a.workflow_id
        group by a.branch`,
  );
  const weights = new Map((node.config?.branches ?? []).map((b) => [b.port, b.weight]));
  const names = [...weights.keys(), ...rows.map((r) => r.branch).filter((b) => !weights.has(b))];
  const branches = names.map((branch): SplitBranchResult => {
    const row = rows.find((r) => r.branch === branch);
    const n = (v: unknown) => Number(v ?? 0);
    const [runs, sent, opened, clicked, converted] = [
      row?.runs,
      row?.sent,
      row?.opened,
      row?.clicked,
      row?.converted,
    ].map(n);
    return {
      branch,
      weight: weights.get(branch) ?? null,
      runs,
      sent,
      opened,
      clicked,
      converted,
      openRate: sent === 0 ? 0 : opened / sent,
      clickRate: sent === 0 ? 0 : clicked / sent,
      conversionRate: runs === 0 ? 0 : converted / runs,
    };
  });
  return { journeyId, nodeId, metric, branches, ...winnerOf(branches, metric) };
}

/** The best rate wins (ties go to the earlier branch); significance compares it with the runner-up. */
function winnerOf(
  branches: SplitBranchResult[],
  metric: SplitMetric,
): Pick<SplitReport, 'winner' | 'significance'> {
  const measure = (b: SplitBranchResult) =>
    metric === 'open'
      ? { hits: b.opened, base: b.sent, rate: b.openRate }
      : metric === 'click'
        ? { hits: b.clicked, base: b.sent, rate: b.clickRate }
        : { hits: b.converted, base: b.runs, rate: b.conversionRate };
  const ranked = branches
    .filter((b) => measure(b).base > 0)
    .sort((a, b) => measure(b).rate - measure(a).rate);
  if (ranked.length === 0) return { winner: null, significance: null };
  const [best, second] = ranked;
  if (!second) return { winner: best.branch, significance: null };
  const test = twoProportionZTest(
    measure(best).hits,
    measure(best).base,
    measure(second).hits,
    measure(second).base,
  );
  return {
    winner: best.branch,
    significance: test ? { ...test, significant: test.pValue < 0.05, runnerUp: second.branch } : null,
  };
}

/**
 * The draft with the split resolved to one branch: what pointed at the split points at the
 * branch's first node, and the split and the nodes only the other branches reached are gone.
 */
export function promotedGraph(graph: JourneyGraphInput, nodeId: string, branch: string): JourneyGraphInput {
  const node = splitOf(graph, nodeId);
  if (!(node.config?.branches ?? []).some((b) => b.port === branch)) {
    throw new InvalidInput('unknown_branch', `The split has no branch "${branch}"`, 'branch');
  }
  const edges = graph.edges ?? [];
  const winnerTarget = edges.find(
    (e) => e.source === nodeId && (e.sourceHandle ?? 'next') === branch,
  )?.target;
  const rewired = edges
    .filter((e) => e.source !== nodeId)
    .flatMap((e) => (e.target !== nodeId ? [e] : winnerTarget ? [{ ...e, target: winnerTarget }] : []));
  const nodes = graph.nodes.filter((n) => n.id !== nodeId);
  // Keep what the trigger still reaches.
  const trigger = nodes.find((n) => n.type.startsWith('trigger.'));
  const reached = new Set<string>();
  const queue = trigger ? [trigger.id] : [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const e of rewired) if (e.source === id) queue.push(e.target);
  }
  return {
    ...graph,
    nodes: nodes.filter((n) => reached.has(n.id)),
    edges: rewired.filter((e) => reached.has(e.source) && reached.has(e.target)),
  };
}

export interface PromoteResult {
  version: number;
  branch: string;
  /** The migration of waiting runs, when asked for. */
  migration: MigrationRow | null;
}

/**
 * "Promote the winner": the draft's split is resolved to `branch` and published as a new
 * version, so everyone entering from now on takes it; with `migrate`, runs waiting on earlier
 * versions move too (same node ids; runs inside a removed branch finish on their version).
 */
export async function promoteSplitBranch(
  deps: LifecycleDeps,
  workspaceId: string,
  journeyId: string,
  nodeId: string,
  branch: string,
  options: { migrate?: boolean; createdBy?: string | null } = {},
): Promise<PromoteResult> {
  const journey = await getJourney(deps.db, workspaceId, journeyId);
  const graph = promotedGraph(journey.draft as JourneyGraphInput, nodeId, branch);
  await saveDraft(deps.db, workspaceId, journeyId, graph);
  const published = await publishJourney(
    deps,
    workspaceId,
    journeyId,
    `Split "${nodeId}": everyone takes branch "${branch}"`,
  );
  let migration: MigrationRow | null = null;
  if (options.migrate) {
    ({ migration } = await migrateJourneyRuns(
      deps,
      workspaceId,
      journeyId,
      { toVersion: published.version },
      options.createdBy ?? null,
    ));
  }
  return { version: published.version, branch, migration };
}

import type { Client } from '@temporalio/client';
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { journeyMigrations, journeyRunMigrations, journeyRuns, nodeVisits } from '../../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../../errors';
import { type Duration, durationMs } from '../../time/duration';
import { getJourney, getVersion } from '../journeys/journeys';
import type { Plan } from '../journeys/plan';
import { SEND_NODE_CHANNELS } from '../nodes/send-channels';
import { migrateSignal } from './signals';
import type { MigrateRun } from './types';

export type MigrationRow = typeof journeyMigrations.$inferSelect;

export interface MigrationRequest {
  /** The version runs move to; the active version when absent. */
  toVersion?: number;
  /** Old node id → node of the new version (null: finish on the old version). Same ids map to themselves unless set here. */
  mapping?: Record<string, string | null>;
  /** Every run finishes on its old version: nothing moves. */
  keepAll?: boolean;
  pastTimers?: 'fire' | 'restart';
}

export interface MigrationGroup {
  fromVersion: number;
  /** Where the runs wait (null: between nodes, e.g. starting; the mapping applies where they stop). */
  fromNode: string | null;
  fromType: string | null;
  toNode: string | null;
  /** same-node: the id exists in the new version; mapped: set by the marketer; unmapped: removed and not mapped (they stay); kept: told to stay. */
  how: 'same-node' | 'mapped' | 'unmapped' | 'kept';
  runs: number;
  /** Sends of the new version on every path to `toNode` that these runs never passed: they would never get them. */
  skipsSends: { nodeId: string; runs: number }[];
  /** Sends after `toNode` these runs already received once (same node id): they would get them again. */
  repeatsSends: { nodeId: string; runs: number }[];
  /** Runs whose wait at `toNode`, measured from when they entered it, is already over. */
  pastTimers: number;
  /** Runs in the middle of an action: they finish it first, then move. */
  inAction: number;
}

export interface MigrationPreview {
  journeyId: string;
  toVersion: number;
  pastTimers: 'fire' | 'restart';
  /** Running runs of earlier versions. */
  total: number;
  moving: number;
  staying: number;
  groups: MigrationGroup[];
  /** Nodes of earlier versions with runs that the new version lacks and no mapping covers. */
  unmappedNodes: string[];
}

interface RunPosition {
  workflowId: string;
  version: number;
  nodeId: string | null;
  enteredAt: Date | null;
  visited: Set<string>;
}

/** Running runs of versions before `toVersion`, each with the node it is at (its open visit). */
async function runsToMigrate(
  db: Db,
  journeyId: string,
  toVersion: number,
  page?: { after: string | null; limit: number },
): Promise<RunPosition[]> {
  const query = db
    .select({ workflowId: journeyRuns.workflowId, version: journeyRuns.version })
    .from(journeyRuns)
    .where(
      and(
        eq(journeyRuns.journeyId, journeyId),
        eq(journeyRuns.status, 'running'),
        lt(journeyRuns.version, toVersion),
        page?.after ? gt(journeyRuns.workflowId, page.after) : undefined,
      ),
    )
    .orderBy(asc(journeyRuns.workflowId));
  const runs = page ? await query.limit(page.limit) : await query;
  const positions = new Map<string, RunPosition>(
    runs.map((r) => [r.workflowId, { ...r, nodeId: null, enteredAt: null, visited: new Set() }]),
  );
  const ids = [...positions.keys()];
  for (let i = 0; i < ids.length; i += 1000) {
    const visits = await db
      .select({
        workflowId: nodeVisits.workflowId,
        nodeId: nodeVisits.nodeId,
        enteredAt: nodeVisits.enteredAt,
        leftAt: nodeVisits.leftAt,
      })
      .from(nodeVisits)
      .where(inArray(nodeVisits.workflowId, ids.slice(i, i + 1000)))
      .orderBy(asc(nodeVisits.enteredAt), asc(nodeVisits.id));
    for (const visit of visits) {
      const run = positions.get(visit.workflowId)!;
      run.visited.add(visit.nodeId);
      if (visit.leftAt === null) {
        run.nodeId = visit.nodeId;
        run.enteredAt = visit.enteredAt;
      } else if (run.nodeId === visit.nodeId) {
        run.nodeId = null;
        run.enteredAt = null;
      }
    }
  }
  return [...positions.values()];
}

/** Where each node id of earlier versions continues in the new plan. */
function resolveMapping(
  plan: Plan,
  request: MigrationRequest,
  oldNodes: Iterable<string>,
): Map<string, { toNode: string | null; how: MigrationGroup['how'] }> {
  const resolved = new Map<string, { toNode: string | null; how: MigrationGroup['how'] }>();
  for (const [from, to] of Object.entries(request.mapping ?? {})) {
    if (to !== null && !plan.nodes[to]) {
      throw new InvalidInput(
        'mapping_target_unknown',
        `Node "${to}" is not in the new version`,
        `mapping.${from}`,
      );
    }
    if (to !== null && plan.nodes[to].kind === 'trigger') {
      throw new InvalidInput(
        'mapping_target_trigger',
        'Runs cannot move onto the trigger',
        `mapping.${from}`,
      );
    }
  }
  for (const node of oldNodes) {
    if (request.keepAll) resolved.set(node, { toNode: null, how: 'kept' });
    else if (request.mapping && node in request.mapping) {
      const to = request.mapping[node];
      resolved.set(node, to === null ? { toNode: null, how: 'kept' } : { toNode: to, how: 'mapped' });
    } else if (plan.nodes[node] && plan.nodes[node].kind !== 'trigger') {
      resolved.set(node, { toNode: node, how: 'same-node' });
    } else resolved.set(node, { toNode: null, how: 'unmapped' });
  }
  return resolved;
}

function reachable(plan: Plan, from: string, avoid?: string): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id) || id === avoid) continue;
    seen.add(id);
    for (const next of Object.values(plan.nodes[id]?.next ?? {})) if (next) queue.push(next);
  }
  return seen;
}

/** Sends every path from the trigger to `target` passes through. */
function sendsBefore(plan: Plan, target: string): string[] {
  return Object.values(plan.nodes)
    .filter((node) => SEND_NODE_CHANNELS[node.type] && node.id !== target)
    .filter(
      (node) => reachable(plan, node.id).has(target) && !reachable(plan, plan.trigger, node.id).has(target),
    )
    .map((node) => node.id);
}

function sendsFrom(plan: Plan, target: string): string[] {
  return [...reachable(plan, target)].filter((id) => SEND_NODE_CHANNELS[plan.nodes[id].type]);
}

function waitMs(node: Plan['nodes'][string] | undefined): number | null {
  if (!node) return null;
  const config = node.config as { duration?: Duration; timeout?: Duration };
  if (node.type === 'wait.duration' && config.duration) return durationMs(config.duration);
  if ((node.type === 'wait.event' || node.type === 'wait.condition') && config.timeout) {
    return durationMs(config.timeout);
  }
  return null;
}

async function targetPlan(db: Db, workspaceId: string, journeyId: string, toVersion?: number) {
  const journey = await getJourney(db, workspaceId, journeyId);
  const version = toVersion ?? journey.activeVersion;
  if (version === null || version === undefined) {
    throw new Conflict('journey_unpublished', 'Publish the journey first', 'toVersion');
  }
  const row = await getVersion(db, workspaceId, journeyId, version);
  return { version, plan: row.plan as unknown as Plan };
}

/**
 * The dry run: per old version and node, where its running runs would continue in the new
 * version, and what that means for them (sends skipped or received again, timers already due).
 * Nothing moves.
 */
export async function previewMigration(
  db: Db,
  workspaceId: string,
  journeyId: string,
  request: MigrationRequest = {},
  now = Date.now(),
): Promise<MigrationPreview> {
  const { version, plan } = await targetPlan(db, workspaceId, journeyId, request.toVersion);
  const pastTimers = request.pastTimers ?? 'fire';
  const runs = await runsToMigrate(db, journeyId, version);
  const mapping = resolveMapping(
    plan,
    request,
    runs.flatMap((r) => (r.nodeId ? [r.nodeId] : [])),
  );
  const groups = new Map<
    string,
    MigrationGroup & { skips: Map<string, number>; repeats: Map<string, number> }
  >();
  const types = new Map<string, string>();
  for (const fromVersion of new Set(runs.map((r) => r.version))) {
    const old = (await getVersion(db, workspaceId, journeyId, fromVersion)).plan as unknown as Plan;
    for (const node of Object.values(old.nodes)) types.set(`${fromVersion}:${node.id}`, node.type);
  }
  for (const run of runs) {
    const target = run.nodeId ? mapping.get(run.nodeId)! : { toNode: null, how: 'same-node' as const };
    const key = `${run.version}\u0000${run.nodeId}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        fromVersion: run.version,
        fromNode: run.nodeId,
        fromType: run.nodeId ? (types.get(`${run.version}:${run.nodeId}`) ?? null) : null,
        toNode: target.toNode,
        how: run.nodeId ? target.how : request.keepAll ? 'kept' : 'same-node',
        runs: 0,
        skipsSends: [],
        repeatsSends: [],
        pastTimers: 0,
        inAction: 0,
        skips: new Map(),
        repeats: new Map(),
      };
      groups.set(key, group);
    }
    group.runs += 1;
    if (!target.toNode) continue;
    const fromType = group.fromType ?? '';
    if (run.nodeId && !fromType.startsWith('wait.')) group.inAction += 1;
    for (const send of sendsBefore(plan, target.toNode)) {
      if (!run.visited.has(send)) group.skips.set(send, (group.skips.get(send) ?? 0) + 1);
    }
    for (const send of sendsFrom(plan, target.toNode)) {
      if (run.visited.has(send)) group.repeats.set(send, (group.repeats.get(send) ?? 0) + 1);
    }
    const wait = waitMs(plan.nodes[target.toNode]);
    if (wait !== null && target.toNode === run.nodeId && run.enteredAt && pastTimers === 'fire') {
      if (run.enteredAt.getTime() + wait <= now) group.pastTimers += 1;
    }
  }
  const list = [...groups.values()].map(({ skips, repeats, ...group }) => ({
    ...group,
    skipsSends: [...skips].map(([nodeId, n]) => ({ nodeId, runs: n })),
    repeatsSends: [...repeats].map(([nodeId, n]) => ({ nodeId, runs: n })),
  }));
  list.sort((a, b) => a.fromVersion - b.fromVersion || String(a.fromNode).localeCompare(String(b.fromNode)));
  const moving = list.filter((g) => g.toNode !== null || (g.fromNode === null && g.how !== 'kept'));
  return {
    journeyId,
    toVersion: version,
    pastTimers,
    total: runs.length,
    moving: moving.reduce((n, g) => n + g.runs, 0),
    staying: runs.length - moving.reduce((n, g) => n + g.runs, 0),
    groups: list,
    unmappedNodes: [...new Set(list.filter((g) => g.how === 'unmapped').map((g) => g.fromNode!))],
  };
}

export interface MigrationDeps {
  db: Db;
  temporal: Client;
}

/** Records the migration the marketer confirmed; `runMigration` then moves the runs. */
export async function startMigration(
  db: Db,
  workspaceId: string,
  journeyId: string,
  request: MigrationRequest,
  createdBy: string | null,
): Promise<{ migration: MigrationRow; preview: MigrationPreview }> {
  const preview = await previewMigration(db, workspaceId, journeyId, request);
  const [running] = await db
    .select({ id: journeyMigrations.id })
    .from(journeyMigrations)
    .where(and(eq(journeyMigrations.journeyId, journeyId), eq(journeyMigrations.status, 'running')));
  if (running) {
    throw new Conflict('migration_running', 'A migration of this journey is still moving runs', 'journeyId');
  }
  const [migration] = await db
    .insert(journeyMigrations)
    .values({
      workspaceId,
      journeyId,
      toVersion: preview.toVersion,
      mapping: { mapping: request.mapping ?? {}, keepAll: request.keepAll ?? false },
      pastTimers: preview.pastTimers,
      total: preview.total,
      createdBy,
    })
    .returning();
  return { migration, preview };
}

export const MIGRATION_BATCH = 100;

/**
 * Signals each run of the migration, a batch at a time, with the mapping for the node it is at:
 * runs waiting move at once (continue-as-new at the mapped node with their state), runs in an
 * action move when it is done. Each run is recorded once (a repeat of the migration skips it).
 */
export async function runMigration(
  deps: MigrationDeps,
  migration: MigrationRow,
  onBatch?: (row: MigrationRow) => void,
  options: { batchSize?: number } = {},
): Promise<MigrationRow> {
  let after: string | null = null;
  for (;;) {
    const batch = await moveMigrationBatch(deps, migration, { after, batchSize: options.batchSize });
    onBatch?.(batch.row);
    if (batch.last === null) return finishMigration(deps.db, migration.id);
    after = batch.last;
  }
}

/**
 * One batch of a migration: the next `batchSize` runs still on an earlier version after the
 * workflow id `after`, each signalled (or recorded as kept) unless a previous attempt already
 * recorded it. `last` is where the next batch starts, null when none is left.
 */
export async function moveMigrationBatch(
  deps: MigrationDeps,
  migration: MigrationRow,
  options: { after?: string | null; batchSize?: number; onSignal?: () => void } = {},
): Promise<{ row: MigrationRow; last: string | null }> {
  const batchSize = options.batchSize ?? MIGRATION_BATCH;
  const { db } = deps;
  const settings = migration.mapping as { mapping?: Record<string, string | null>; keepAll?: boolean };
  const { version, plan } = await targetPlan(
    db,
    migration.workspaceId,
    migration.journeyId,
    migration.toVersion,
  );
  const runs = await runsToMigrate(db, migration.journeyId, version, {
    after: options.after ?? null,
    limit: batchSize,
  });
  // Every node of the earlier versions, so a run that moves on before the signal lands still finds its node.
  const olderNodes = new Set<string>(Object.keys(settings.mapping ?? {}));
  for (const v of new Set(runs.map((r) => r.version))) {
    const old = (await getVersion(db, migration.workspaceId, migration.journeyId, v)).plan as unknown as Plan;
    for (const id of Object.keys(old.nodes)) olderNodes.add(id);
  }
  const full = resolveMapping(plan, settings, olderNodes);
  const signalMapping: Record<string, string | null> = {};
  for (const [node, target] of full) signalMapping[node] = target.toNode;
  const payload = (): MigrateRun => ({
    migrationId: migration.id,
    version,
    plan,
    mapping: signalMapping,
    pastTimers: migration.pastTimers,
  });

  let row = migration;
  const batch = runs;
  const done = new Set(
    (
      await db
        .select({ workflowId: journeyRunMigrations.workflowId })
        .from(journeyRunMigrations)
        .where(
          and(
            eq(journeyRunMigrations.migrationId, migration.id),
            inArray(
              journeyRunMigrations.workflowId,
              batch.map((r) => r.workflowId),
            ),
          ),
        )
    ).map((r) => r.workflowId),
  );
  const records: (typeof journeyRunMigrations.$inferInsert)[] = [];
  let moved = 0;
  let kept = 0;
  let failed = 0;
  await Promise.all(
    batch
      .filter((run) => !done.has(run.workflowId))
      .map(async (run) => {
        const target = run.nodeId ? (full.get(run.nodeId)?.toNode ?? null) : undefined;
        const base = {
          workspaceId: migration.workspaceId,
          migrationId: migration.id,
          workflowId: run.workflowId,
          fromVersion: run.version,
          fromNode: run.nodeId ?? '',
          toNode: target ?? null,
        };
        if (target === null || settings.keepAll) {
          kept += 1;
          records.push({ ...base, status: 'kept' });
          return;
        }
        try {
          await deps.temporal.workflow.getHandle(run.workflowId).signal(migrateSignal, payload());
          options.onSignal?.();
          moved += 1;
          records.push({ ...base, status: 'signalled' });
        } catch (error) {
          failed += 1;
          records.push({ ...base, status: 'failed', detail: (error as Error).message.slice(0, 500) });
        }
      }),
  );
  if (records.length > 0) await db.insert(journeyRunMigrations).values(records).onConflictDoNothing();
  [row] = await db
    .update(journeyMigrations)
    .set({
      moved: sql`${journeyMigrations.moved} + ${moved}`,
      kept: sql`${journeyMigrations.kept} + ${kept}`,
      failed: sql`${journeyMigrations.failed} + ${failed}`,
    })
    .where(eq(journeyMigrations.id, migration.id))
    .returning();
  return { row, last: runs.length < batchSize ? null : runs[runs.length - 1].workflowId };
}

/** Marks a migration whose runs were all signalled as done. */
export async function finishMigration(db: Db, migrationId: string): Promise<MigrationRow> {
  const [row] = await db
    .update(journeyMigrations)
    .set({ status: 'done', finishedAt: new Date() })
    .where(eq(journeyMigrations.id, migrationId))
    .returning();
  return row;
}

export async function markMigrationFailed(db: Db, migrationId: string): Promise<void> {
  await db
    .update(journeyMigrations)
    .set({ status: 'failed', finishedAt: new Date() })
    .where(eq(journeyMigrations.id, migrationId));
}

export async function getMigration(
  db: Db,
  workspaceId: string,
  journeyId: string,
  migrationId: string,
): Promise<MigrationRow> {
  const [row] = await db
    .select()
    .from(journeyMigrations)
    .where(
      and(
        eq(journeyMigrations.workspaceId, workspaceId),
        eq(journeyMigrations.journeyId, journeyId),
        eq(journeyMigrations.id, migrationId),
      ),
    );
  if (!row) throw new NotFound('Migration', migrationId);
  return row;
}

export async function listMigrations(
  db: Db,
  workspaceId: string,
  journeyId: string,
): Promise<MigrationRow[]> {
  await getJourney(db, workspaceId, journeyId);
  return db
    .select()
    .from(journeyMigrations)
    .where(and(eq(journeyMigrations.workspaceId, workspaceId), eq(journeyMigrations.journeyId, journeyId)))
    .orderBy(desc(journeyMigrations.createdAt));
}

/** One migration's record of each run: where it was, where it went, and whether the signal reached it. */
export async function runsOfMigration(db: Db, workspaceId: string, journeyId: string, migrationId: string) {
  await getMigration(db, workspaceId, journeyId, migrationId);
  return db
    .select()
    .from(journeyRunMigrations)
    .where(
      and(
        eq(journeyRunMigrations.workspaceId, workspaceId),
        eq(journeyRunMigrations.migrationId, migrationId),
      ),
    )
    .orderBy(asc(journeyRunMigrations.workflowId));
}

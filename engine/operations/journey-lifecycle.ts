import { countSegmentMembers, getSegment, segmentMemberIds } from '../audience/segments/segments';
import {
  type Backfill,
  checkJourney,
  getJourney,
  getVersion,
  JourneyNotPublishable,
  type JourneyRow,
  type JourneyVersionRow,
  publishJourney as publishVersion,
  setJourneyStatus,
} from '../automation/journeys/journeys';
import type { Plan } from '../automation/journeys/plan';
import type { NodeRegistry } from '../automation/nodes/registry';
import { enrollContact, type TemporalDeps } from '../automation/runs/enroll';
import {
  getMigration,
  type MigrationPreview,
  type MigrationRequest,
  type MigrationRow,
  markMigrationFailed,
  startMigration,
} from '../automation/runs/migration';
import { signalJourneyRuns } from '../automation/runs/run-control';
import { syncJourneySchedules } from '../automation/triggers/schedules';
import { DomainError } from '../errors';
import { refreshSegment } from './segment-membership';

export interface LifecycleDeps extends TemporalDeps {
  registry: NodeRegistry;
}

/**
 * Publishes the draft as version N+1, then brings the world in line: the journey's Temporal
 * Schedule (trigger.schedule) follows its status, and a segment trigger's segment is
 * re-evaluated so contacts entering it now are enrolled. Contacts already in the segment are
 * enrolled only when the marketer chose `backfill: 'enroll'` (the choice is kept on the version).
 */
export async function publishJourney(
  deps: LifecycleDeps,
  workspaceId: string,
  journeyId: string,
  note?: string,
  backfill?: Backfill,
): Promise<JourneyVersionRow & { backfilled: number; backfilledHeldOut: number }> {
  const draft = await getJourney(deps.db, workspaceId, journeyId);
  const checked = await checkJourney(deps.db, deps.registry, workspaceId, draft.draft, journeyId);
  if (!checked.valid) throw new JourneyNotPublishable(checked.errors);
  const segmentId = await entrySegmentOf(deps, workspaceId, journeyId, 'draft');
  const version = await publishVersion(
    deps.db,
    deps.registry,
    workspaceId,
    journeyId,
    note,
    segmentId ? (backfill ?? 'skip') : undefined,
  );
  await syncJourneySchedules(deps.temporal, deps.db, deps.taskQueue, workspaceId);
  let backfilled = 0;
  let backfilledHeldOut = 0;
  const journey = await getJourney(deps.db, workspaceId, journeyId);
  if (segmentId && journey.status === 'active') {
    const segment = await getSegment(deps.db, workspaceId, segmentId).catch(() => undefined);
    if (segment) await refreshSegment(deps, segment);
    if (backfill === 'enroll') {
      ({ enrolled: backfilled, heldOut: backfilledHeldOut } = await enrollMembers(
        deps,
        workspaceId,
        journeyId,
        segmentId,
        `publish:${version.version}`,
      ));
    }
  }
  return { ...version, backfilled, backfilledHeldOut };
}

export type LifecycleAction = 'pause' | 'resume' | 'archive';

const statusAfter = { pause: 'paused', resume: 'active', archive: 'archived' } as const;

export interface StatusChangeOptions {
  /**
   * On resume, what to do with contacts who entered a segment trigger's segment while the
   * journey was paused: enroll them (the default, so nobody is lost silently) or skip them.
   */
  missed?: Backfill;
}

/**
 * Pause stops new entries and holds running runs before their next action node; resume lets
 * them continue and enrolls (or, by choice, skips) the segment entries made during the pause;
 * archive ends every run. The schedule of a scheduled journey follows.
 */
export async function changeJourneyStatus(
  deps: TemporalDeps,
  workspaceId: string,
  journeyId: string,
  action: LifecycleAction,
  options: StatusChangeOptions = {},
): Promise<JourneyRow & { runsSignalled: number; missedEnrolled: number; missedHeldOut: number }> {
  const before = await getJourney(deps.db, workspaceId, journeyId);
  const journey = await setJourneyStatus(deps.db, workspaceId, journeyId, statusAfter[action]);
  const runsSignalled = await signalJourneyRuns(
    deps.db,
    deps.temporal,
    journey.id,
    action === 'archive' ? { action: 'exit', reason: 'journey archived' } : { action },
  );
  await syncJourneySchedules(deps.temporal, deps.db, deps.taskQueue, workspaceId);
  let missedEnrolled = 0;
  let missedHeldOut = 0;
  if (action === 'resume' && before.status === 'paused' && before.pausedAt && options.missed !== 'skip') {
    const segmentId = await entrySegmentOf(deps, workspaceId, journeyId, 'active');
    if (segmentId) {
      ({ enrolled: missedEnrolled, heldOut: missedHeldOut } = await enrollMembers(
        deps,
        workspaceId,
        journeyId,
        segmentId,
        `resume:${before.pausedAt.getTime()}`,
        before.pausedAt,
      ));
    }
  }
  return { ...journey, runsSignalled, missedEnrolled, missedHeldOut };
}

/** Who a publish or resume would enroll from a segment trigger's segment, for the marketer to choose. */
export interface EntryAudience {
  segmentId: string | null;
  /** Contacts in the segment now (what a publish with backfill would enroll, at most). */
  members: number;
  /** Contacts who entered the segment while the journey was paused (what a resume enrolls). */
  enteredWhilePaused: number;
}

export async function entryAudience(
  deps: TemporalDeps,
  workspaceId: string,
  journeyId: string,
): Promise<EntryAudience> {
  const journey = await getJourney(deps.db, workspaceId, journeyId);
  const segmentId = await entrySegmentOf(deps, workspaceId, journeyId, 'draft');
  if (!segmentId) return { segmentId: null, members: 0, enteredWhilePaused: 0 };
  return {
    segmentId,
    members: await countSegmentMembers(deps.db, workspaceId, segmentId),
    enteredWhilePaused:
      journey.status === 'paused' && journey.pausedAt
        ? await countSegmentMembers(deps.db, workspaceId, segmentId, journey.pausedAt)
        : 0,
  };
}

/** The segment of the journey's `trigger.segment`, in its draft or its active version; null for other triggers. */
async function entrySegmentOf(
  deps: TemporalDeps,
  workspaceId: string,
  journeyId: string,
  from: 'draft' | 'active',
): Promise<string | null> {
  const journey = await getJourney(deps.db, workspaceId, journeyId);
  let trigger: { type: string; config: Record<string, unknown> } | undefined;
  if (from === 'draft') {
    const nodes = (journey.draft.nodes ?? []) as { type: string; config?: Record<string, unknown> }[];
    const node = nodes.find((n) => n.type.startsWith('trigger.'));
    trigger = node && { type: node.type, config: node.config ?? {} };
  } else if (journey.activeVersion !== null) {
    const plan = (await getVersion(deps.db, workspaceId, journeyId, journey.activeVersion))
      .plan as unknown as Plan;
    trigger = plan.nodes[plan.trigger];
  }
  return trigger?.type === 'trigger.segment' ? String(trigger.config.segmentId) : null;
}

const PAGE = 500;

/**
 * Enrolls a segment's members (or those who entered since `since`) under the re-entry rule;
 * the trigger id names the occasion, so a repeat of it enrolls nobody twice.
 */
async function enrollMembers(
  deps: TemporalDeps,
  workspaceId: string,
  journeyId: string,
  segmentId: string,
  occasion: string,
  since?: Date,
): Promise<{ enrolled: number; heldOut: number }> {
  let enrolled = 0;
  let heldOut = 0;
  let cursor: string | null = null;
  for (;;) {
    const ids = await segmentMemberIds(deps.db, workspaceId, segmentId, cursor, PAGE, since);
    if (ids.length === 0) return { enrolled, heldOut };
    for (const contactId of ids) {
      try {
        const result = await enrollContact(deps, {
          workspaceId,
          journeyId,
          contactId,
          trigger: {
            id: `segment:${segmentId}:${contactId}:${occasion}`,
            name: null,
            properties: { segmentId },
            timestamp: new Date().toISOString(),
          },
        });
        if (result.enrolled) enrolled += 1;
        else if (result.heldOut) heldOut += 1;
      } catch (error) {
        if (!(error instanceof DomainError && error.expected)) throw error;
      }
    }
    cursor = ids[ids.length - 1];
  }
}

/**
 * Moves running runs of earlier versions to the journey's newer version as the marketer mapped
 * them after the preview: the migration is recorded, then the `journeyMigration` workflow
 * signals its runs in batches on a worker (its counters show progress). Being a workflow, the
 * move goes on if the API process restarts, and resumes where it stopped if the worker does.
 * `done` resolves with the finished migration (rejects when it failed).
 */
export async function migrateJourneyRuns(
  deps: TemporalDeps,
  workspaceId: string,
  journeyId: string,
  request: MigrationRequest,
  createdBy: string | null,
  options: { wait?: boolean; batchSize?: number } = {},
): Promise<{ migration: MigrationRow; preview: MigrationPreview; done: Promise<MigrationRow> }> {
  const { migration, preview } = await startMigration(deps.db, workspaceId, journeyId, request, createdBy);
  let handle: Awaited<ReturnType<typeof deps.temporal.workflow.start>>;
  try {
    handle = await deps.temporal.workflow.start('journeyMigration', {
      taskQueue: deps.taskQueue,
      workflowId: migrationWorkflowId(migration.id),
      args: [{ migrationId: migration.id, batchSize: options.batchSize }],
    });
  } catch (error) {
    await markMigrationFailed(deps.db, migration.id);
    throw error;
  }
  // Waited for on demand only: the caller (an API request) need not stay connected.
  let done: Promise<MigrationRow> | undefined;
  const finished = () =>
    (done ??= handle.result().then(
      () => getMigration(deps.db, workspaceId, journeyId, migration.id),
      async (error) => {
        const row = await getMigration(deps.db, workspaceId, journeyId, migration.id);
        throw Object.assign(new Error(`migration ${row.id} ${row.status}`), { cause: error });
      },
    ));
  if (options.wait) await finished();
  return {
    migration,
    preview,
    get done() {
      return finished();
    },
  };
}

/** The workflow id of a migration's move (one per migration: starting it twice is refused). */
export function migrationWorkflowId(migrationId: string): string {
  return `journey-migration:${migrationId}`;
}

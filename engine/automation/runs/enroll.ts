import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { contacts, journeyRuns, journeys, segmentMembers } from '../../../db/schema';
import { BoundedCache } from '../../bounded-cache';
import { Conflict, NotFound, Unavailable } from '../../errors';
import type { TriggerEvent } from '../../sdk/define-node';
import { durationMs } from '../../time/duration';
import { getVersion } from '../journeys/journeys';
import type { Plan, PlanNode } from '../journeys/plan';
import { inJourneyHoldout, recordHoldout } from './holdout';
import { entryKeyOf, INTERPRETER, type JourneyRunInput, runWorkflowId } from './types';

export interface TemporalDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /**
   * A client on the `NativeConnection` of a worker of `taskQueue` in this process: runs start
   * through it eagerly (Temporal hands the run's first workflow task back in the start's answer,
   * without a round trip through the task queue); the dispatcher also signals runs through it.
   * Only where API and worker share a process.
   */
  eagerStarter?: Client;
}

export interface EnrollRequest {
  workspaceId: string;
  journeyId: string;
  contactId: string;
  trigger?: TriggerEvent | null;
  /**
   * Enroll even a contact outside a segment-triggered journey's entry segment (a marketer's
   * explicit choice); without it such a contact is skipped with its reason.
   */
  force?: boolean;
  /**
   * When only the re-entry interval stands in the way, start the run once it has passed (a
   * Temporal start delay) instead of refusing: re-entry at exit uses it.
   */
  waitForInterval?: boolean;
  /** Extra start options for operations and tests. */
  historyLimit?: number;
}

export type EnrollResult =
  | { enrolled: true; workflowId: string; entry: number; version: number; entryKey?: string }
  | { enrolled: false; reason: string; workflowId?: string; heldOut?: true };

/**
 * Starts a contact's run under the journey's re-entry rule. The run row's unique
 * (journey, contact, entry key, entry) and the deterministic workflow id make concurrent or
 * repeated enrollments yield one run. A keyed trigger (`key`, e.g. `properties.cart_id`) gives a
 * contact one run per key, with the re-entry rule applied per key. `always` lets runs overlap,
 * the minimum interval counted from the latest entry; `after-exit` waits for the run to end.
 */
export async function enrollContact(deps: TemporalDeps, request: EnrollRequest): Promise<EnrollResult> {
  const { db } = deps;
  const { workspaceId, journeyId, contactId } = request;
  /** The active version's plan, the trigger node and the entry key it gives this enrollment. */
  const entryOf = (version: PublishedVersion) => {
    const plan = version.plan as unknown as Plan;
    const triggerNode = plan.nodes[plan.trigger];
    return { version, plan, triggerNode, entryKey: entryKeyOf(triggerNode.config, request.trigger ?? null) };
  };
  /**
   * The journey's state, the contact (as the run's first decision reads it) and its latest run of
   * this journey under `entryKey`, in one statement; none when the journey does not exist.
   */
  const enrollment = (entryKey: string | null) =>
    db
      .select({
        journey: { id: journeys.id, status: journeys.status, activeVersion: journeys.activeVersion },
        contact: {
          id: contacts.id,
          timezone: contacts.timezone,
          attributes: contacts.attributes,
          tags: contacts.tags,
          email: contacts.email,
          phone: contacts.phone,
          externalId: contacts.externalId,
        },
        workspaceTimezone: sql<
          string | null
        >`(select default_timezone from workspaces where id = ${workspaceId})`,
        run: journeyRuns,
      })
      .from(journeys)
      .leftJoin(contacts, and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
      .leftJoin(
        journeyRuns,
        and(
          eq(journeyRuns.journeyId, journeys.id),
          eq(journeyRuns.contactId, contacts.id),
          eq(journeyRuns.entryKey, entryKey ?? ''),
        ),
      )
      .where(and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, journeyId)))
      .orderBy(desc(journeyRuns.entry))
      .limit(1)
      .then((rows) => rows[0]);

  // The entry key comes from the active version's plan. The version this process last enrolled
  // into is the likely one, so the journey, the contact and the latest run are read together
  // under its key; a journey published since, or not enrolled into here lately, is read again
  // under the active version's key.
  const journeyKey = `${workspaceId}:${journeyId}`;
  const guess = lastEnrolledVersion.get(journeyKey);
  let planned = guess && entryOf(guess);
  let found = await enrollment(planned?.entryKey ?? null);
  if (!found) throw new NotFound('Journey', journeyId);
  const journey = found.journey;
  if (journey.status !== 'active' || journey.activeVersion === null) {
    throw new Conflict(
      'journey_not_active',
      `Journey ${journey.id} is ${journey.status}; only active journeys enroll`,
    );
  }
  if (planned === undefined || journey.activeVersion !== planned.version.version) {
    const active = await publishedVersion(db, workspaceId, journeyId, journey.activeVersion);
    lastEnrolledVersion.set(journeyKey, active);
    planned = entryOf(active);
    found = (await enrollment(planned.entryKey)) ?? found;
  }
  const { version, plan, triggerNode, entryKey } = planned;
  const reEntry = plan.settings.reEntry;
  const latestRun = () => enrollment(entryKey);
  if (!found.contact) throw new NotFound('Contact', contactId);

  if (!request.force && !(await inEntrySegment(db, triggerNode, request.contactId))) {
    return { enrolled: false, reason: 'the contact is not in the entry segment' };
  }
  if (entryKey === null) {
    return { enrolled: false, reason: `the entry event has no ${String(triggerNode.config.key)}` };
  }
  // A contact whose run started before the journey had a holdout stays treated.
  if (
    inJourneyHoldout(plan.settings.holdoutShare ?? 0, journey.id, request.contactId) &&
    !(await hasRun(db, journey.id, request.contactId))
  ) {
    await recordHoldout(db, {
      workspaceId: request.workspaceId,
      journeyId: journey.id,
      contactId: request.contactId,
    });
    return {
      enrolled: false,
      heldOut: true,
      reason: "the contact is in the journey's control group (holdout)",
    };
  }
  let startDelayMs = 0;
  let latest = found.run ?? undefined;
  if (latest && (await isOrphan(deps, latest))) {
    await db.delete(journeyRuns).where(and(eq(journeyRuns.id, latest.id), eq(journeyRuns.status, 'running')));
    latest = (await latestRun())?.run ?? undefined;
  }

  if (latest) {
    if (reEntry.mode === 'never') {
      return {
        enrolled: false,
        reason: 'the contact already entered this journey',
        workflowId: latest.workflowId,
      };
    }
    if (reEntry.mode === 'after-exit' && latest.status === 'running') {
      return { enrolled: false, reason: 'the contact is in this journey now', workflowId: latest.workflowId };
    }
    const remaining = reEntry.minInterval
      ? latest.startedAt.getTime() + durationMs(reEntry.minInterval) - Date.now()
      : 0;
    if (remaining > 0 && request.waitForInterval) startDelayMs = remaining;
    else if (remaining > 0) {
      return {
        enrolled: false,
        reason: 'the minimum re-entry interval has not passed',
        workflowId: latest.workflowId,
      };
    }
  }
  const entry = (latest?.entry ?? 0) + 1;
  const workflowId = runWorkflowId(
    request.workspaceId,
    journey.id,
    request.contactId,
    reEntry.mode === 'never' ? undefined : entry,
    entryKey ? keyDigest(entryKey) : undefined,
  );
  const [inserted] = await db
    .insert(journeyRuns)
    .values({
      workspaceId: request.workspaceId,
      journeyId: journey.id,
      version: version.version,
      contactId: request.contactId,
      entry,
      entryKey,
      workflowId,
      triggerEventId: request.trigger?.id,
      ...(startDelayMs > 0 ? { startedAt: new Date(Date.now() + startDelayMs) } : {}),
    })
    .onConflictDoNothing()
    .returning({ id: journeyRuns.id });
  if (!inserted)
    return { enrolled: false, reason: 'an enrollment of this contact is in progress', workflowId };

  const input: JourneyRunInput = {
    workspaceId: request.workspaceId,
    journeyId: journey.id,
    version: version.version,
    contactId: request.contactId,
    entry,
    ...(entryKey ? { entryKey } : {}),
    plan,
    trigger: request.trigger ?? null,
    paused: journey.status !== 'active',
    interpreter: INTERPRETER,
    // Only for a run that decides right after its trigger; a delayed start reads the contact
    // when it starts.
    ...(startDelayMs > 0 || !decidesAtStart(plan)
      ? {}
      : {
          contact: {
            found: true,
            timezone: found.contact.timezone,
            attributes: found.contact.attributes,
            tags: found.contact.tags,
            email: found.contact.email,
            phone: found.contact.phone,
            externalId: found.contact.externalId,
            workspaceTimezone: found.workspaceTimezone ?? 'UTC',
          },
        }),
    historyLimit: request.historyLimit,
  };
  try {
    await (deps.eagerStarter ?? deps.temporal).workflow.start('journeyRun', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...(startDelayMs > 0 ? { startDelay: startDelayMs } : { requestEagerStart: !!deps.eagerStarter }),
    });
  } catch (error) {
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') {
      return { enrolled: false, reason: 'the run already exists', workflowId };
    }
    await db.delete(journeyRuns).where(eq(journeyRuns.id, inserted.id));
    throw new Unavailable(`Temporal did not accept the run: ${(error as Error).message}`);
  }
  return {
    enrolled: true,
    workflowId,
    entry,
    version: version.version,
    ...(entryKey ? { entryKey } : {}),
  };
}

/** Nodes that test the contact as soon as the run reaches them. */
const DECIDING_TYPES = new Set(['branch.condition', 'branch.switch', 'wait.condition']);

/**
 * Whether the node after the trigger tests the contact: only such a run reads the enrollment's
 * snapshot (any later decision reads its own), so only it carries one in its input.
 */
function decidesAtStart(plan: Plan): boolean {
  const first = plan.nodes[plan.trigger].next.next;
  return !!first && DECIDING_TYPES.has(plan.nodes[first]?.type ?? '');
}

/** A segment-triggered journey admits members of its segment only; other triggers admit anyone. */
async function inEntrySegment(db: Db, trigger: PlanNode, contactId: string): Promise<boolean> {
  if (trigger.type !== 'trigger.segment') return true;
  const [member] = await db
    .select({ contactId: segmentMembers.contactId })
    .from(segmentMembers)
    .where(
      and(
        eq(segmentMembers.segmentId, String(trigger.config.segmentId)),
        eq(segmentMembers.contactId, contactId),
      ),
    );
  return !!member;
}

async function hasRun(db: Db, journeyId: string, contactId: string): Promise<boolean> {
  const [run] = await db
    .select({ id: journeyRuns.id })
    .from(journeyRuns)
    .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.contactId, contactId)))
    .limit(1);
  return !!run;
}

/** Entry keys are the sender's values (cart ids, order numbers): workflow ids carry a digest, not the value. */
function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

/** How long an enrollment may take between claiming its run row and starting the workflow. */
const START_GRACE_MS = 60_000;

/**
 * A run row left `running` by an enrollment that died between claiming the row and starting the
 * workflow: no workflow exists behind it, and it would block the contact's entry for good.
 */
async function isOrphan(deps: TemporalDeps, run: typeof journeyRuns.$inferSelect): Promise<boolean> {
  if (run.status !== 'running' || Date.now() - run.startedAt.getTime() < START_GRACE_MS) return false;
  try {
    await deps.temporal.workflow.getHandle(run.workflowId).describe();
    return false;
  } catch (error) {
    return (error as Error).name === 'WorkflowNotFoundError';
  }
}

/** Published versions never change, so every enrollment after the first reads its plan from memory. */
type PublishedVersion = Awaited<ReturnType<typeof getVersion>>;
const versionCache = new BoundedCache<string, PublishedVersion>(200);

/** The version each journey was active in at its latest enrollment in this process (see `enrollContact`). */
const lastEnrolledVersion = new BoundedCache<string, PublishedVersion>(200);

async function publishedVersion(db: Db, workspaceId: string, journeyId: string, version: number) {
  const key = `${workspaceId}:${journeyId}@${version}`;
  let row = versionCache.get(key);
  if (!row) {
    row = await getVersion(db, workspaceId, journeyId, version);
    versionCache.set(key, row);
  }
  return row;
}

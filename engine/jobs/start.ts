import { and, eq, inArray, sql } from 'drizzle-orm';
import { analyticsResults, jobs } from '../../db/schema';
import type { ImportFormat } from '../audience/contacts/import';
import { getSegment } from '../audience/segments/segments';
import { getJourney } from '../automation/journeys/journeys';
import type { TemporalDeps } from '../automation/runs/enroll';
import { Conflict, InvalidInput, Unavailable } from '../errors';
import { type AnalyticsJob, analyticsJobSchema } from './analytics-job';
import { createJob, finishJob, type JobRow, jobView } from './jobs';

/** Workflow id of a job's Temporal run; one run per job. */
export const jobWorkflowId = (jobId: string) => `wl-job:${jobId}`;

export async function startContactImport(
  deps: TemporalDeps,
  workspaceId: string,
  format: ImportFormat,
  payload: string,
) {
  if (payload.trim() === '') throw new InvalidInput('import_empty', 'The import file is empty', 'body');
  const job = await createJob(deps.db, workspaceId, 'contact-import', { format }, payload);
  return launch(deps, job);
}

export async function startSegmentEnrollment(
  deps: TemporalDeps,
  workspaceId: string,
  journeyId: string,
  segmentId: string,
) {
  const journey = await getJourney(deps.db, workspaceId, journeyId);
  if (journey.status !== 'active') {
    throw new Conflict(
      'journey_not_active',
      `Journey ${journeyId} is ${journey.status}; only active journeys enroll`,
    );
  }
  await getSegment(deps.db, workspaceId, segmentId);
  const job = await createJob(deps.db, workspaceId, 'enroll-segment', { journeyId, segmentId });
  return launch(deps, job);
}

/** Refreshes one analytics model in the background; progress at GET /v1/jobs/:id. */
export async function startAnalyticsJob(deps: TemporalDeps, workspaceId: string, input: AnalyticsJob) {
  const params = analyticsJobSchema.parse(input);
  const job = await createJob(
    deps.db,
    workspaceId,
    'analytics',
    params as unknown as Record<string, unknown>,
  );
  return launch(deps, job);
}

/** The fitted models the daily schedule refits; RFM is plain SQL and refreshes in place. */
const REFITTED_MODELS = ['clv', 'clusters', 'affinity', 'forecast'] as const;

/**
 * The scheduled refit: every model a workspace has fitted is fitted again on today's data with
 * the options it was last fitted with, each as a background job with progress. A model whose
 * job is still queued or running is left to finish.
 */
export async function refitFittedModels(deps: TemporalDeps): Promise<{ started: number; skipped: number }> {
  const fitted = await deps.db
    .select({
      workspaceId: analyticsResults.workspaceId,
      model: analyticsResults.model,
      params: analyticsResults.params,
    })
    .from(analyticsResults)
    .where(inArray(analyticsResults.model, [...REFITTED_MODELS]));
  let started = 0;
  let skipped = 0;
  for (const { workspaceId, model, params } of fitted) {
    const { asOf: _asOf, ...options } = params as Record<string, unknown>;
    const job = analyticsJobSchema.safeParse({ model, options });
    if (!job.success || (await analyticsJobPending(deps, workspaceId, model))) {
      skipped++;
      continue;
    }
    await startAnalyticsJob(deps, workspaceId, job.data);
    started++;
  }
  return { started, skipped };
}

async function analyticsJobPending(deps: TemporalDeps, workspaceId: string, model: string) {
  const [pending] = await deps.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.workspaceId, workspaceId),
        eq(jobs.kind, 'analytics'),
        inArray(jobs.status, ['queued', 'running']),
        sql`${jobs.params}->>'model' = ${model}`,
      ),
    )
    .limit(1);
  return pending !== undefined;
}

async function launch(deps: TemporalDeps, job: JobRow) {
  try {
    await deps.temporal.workflow.start('backgroundJob', {
      workflowId: jobWorkflowId(job.id),
      taskQueue: deps.taskQueue,
      args: [{ jobId: job.id }],
    });
  } catch (error) {
    await finishJob(deps.db, job.id, `not started: ${(error as Error).message}`);
    throw new Unavailable(`Temporal did not accept the job: ${(error as Error).message}`);
  }
  const [row] = await deps.db.select().from(jobs).where(eq(jobs.id, job.id));
  return jobView(row);
}

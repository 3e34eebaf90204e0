import { eq } from 'drizzle-orm';
import { jobs } from '../../db/schema';
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

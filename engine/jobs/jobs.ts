import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { type JobError, jobs } from '../../db/schema';
import { NotFound } from '../errors';

export type JobRow = typeof jobs.$inferSelect;
export type JobKind = JobRow['kind'];

/** Only the first errors are kept, so a file of bad lines cannot grow the row without bound. */
export const MAX_JOB_ERRORS = 1000;

export async function createJob(
  db: Db,
  workspaceId: string,
  kind: JobKind,
  params: Record<string, unknown>,
  payload?: string,
): Promise<JobRow> {
  const [row] = await db
    .insert(jobs)
    .values({ workspaceId, kind, params, payload: payload ?? null })
    .returning();
  return row;
}

export async function loadJob(db: Db, jobId: string): Promise<JobRow | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, jobId));
  return row;
}

/** The job as the API shows it: progress and errors, never the uploaded payload. */
export async function getJob(db: Db, workspaceId: string, jobId: string) {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.id, jobId)));
  if (!row) throw new NotFound('Job', jobId);
  return jobView(row);
}

export function jobView(row: JobRow) {
  const { payload: _payload, params, ...rest } = row;
  const { cursor: _cursor, heldOut, ...shownParams } = params;
  return {
    ...rest,
    params: shownParams,
    skipped: row.done - row.succeeded - row.failed,
    heldOut: typeof heldOut === 'number' ? heldOut : 0,
  };
}

export async function startedJob(db: Db, jobId: string, total: number): Promise<void> {
  await db
    .update(jobs)
    .set({ status: 'running', total, startedAt: sql`coalesce(${jobs.startedAt}, now())` as never })
    .where(eq(jobs.id, jobId));
}

export interface Progress {
  done: number;
  succeeded: number;
  failed: number;
  errors: JobError[];
  cursor?: string | null;
  /** Contacts a bulk enrollment left to the journey's control group (counted among the skipped). */
  heldOut?: number;
}

/** Adds a batch's progress; `done` is absolute so a retried batch never double counts. */
export async function recordProgress(db: Db, job: JobRow, progress: Progress): Promise<void> {
  await db
    .update(jobs)
    .set({
      done: progress.done,
      succeeded: sql`${jobs.succeeded} + ${progress.succeeded}` as never,
      failed: sql`${jobs.failed} + ${progress.failed}` as never,
      errors:
        sql`(case when jsonb_array_length(${jobs.errors}) >= ${MAX_JOB_ERRORS} then ${jobs.errors} else ${jobs.errors} || ${JSON.stringify(progress.errors)}::jsonb end)` as never,
      ...(progress.cursor !== undefined || progress.heldOut
        ? {
            params:
              sql`(${jobs.params} || ${JSON.stringify(progress.cursor !== undefined ? { cursor: progress.cursor } : {})}::jsonb${
                progress.heldOut
                  ? sql` || jsonb_build_object('heldOut', coalesce((${jobs.params}->>'heldOut')::int, 0) + ${progress.heldOut}::int)`
                  : sql``
              })` as never,
          }
        : {}),
    })
    .where(and(eq(jobs.id, job.id), sql`${jobs.done} <= ${progress.done}`));
}

export async function finishJob(db: Db, jobId: string, failure?: string): Promise<void> {
  await db
    .update(jobs)
    .set({
      status: failure ? 'failed' : 'completed',
      failure: failure ?? null,
      finishedAt: new Date(),
      payload: null,
    })
    .where(eq(jobs.id, jobId));
}

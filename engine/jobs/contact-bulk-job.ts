import { eq } from 'drizzle-orm';
import { type JobError, jobs } from '../../db/schema';
import type { ImportFormat, ImportMapping } from '../audience/contacts/import';
import { countFilteredContacts, filteredContactIds } from '../audience/contacts/search';
import { getList } from '../audience/lists/lists';
import type { TemporalDeps } from '../automation/runs/enroll';
import { DomainError, InvalidInput, Unavailable } from '../errors';
import {
  applyBulkAction,
  type BulkAction,
  type BulkSelection,
  checkBulkAction,
} from '../operations/contact-bulk';
import { createJob, finishJob, type JobRow, jobView, recordProgress, startedJob } from './jobs';
import { jobWorkflowId } from './start';

const BATCH = 100;

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

/** A contact import with a column mapping and a list to add the contacts to. */
export async function startMappedImport(
  deps: TemporalDeps,
  workspaceId: string,
  format: ImportFormat,
  payload: string,
  options: { mapping?: ImportMapping; listId?: string },
) {
  if (payload.trim() === '') throw new InvalidInput('import_empty', 'The import file is empty', 'body');
  if (options.listId) await getList(deps.db, workspaceId, options.listId);
  const params: Record<string, unknown> = { format };
  if (options.mapping) params.mapping = options.mapping;
  if (options.listId) params.listId = options.listId;
  const job = await createJob(deps.db, workspaceId, 'contact-import', params, payload);
  return launch(deps, job);
}

/** Tags, list changes, enrollments or deletions of many contacts, in the background with progress. */
export async function startContactBulk(
  deps: TemporalDeps,
  workspaceId: string,
  action: BulkAction,
  selection: BulkSelection,
) {
  await checkBulkAction(deps, workspaceId, action);
  const total = selection.ids
    ? new Set(selection.ids).size
    : await countFilteredContacts(deps.db, workspaceId, selection.filter ?? {});
  const job = await createJob(deps.db, workspaceId, 'contact-bulk', {
    action,
    selection,
    total,
  });
  return launch(deps, job);
}

export async function runContactBulkJob(deps: TemporalDeps, job: JobRow, beat: () => void): Promise<void> {
  const { action, selection, total } = job.params as {
    action: BulkAction;
    selection: BulkSelection;
    total: number;
  };
  await startedJob(deps.db, job.id, job.total ?? total);
  const ids = selection.ids ? [...new Set(selection.ids)].sort() : null;
  let cursor = (job.params.cursor as string | undefined) ?? null;
  let done = job.done;
  for (;;) {
    // Always "ids after the last one done": a deletion never shifts what is left to do.
    const page = ids
      ? ids.filter((id) => cursor === null || id > cursor).slice(0, BATCH)
      : await filteredContactIds(deps.db, job.workspaceId, selection.filter ?? {}, cursor, BATCH);
    if (page.length === 0 || done >= (job.total ?? total)) break;
    const errors: JobError[] = [];
    let succeeded = 0;
    let heldOut = 0;
    for (const contactId of page) {
      try {
        const outcome = await applyBulkAction(deps, job.workspaceId, contactId, action, job.id);
        if (outcome === 'changed') succeeded += 1;
        if (outcome === 'held-out') heldOut += 1;
      } catch (error) {
        if (!(error instanceof DomainError) || !error.expected) throw error;
        errors.push({ contactId, message: error.message });
      }
    }
    done += page.length;
    cursor = page[page.length - 1];
    await recordProgress(deps.db, job, { done, succeeded, failed: errors.length, errors, cursor, heldOut });
    beat();
  }
}

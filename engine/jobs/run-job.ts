import { and, count, eq } from 'drizzle-orm';
import type { JobError } from '../../db/schema';
import { segmentMembers } from '../../db/schema';
import { listAttributeDefinitions } from '../audience/attributes/definitions';
import {
  type ImportFormat,
  type ImportMapping,
  importContact,
  readImport,
  validateImportRow,
} from '../audience/contacts/import';
import { getSegment, segmentMemberIds } from '../audience/segments/segments';
import { enrollContact, type TemporalDeps } from '../automation/runs/enroll';
import { contactChanged, refreshSegment } from '../operations/segment-membership';
import { runAnalyticsJob } from './analytics-job';
import { runContactBulkJob } from './contact-bulk-job';
import { finishJob, type JobRow, loadJob, recordProgress, startedJob } from './jobs';

const BATCH = 100;

/**
 * Runs a background job to the end, resuming after the rows already done (a retried activity
 * continues where the last attempt stopped). `beat` reports liveness to Temporal.
 */
export async function runJob(deps: TemporalDeps, jobId: string, beat: () => void = () => {}): Promise<void> {
  const job = await loadJob(deps.db, jobId);
  if (!job || job.status === 'completed' || job.status === 'failed') return;
  if (job.kind === 'contact-import') await runImport(deps, job, beat);
  else if (job.kind === 'analytics') await runAnalyticsJob(deps.db, job, beat);
  else if (job.kind === 'contact-bulk') await runContactBulkJob(deps, job, beat);
  else await runEnrollSegment(deps, job, beat);
  await finishJob(deps.db, job.id);
}

async function runImport(deps: TemporalDeps, job: JobRow, beat: () => void): Promise<void> {
  const params = job.params as { format: ImportFormat; mapping?: ImportMapping; listId?: string };
  const lines = readImport(params.format, job.payload ?? '', params.mapping);
  const definitions = await listAttributeDefinitions(deps.db, job.workspaceId);
  await startedJob(deps.db, job.id, lines.length);
  for (let start = job.done; start < lines.length; start += BATCH) {
    const batch = lines.slice(start, start + BATCH);
    const errors: JobError[] = [];
    let succeeded = 0;
    for (const line of batch) {
      const checked = 'error' in line ? line : validateImportRow(line.input, definitions);
      if ('error' in checked) {
        errors.push({ line: line.line, field: checked.field, message: checked.error });
        continue;
      }
      const contact = await importContact(deps.db, job.workspaceId, checked.row, params.listId);
      await contactChanged(deps, job.workspaceId, contact.id);
      succeeded += 1;
    }
    await recordProgress(deps.db, job, {
      done: start + batch.length,
      succeeded,
      failed: errors.length,
      errors,
    });
    beat();
  }
}

async function runEnrollSegment(deps: TemporalDeps, job: JobRow, beat: () => void): Promise<void> {
  const { journeyId, segmentId } = job.params as { journeyId: string; segmentId: string };
  if (job.done === 0) await refreshSegment(deps, await getSegment(deps.db, job.workspaceId, segmentId));
  const [{ n }] = await deps.db
    .select({ n: count() })
    .from(segmentMembers)
    .where(and(eq(segmentMembers.workspaceId, job.workspaceId), eq(segmentMembers.segmentId, segmentId)));
  await startedJob(deps.db, job.id, job.total ?? Number(n));
  let cursor = (job.params.cursor as string | undefined) ?? null;
  let done = job.done;
  for (;;) {
    const ids = await segmentMemberIds(deps.db, job.workspaceId, segmentId, cursor, BATCH);
    if (ids.length === 0) break;
    const errors: JobError[] = [];
    let succeeded = 0;
    let heldOut = 0;
    for (const contactId of ids) {
      try {
        const result = await enrollContact(deps, {
          workspaceId: job.workspaceId,
          journeyId,
          contactId,
          // The marketer chose this segment's members, whatever the journey's own trigger.
          force: true,
          trigger: {
            id: `bulk:${job.id}:${contactId}`,
            name: null,
            properties: { jobId: job.id, segmentId },
            timestamp: new Date().toISOString(),
          },
        });
        if (result.enrolled) succeeded += 1;
        else if (result.heldOut) heldOut += 1;
      } catch (error) {
        errors.push({ contactId, message: (error as Error).message });
      }
    }
    done += ids.length;
    cursor = ids[ids.length - 1];
    await recordProgress(deps.db, job, { done, succeeded, failed: errors.length, errors, cursor, heldOut });
    beat();
  }
}

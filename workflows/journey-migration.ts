import { ApplicationFailure, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { MigrationActivities } from '../engine/activities/journey-migration';

const { moveMigrationBatch, finishMigration, failMigration } = proxyActivities<MigrationActivities>({
  // One batch of signals (100 by default) takes seconds and beats with each signal; a worker
  // that dies mid-batch is noticed within 10 s and the batch is tried again (recorded runs are skipped).
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

/**
 * Moves a recorded journey migration's runs to their new version, batch by batch, durably: it
 * outlives the API process that started it and continues on another worker after a restart.
 */
export async function journeyMigration(input: {
  migrationId: string;
  batchSize?: number;
  /** Where a continued-as-new move goes on. */
  after?: string | null;
}): Promise<{ status: string; moved: number; kept: number; failed: number }> {
  const { migrationId, batchSize } = input;
  try {
    let after: string | null = input.after ?? null;
    for (;;) {
      // A very long move starts a fresh history now and then.
      if (workflowInfo().continueAsNewSuggested) {
        return continueAsNew<typeof journeyMigration>({ migrationId, batchSize, after });
      }
      const batch = await moveMigrationBatch({ migrationId, after, batchSize });
      if (batch.over) return { status: 'over', moved: batch.moved, kept: batch.kept, failed: batch.failed };
      if (batch.last === null) {
        await finishMigration({ migrationId });
        return { status: 'done', moved: batch.moved, kept: batch.kept, failed: batch.failed };
      }
      after = batch.last;
    }
  } catch (error) {
    await failMigration({ migrationId });
    throw ApplicationFailure.nonRetryable(
      `migration ${migrationId} failed: ${(error as Error).message}`,
      'MigrationFailed',
    );
  }
}

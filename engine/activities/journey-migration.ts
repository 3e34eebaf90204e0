import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { journeyMigrations } from '../../db/schema';
import {
  finishMigration,
  type MigrationRow,
  markMigrationFailed,
  moveMigrationBatch,
} from '../automation/runs/migration';

export interface MigrationActivityDeps {
  db: Db;
  /** The client that signals the runs; the worker's own client when absent. */
  temporal?: Client;
}

export interface MigrationBatchResult {
  /** The migration was finished or failed already (a repeat of the workflow): nothing to do. */
  over: boolean;
  moved: number;
  kept: number;
  failed: number;
  /** Where the next batch starts; null when every run was handled. */
  last: string | null;
}

/**
 * Activities of the `journeyMigration` workflow: the migration's runs are signalled here, in the
 * worker, a batch per activity, so an API restart does not stop them and a worker restart
 * resumes at the batch it was in (runs an earlier attempt recorded are not signalled again).
 */
export function createMigrationActivities({ db, temporal }: MigrationActivityDeps) {
  const load = async (migrationId: string): Promise<MigrationRow> => {
    const [migration] = await db
      .select()
      .from(journeyMigrations)
      .where(eq(journeyMigrations.id, migrationId));
    if (!migration) throw new Error(`migration ${migrationId} is gone`);
    return migration;
  };
  return {
    async moveMigrationBatch(input: {
      migrationId: string;
      after: string | null;
      batchSize?: number;
    }): Promise<MigrationBatchResult> {
      const migration = await load(input.migrationId);
      if (migration.status !== 'running') {
        return {
          over: true,
          moved: migration.moved,
          kept: migration.kept,
          failed: migration.failed,
          last: null,
        };
      }
      const context = Context.current();
      context.heartbeat();
      const { row, last } = await moveMigrationBatch(
        { db, temporal: temporal ?? context.client },
        migration,
        // The SDK throttles heartbeats: one per signal costs nothing and shows the batch alive.
        { after: input.after, batchSize: input.batchSize, onSignal: () => context.heartbeat() },
      );
      return { over: false, moved: row.moved, kept: row.kept, failed: row.failed, last };
    },
    async finishMigration(input: { migrationId: string }): Promise<void> {
      await finishMigration(db, input.migrationId);
    },
    async failMigration(input: { migrationId: string }): Promise<void> {
      await markMigrationFailed(db, input.migrationId);
    },
  };
}

export type MigrationActivities = ReturnType<typeof createMigrationActivities>;

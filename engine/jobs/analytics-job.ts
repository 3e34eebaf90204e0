import { z } from 'zod';
import type { Db } from '../../db';
import { affinityOptionsSchema, refreshAffinity } from '../analytics/affinity';
import { clusterOptionsSchema, refreshClusters } from '../analytics/clusters';
import { forecastOptionsSchema, refreshForecast } from '../analytics/forecast';
import { predictiveClvOptionsSchema, refreshPredictiveClv } from '../analytics/predictive-clv';
import { refreshRfm, rfmOptionsSchema } from '../analytics/rfm';
import { type JobRow, recordProgress, startedJob } from './jobs';

/** What an analytics job computes: one model with its options. */
export const analyticsJobSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('rfm'), options: rfmOptionsSchema.prefault({}) }),
  z.object({ model: z.literal('clv'), options: predictiveClvOptionsSchema.prefault({}) }),
  z.object({ model: z.literal('clusters'), options: clusterOptionsSchema.prefault({}) }),
  z.object({ model: z.literal('affinity'), options: affinityOptionsSchema.prefault({}) }),
  z.object({ model: z.literal('forecast'), options: forecastOptionsSchema.prefault({}) }),
]);
export type AnalyticsJob = z.input<typeof analyticsJobSchema>;

/**
 * Runs a model refresh, reporting steps as the job's progress (`done` of `total`). A retried
 * attempt recomputes from the start: every refresh replaces its results in one transaction.
 */
export async function runAnalyticsJob(db: Db, job: JobRow, beat: () => void): Promise<void> {
  const { model, options } = analyticsJobSchema.parse(job.params);
  const pending: Promise<void>[] = [];
  const step = (done: number) => {
    pending.push(recordProgress(db, job, { done, succeeded: 0, failed: 0, errors: [] }));
    beat();
  };
  switch (model) {
    case 'rfm':
      await startedJob(db, job.id, 1);
      await refreshRfm(db, job.workspaceId, options);
      step(1);
      break;
    case 'clv': {
      await startedJob(db, job.id, 4);
      await refreshPredictiveClv(db, job.workspaceId, options, (_name, done) => step(done), job.id);
      break;
    }
    case 'clusters': {
      await startedJob(db, job.id, options.k ? 1 : options.maxK - 1);
      await refreshClusters(db, job.workspaceId, options, (done) => step(done), job.id);
      break;
    }
    case 'affinity':
      await startedJob(db, job.id, 1);
      await refreshAffinity(db, job.workspaceId, options, job.id);
      step(1);
      break;
    case 'forecast':
      await startedJob(db, job.id, 1);
      await refreshForecast(db, job.workspaceId, options, job.id);
      step(1);
      break;
  }
  await Promise.all(pending);
}

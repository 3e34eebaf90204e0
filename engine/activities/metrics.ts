import { Counter, Registry } from 'prom-client';

/**
 * Counters of this process's activities. Process-wide on purpose: a worker is one process, and
 * `npm start` serves them on its own `/metrics`; separate workers keep their own counts.
 */
export const activityRegistry = new Registry();

export const nodeExecutions = new Counter({
  name: 'wayline_node_executions_total',
  help: 'Action nodes executed by this process, by node type and outcome (ok, retryable, fatal)',
  labelNames: ['node_type', 'outcome'] as const,
  registers: [activityRegistry],
});

export const activityFailures = new Counter({
  name: 'wayline_activity_failures_total',
  help: 'Activity attempts that failed in this process, by node type and whether Temporal retries them',
  labelNames: ['node_type', 'retryable'] as const,
  registers: [activityRegistry],
});

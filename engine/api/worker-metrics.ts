import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import type { Database } from '../../db';
import { activityRegistry } from '../activities/metrics';
import { registerDatabaseGauges } from './metrics';

export interface WorkerMetricsOptions {
  database: Database;
  host: string;
  /** 0 picks a free port (tests); the bound one is returned. */
  port: number;
  /** The states of this process's Temporal workers (`RUNNING`, `DRAINING`, `FAILED`, ...). */
  workerStates: () => string[];
}

export interface WorkerMetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The HTTP side of a `wayline worker` process (WAYLINE_METRICS_PORT): `GET /metrics` in the
 * Prometheus text format — this process's activity counters (node executions, activity
 * failures), its Temporal workers by state, and the instance-wide database gauges every API
 * instance serves too (sends per channel and outcome, runs by status, dispatch lag) — and
 * `GET /health`, 200 while every Temporal worker of the process runs and the database answers.
 */
export async function startWorkerMetrics(options: WorkerMetricsOptions): Promise<WorkerMetricsServer> {
  const registry = new Registry();
  registerDatabaseGauges(registry, options.database.db);
  new Gauge({
    name: 'wayline_worker_pollers',
    help: 'Temporal workers (the journey queue and one per channel queue) of this worker process, by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const state of options.workerStates()) counts.set(state, (counts.get(state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state: state.toLowerCase() }, n);
    },
  });
  const merged = Registry.merge([registry, activityRegistry]);

  const server = createServer((request, response) => {
    const url = request.url?.split('?')[0];
    if (request.method !== 'GET' || (url !== '/metrics' && url !== '/health')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'not_found', message: 'GET /metrics or GET /health' }));
      return;
    }
    if (url === '/metrics') {
      merged.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': merged.contentType });
          response.end(text);
        },
        (error: Error) => {
          // The database gauges need the database: say so rather than serve partial numbers.
          response.writeHead(503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: 'metrics_unavailable', message: error.message }));
        },
      );
      return;
    }
    const states = options.workerStates();
    const running = states.length > 0 && states.every((state) => state === 'RUNNING');
    options.database.ping().then(
      () => {
        response.writeHead(running ? 200 : 503, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ status: running ? 'ok' : 'degraded', workers: states, database: { ok: true } }),
        );
      },
      (error: Error) => {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            status: 'degraded',
            workers: states,
            database: { ok: false, error: error.message },
          }),
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

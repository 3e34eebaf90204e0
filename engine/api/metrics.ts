import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../../db';
import { journeyRuns, messages, outbox } from '../../db/schema';
import { activityRegistry } from '../activities/metrics';

/** The Segment-compatible tracking API and inbound hooks: what `wayline_ingest_*` counts. */
const INGEST_ROUTES = /^\/v1\/(track|identify|page|screen|group|alias|batch|hooks\/:id)$/;

/**
 * The Prometheus metrics of one API instance. Request counts are this process's; sends, runs and
 * dispatch lag are read from the database at scrape time, so every API instance reports the same
 * instance-wide totals whichever worker did the work. Aggregates only: no workspace, contact or
 * journey ids in labels.
 */
export function createMetrics(db: Db) {
  const registry = new Registry();
  const requests = new Counter({
    name: 'wayline_http_requests_total',
    help: 'HTTP requests answered by this API process, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const ingest = new Counter({
    name: 'wayline_ingest_requests_total',
    help: 'Tracking API and inbound hook requests answered by this API process, by endpoint and status code',
    labelNames: ['endpoint', 'status'] as const,
    registers: [registry],
  });
  const ingestSeconds = new Histogram({
    name: 'wayline_ingest_request_seconds',
    help: 'Time to answer a tracking API or inbound hook request',
    labelNames: ['endpoint'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  registerDatabaseGauges(registry, db);

  return {
    /** Counts every answered request; the route pattern, never the raw URL, keeps labels bounded. */
    observe(app: FastifyInstance) {
      app.addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions.url ?? 'unmatched';
        const status = String(reply.statusCode);
        requests.inc({ route, method: request.method, status });
        const endpoint = INGEST_ROUTES.exec(route)?.[1];
        if (endpoint) {
          ingest.inc({ endpoint, status });
          ingestSeconds.observe({ endpoint }, reply.elapsedTime / 1000);
        }
      });
    },
    contentType: registry.contentType,
    async text(): Promise<string> {
      return Registry.merge([registry, activityRegistry]).metrics();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Instance-wide gauges read from the database at scrape time: dispatch lag and outbox rows, the
 * message ledger by channel and outcome, journey runs by status. Served by every API instance
 * and by every `wayline worker` with a metrics port.
 */
export function registerDatabaseGauges(registry: Registry, db: Db): void {
  new Gauge({
    name: 'wayline_dispatch_lag_seconds',
    help: 'Age of the oldest event whose delivery to journeys is still pending in the outbox (0 when none)',
    registers: [registry],
    async collect() {
      const [row] = await db
        .select({
          lag: sql<number>`coalesce(extract(epoch from now() - min(${outbox.createdAt})), 0)::float8`,
        })
        .from(outbox)
        .where(sql`${outbox.status} = 'pending'`);
      this.set(Number(row?.lag ?? 0));
    },
  });
  new Gauge({
    name: 'wayline_outbox_rows',
    help: 'Outbox rows by status (pending, delivered within WAYLINE_OUTBOX_RETENTION_HOURS, dead)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ status: outbox.status, n: sql<number>`count(*)::int` })
        .from(outbox)
        .groupBy(outbox.status);
      this.reset();
      for (const r of rows) this.set({ status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'wayline_messages',
    help: 'Messages in the ledger by channel and status (sent, delivered, failed, suppressed, unknown, ...)',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ channel: messages.channel, status: messages.status, n: sql<number>`count(*)::int` })
        .from(messages)
        .groupBy(messages.channel, messages.status);
      this.reset();
      for (const r of rows) this.set({ channel: r.channel, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'wayline_journey_runs',
    help: 'Journey runs by status (running, completed, converted, exited, failed, cancelled)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ status: journeyRuns.status, n: sql<number>`count(*)::int` })
        .from(journeyRuns)
        .groupBy(journeyRuns.status);
      this.reset();
      for (const r of rows) this.set({ status: r.status }, r.n);
    },
  });
}

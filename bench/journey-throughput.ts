import { randomBytes } from 'node:crypto';
/**
 * Journey run throughput on the real Temporal dev server with PGlite: enrolls N contacts into a
 * three-node journey (trigger → branch → contact update), waits for every run to finish, and
 * reports enrollments per second, completed runs per second and the process's peak RSS.
 *
 *   npx tsx bench/journey-throughput.ts [runs=500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDb } from '../db';
import { contacts } from '../db/schema';
import { createJourney, publishJourney } from '../engine/automation/journeys/journeys';
import { createRegistry } from '../engine/automation/nodes';
import { enrollContact } from '../engine/automation/runs/enroll';
import { SecretBox } from '../engine/identity/secret-box';
import { createWorkspace } from '../engine/identity/workspaces';
import { findTemporalCli } from '../engine/temporal/binaries';
import { startDevServer } from '../engine/temporal/dev-server';
import { connectWorker, createJourneyWorker } from '../engine/temporal/worker';
import { freePort } from '../tests/helpers/ports';

const runs = Number(process.argv[2] ?? 500);
Runtime.install({ logger: new DefaultLogger('WARN') });
const root = path.resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wayline-bench-'));
const server = await startDevServer({
  binary: findTemporalCli({ root, log: () => {} }),
  dataDir: scratch,
  port: await freePort(),
  uiPort: await freePort(),
  namespace: 'default',
});
// PGlite in memory, or the Postgres server in DATABASE_URL.
const database = await createDb(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {});
const registry = createRegistry();
const connection = await connectWorker(server.address);
const taskQueue = 'bench';
const worker = await createJourneyWorker({
  connection,
  namespace: 'default',
  taskQueue,
  db: database.db,
  registry,
  secretBox: new SecretBox(randomBytes(32)),
});
const running = worker.run();
const client = new Client({ connection: await Connection.connect({ address: server.address }) });

const workspace = await createWorkspace(database.db, 'Bench');
const journey = await createJourney(database.db, workspace.id, {
  name: 'Throughput',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    { id: 'vip', type: 'branch.condition', config: { conditions: [{ kind: 'tag', tag: 'vip' }] } },
    { id: 'tag', type: 'contact.update', config: { addTags: ['seen'] } },
    { id: 'skip', type: 'exit', config: {} },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'vip' },
    { id: 'b', source: 'vip', sourceHandle: 'true', target: 'tag' },
    { id: 'c', source: 'vip', sourceHandle: 'false', target: 'skip' },
  ],
});
await publishJourney(database.db, registry, workspace.id, journey.id);
const people = await database.db
  .insert(contacts)
  .values(
    Array.from({ length: runs }, (_, i) => ({
      workspaceId: workspace.id,
      externalId: `b-${i}`,
      tags: i % 2 ? ['vip'] : [],
    })),
  )
  .returning({ id: contacts.id });

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const started = performance.now();
const ids: string[] = [];
for (let i = 0; i < people.length; i += 25) {
  const batch = await Promise.all(
    people
      .slice(i, i + 25)
      .map((p) =>
        enrollContact(
          { db: database.db, temporal: client, taskQueue },
          { workspaceId: workspace.id, journeyId: journey.id, contactId: p.id },
        ),
      ),
  );
  for (const r of batch) if (r.enrolled) ids.push(r.workflowId);
}
const enrolledAt = performance.now();
for (let i = 0; i < ids.length; i += 50) {
  await Promise.all(ids.slice(i, i + 50).map((id) => client.workflow.getHandle(id).result()));
}
const finishedAt = performance.now();
clearInterval(sampler);

const seconds = (ms: number) => ms / 1000;
console.log(
  JSON.stringify(
    {
      runs: ids.length,
      enrollPerSecond: Math.round(ids.length / seconds(enrolledAt - started)),
      completedPerSecond: Math.round(ids.length / seconds(finishedAt - started)),
      totalSeconds: Number(seconds(finishedAt - started).toFixed(1)),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    },
    null,
    2,
  ),
);

worker.shutdown();
await running;
await connection.close();
await client.connection.close();
await database.close();
await server.stop();
rmSync(scratch, { recursive: true, force: true });

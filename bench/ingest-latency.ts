/**
 * Event accepted → waiting run resumed. Starts its own Temporal dev server, a journey worker,
 * the API on a real port (PGlite in memory, or DATABASE_URL) and the outbox dispatcher, then
 * for each of N contacts: `track` a trigger event, wait until the run waits at a wait.event
 * node, `track` the awaited event over HTTP and time until the run has finished.
 *
 *   npx tsx bench/ingest-latency.ts [runs=50]
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { contacts, journeyRuns } from '../db/schema';
import { createJourney, publishJourney } from '../engine/automation/journeys/journeys';
import { statusQuery } from '../engine/automation/runs/signals';
import { createWorkspace } from '../engine/identity/workspaces';
import { startIngestStack, startJourneyApi } from './helpers/ingest-stack';

const runs = Number(process.argv[2] ?? 50);
const stack = await startIngestStack();
const { database, db, temporal, registry } = stack;
const api = await startJourneyApi(stack);
const { url } = api;

const workspace = await createWorkspace(db, 'Bench');
const journey = await createJourney(db, workspace.id, {
  name: 'Wait for go',
  nodes: [
    { id: 'start', type: 'trigger.event', config: { event: 'Start' } },
    { id: 'wait', type: 'wait.event', config: { event: 'Go', timeout: { amount: 1, unit: 'days' } } },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'matched', target: 'done' },
  ],
});
await publishJourney(db, registry, workspace.id, journey.id);

const auth = `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}`;
const track = async (userId: string, event: string) => {
  const response = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ userId, event, messageId: randomUUID() }),
  });
  if (response.status >= 300) throw new Error(`track answered ${response.status}: ${await response.text()}`);
  return response.status;
};

async function waitingRun(userId: string): Promise<string> {
  for (;;) {
    const [row] = await db
      .select({ workflowId: journeyRuns.workflowId })
      .from(journeyRuns)
      .innerJoin(contacts, eq(contacts.id, journeyRuns.contactId))
      .where(and(eq(contacts.workspaceId, workspace.id), eq(contacts.externalId, userId)));
    if (row) {
      try {
        const status = await temporal.workflow.getHandle(row.workflowId).query(statusQuery);
        if (status.cursor === 'wait') return row.workflowId;
      } catch {}
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const fromRequest: number[] = [];
const fromAnswer: number[] = [];
const statuses = new Map<number, number>();
for (let i = 0; i < runs; i += 1) {
  const userId = `bench-${i}`;
  await track(userId, 'Start');
  const handle = temporal.workflow.getHandle(await waitingRun(userId));
  const sent = performance.now();
  const status = await track(userId, 'Go');
  const answered = performance.now();
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  await handle.result();
  const resumed = performance.now();
  fromRequest.push(resumed - sent);
  fromAnswer.push(resumed - answered);
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(0);
};
console.log(
  `runs: ${runs}; database: ${database.driver}; answers: ${JSON.stringify(Object.fromEntries(statuses))}`,
);
for (const [label, values] of [
  ['request sent → run finished (ms)', fromRequest],
  ['202/200 answered → run finished (ms)', fromAnswer],
] as const) {
  console.log(`${label}: p50 ${pct(values, 50)}, p95 ${pct(values, 95)}, max ${pct(values, 100)}`);
}

await api.close();
await stack.close();

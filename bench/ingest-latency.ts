/**
 * Event accepted → waiting run resumed. Starts its own Temporal dev server, a journey worker,
 * the API on a real port (PGlite in memory, or DATABASE_URL) and the outbox dispatcher, then
 * for each of N contacts: `track` a trigger event, wait until the run waits at a wait.event
 * node, then send the awaited event and time until the run has finished: every other contact
 * over HTTP (`POST /v1/track`), the others signalled straight through the Temporal client, the
 * baseline measured in the same run. `BENCH_RUNS` rounds of `contacts` contacts each.
 *
 *   npx tsx bench/ingest-latency.ts [contacts=50]
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { contacts, journeyRuns } from '../db/schema';
import { createJourney, publishJourney } from '../engine/automation/journeys/journeys';
import { signalRunsWithEvent } from '../engine/automation/runs/run-control';
import { statusQuery } from '../engine/automation/runs/signals';
import { createWorkspace } from '../engine/identity/workspaces';
import { startIngestStack, startJourneyApi } from './helpers/ingest-stack';
import { benchRuns, loadAverage, reportResult } from './helpers/report';

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

/**
 * One round: for each contact, alternately, the awaited `Go` tracked over HTTP (Wayline: write
 * key, validation, store, outbox, dispatcher) or signalled straight to its run through the
 * Temporal client (the baseline: what Temporal alone takes to resume and finish the run).
 */
async function round(first: number) {
  const fromRequest: number[] = [];
  const fromAnswer: number[] = [];
  const direct: number[] = [];
  for (let i = first; i < first + runs; i += 1) {
    const userId = `bench-${i}`;
    await track(userId, 'Start');
    const handle = temporal.workflow.getHandle(await waitingRun(userId));
    const sent = performance.now();
    if (i % 2 === 1) {
      await signalRunsWithEvent(temporal, [handle.workflowId], {
        id: randomUUID(),
        name: 'Go',
        properties: {},
        timestamp: new Date().toISOString(),
      });
      await handle.result();
      direct.push(performance.now() - sent);
      continue;
    }
    const status = await track(userId, 'Go');
    const answered = performance.now();
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    await handle.result();
    const resumed = performance.now();
    fromRequest.push(resumed - sent);
    fromAnswer.push(resumed - answered);
  }
  return { fromRequest, fromAnswer, direct };
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const statuses = new Map<number, number>();
const rounds = benchRuns();
const measured: Awaited<ReturnType<typeof round>>[] = [];
for (let r = 0; r < rounds; r += 1) {
  const result = await round(r * runs);
  measured.push(result);
  console.log(`round ${r + 1}: database: ${database.driver}; load average ${loadAverage()}`);
  for (const [label, values] of [
    ['request sent → run finished (ms)', result.fromRequest],
    ['200/202 answered → run finished (ms)', result.fromAnswer],
    ['baseline: signalled through the Temporal client → run finished (ms)', result.direct],
  ] as const) {
    console.log(
      `  ${label}: p50 ${pct(values, 50).toFixed(0)}, p99 ${pct(values, 99).toFixed(0)}, max ${pct(values, 100).toFixed(0)}`,
    );
  }
}
console.log(`contacts per round: ${runs}; answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
reportResult({
  name: 'event accepted → waiting run finished, p99',
  baseline: 'the same runs signalled straight through the Temporal client',
  unit: 'ms',
  values: measured.map((m) => pct(m.fromRequest, 99)),
  baselineValues: measured.map((m) => pct(m.direct, 99)),
  note: `goal: resumed within 1 s of the event; p50 ${measured.map((m) => pct(m.fromRequest, 50).toFixed(0)).join(', ')} ms`,
});

await api.close();
await stack.close();

import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db';
import { nodeVisits } from '../../../db/schema';
import type { JourneyGraphInput } from '../../../engine/automation/journeys/model';

/** v1 of a journey whose runs wait: trigger → wait a day → tag "v1". */
export const waitingJourney: JourneyGraphInput = {
  name: 'Waiting runs',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
    { id: 'tag-old', type: 'contact.update', config: { addTags: ['v1'] } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'wait' },
    { id: 'e2', source: 'wait', target: 'tag-old' },
  ],
};

/** v2: the wait shortened to `seconds` (over for runs already waiting longer), then tag "v2". */
export function shortenedJourney(seconds: number): JourneyGraphInput {
  return {
    ...waitingJourney,
    nodes: [
      waitingJourney.nodes[0],
      { id: 'wait', type: 'wait.duration', config: { duration: { amount: seconds, unit: 'seconds' } } },
      { id: 'tag-new', type: 'contact.update', config: { addTags: ['v2'] } },
    ],
    edges: [waitingJourney.edges[0], { id: 'e3', source: 'wait', target: 'tag-new' }],
  };
}

/** A run's recorded visits in the order entered, as `v<version>:<node>#<visit>:<port>`. */
export async function versionedVisits(db: Db, workflowId: string): Promise<string[]> {
  const rows = await db
    .select()
    .from(nodeVisits)
    .where(eq(nodeVisits.workflowId, workflowId))
    .orderBy(asc(nodeVisits.enteredAt), asc(nodeVisits.id));
  return rows.map((v) => `v${v.version}:${v.nodeId}#${v.visit}:${v.port}`);
}

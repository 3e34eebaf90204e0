import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { nodeVisits } from '../../../db/schema';
import { journeyFunnel } from '../../../engine/analytics/journey-funnel';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';

describe.each(databaseKinds())('journey funnel from node visits (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  const journeyId = randomUUID();

  beforeAll(async () => {
    database = await openTestDb(kind);
    workspaceId = (await createWorkspace(database.db, 'Journey funnel')).id;
    const t0 = Date.parse('2026-05-01T00:00:00Z');
    // Runs r0..r3 reach "email"; r0..r2 then "wait" (1, 2, 3 h later); r0 then "offer", twice
    // (a loop counts once); r3 reaches "offer" without "wait" and does not count there.
    const paths: Record<string, [string, number][]> = {
      r0: [
        ['email', 0],
        ['wait', 1],
        ['offer', 2],
        ['offer', 5],
      ],
      r1: [
        ['email', 0],
        ['wait', 2],
      ],
      r2: [
        ['email', 0],
        ['wait', 3],
      ],
      r3: [
        ['email', 0],
        ['offer', 1],
      ],
    };
    const rows = Object.entries(paths).flatMap(([run, visits]) =>
      visits.map(([nodeId, hours], i) => ({
        workspaceId,
        journeyId,
        version: 1,
        workflowId: run,
        nodeId,
        visit: visits.slice(0, i).filter(([n]) => n === nodeId).length + 1,
        enteredAt: new Date(t0 + hours * 3_600_000),
      })),
    );
    await database.db.insert(nodeVisits).values(rows);
  });
  afterAll(async () => database?.close());

  it('counts runs that reached each node after every node before it, with drop-off and median time', async () => {
    const steps = await journeyFunnel(database.db, workspaceId, {
      journeyId,
      nodeIds: ['email', 'wait', 'offer'],
    });
    expect(steps.map((s) => s.runs)).toEqual([4, 3, 1]);
    expect(steps.map((s) => s.dropOff)).toEqual([0, 1, 2]);
    expect(steps[1].conversion).toBeCloseTo(0.75, 10);
    expect(steps[1].medianSeconds).toBe(2 * 3600);
    expect(steps[2].medianSeconds).toBe(3600);
    expect(steps[0].medianSeconds).toBeNull();
  });
});

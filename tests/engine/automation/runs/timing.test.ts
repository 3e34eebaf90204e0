import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { nodeVisits } from '../../../../db/schema';
import { journeyTiming } from '../../../../engine/automation/runs/timing';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../../helpers/databases';
import { publishGraph } from '../../../helpers/fixtures';

describe.each(databaseKinds())('per-node timing (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('gives the median and p95 time in each node, and send drift with deferred sends apart', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Timing');
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'Timed',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'hours' } } },
        { id: 'mail', type: 'email.send', config: { template: 'x' } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'wait' },
        { id: 'e2', source: 'wait', target: 'mail' },
      ],
    });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const visit = (run: number, nodeId: string, ms: number | null, outcome?: Record<string, unknown>) => ({
      workspaceId: workspace.id,
      journeyId: journey.id,
      version: 1,
      workflowId: `run-${run}`,
      nodeId,
      visit: 1,
      port: ms === null ? null : 'next',
      outcome: outcome ?? null,
      enteredAt: new Date(t0),
      leftAt: ms === null ? null : new Date(t0 + ms),
    });
    await db.insert(nodeVisits).values([
      // wait: 1, 2, 3, 4, 5 s, and one still waiting (not timed).
      ...[1, 2, 3, 4, 5].map((s, i) => visit(i, 'wait', s * 1000)),
      visit(9, 'wait', null),
      // mail: on time after 100 and 300 ms; one deferred by quiet hours for an hour.
      visit(0, 'mail', 100),
      visit(1, 'mail', 300),
      visit(2, 'mail', 3_600_000, { deferredUntil: ['2026-01-01T01:00:00Z'], deferredFor: ['quiet-hours'] }),
    ]);
    const timing = await journeyTiming(db, workspace.id, journey.id);
    expect(timing.version).toBe(1);
    // percentile_cont over 1000..5000: median 3000; p95 = 1000 + 0.95 × (5000 − 1000) = 4800.
    expect(timing.nodes.find((n) => n.nodeId === 'wait')).toEqual({
      nodeId: 'wait',
      visits: 5,
      medianMs: 3000,
      p95Ms: 4800,
    });
    // All three sends: median 300; p95 = 300 + 0.9 × (3 600 000 − 300) = 3 240 030.
    // On time (100, 300): median 200; p95 = 100 + 0.95 × 200 = 290. Deferred: the one hour.
    expect(timing.nodes.find((n) => n.nodeId === 'mail')).toEqual({
      nodeId: 'mail',
      visits: 3,
      medianMs: 300,
      p95Ms: 3_240_030,
      send: {
        onTime: { visits: 2, medianMs: 200, p95Ms: 290 },
        deferred: { visits: 1, medianMs: 3_600_000, p95Ms: 3_600_000 },
        deferredBy: {
          quietHours: { visits: 1, medianMs: 3_600_000, p95Ms: 3_600_000 },
          frequencyCap: { visits: 0, medianMs: 0, p95Ms: 0 },
          other: { visits: 0, medianMs: 0, p95Ms: 0 },
        },
      },
    });
  });

  it('splits deferred sends by the reason of their first deferral (journey rules included)', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Timing reasons');
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'Reasons',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'mail', type: 'email.send', config: { template: 'x' } },
      ],
      edges: [{ id: 'e1', source: 'start', target: 'mail' }],
    });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const sent = (run: number, ms: number, deferredFor?: string[]) => ({
      workspaceId: workspace.id,
      journeyId: journey.id,
      version: 1,
      workflowId: `r-${run}`,
      nodeId: 'mail',
      visit: 1,
      port: 'next',
      outcome: deferredFor ? { deferredUntil: deferredFor.map(() => 'x'), deferredFor } : null,
      enteredAt: new Date(t0),
      leftAt: new Date(t0 + ms),
    });
    await db.insert(nodeVisits).values([
      sent(0, 50),
      sent(1, 1_000, ['quiet-hours']),
      sent(2, 3_000, ['journey-quiet-hours']),
      sent(3, 10_000, ['frequency-cap until 2026-01-01T01:00:00Z', 'quiet-hours']),
      sent(4, 20_000, ['journey-frequency-cap']),
      sent(5, 500, ['rate']),
      // Recorded before reasons were kept.
      { ...sent(6, 700), outcome: { deferredUntil: ['x'] } },
    ]);
    const mail = (await journeyTiming(db, workspace.id, journey.id)).nodes.find((n) => n.nodeId === 'mail')!;
    // Quiet hours 1000 and 3000 ms: median 2000, p95 = 1000 + 0.95 × 2000 = 2900.
    // Caps (first reason) 10 000 and 20 000: median 15 000, p95 = 10 000 + 0.95 × 10 000 = 19 500.
    // Other: 500 and 700: median 600, p95 = 500 + 0.95 × 200 = 690.
    expect(mail.send).toEqual({
      onTime: { visits: 1, medianMs: 50, p95Ms: 50 },
      // 500, 700, 1000, 3000, 10 000, 20 000: median 2000; p95 = 10 000 + 0.25 × 10 000 = 17 500.
      deferred: { visits: 6, medianMs: 2_000, p95Ms: 17_500 },
      deferredBy: {
        quietHours: { visits: 2, medianMs: 2_000, p95Ms: 2_900 },
        frequencyCap: { visits: 2, medianMs: 15_000, p95Ms: 19_500 },
        other: { visits: 2, medianMs: 600, p95Ms: 690 },
      },
    });
  });
});

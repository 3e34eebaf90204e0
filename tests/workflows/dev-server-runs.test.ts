import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts, journeyRuns, nodeVisits } from '../../db/schema';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { databaseKinds } from '../helpers/databases';
import { enroller, pathOf, publishGraph, runToEnd, workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

describe.each(databaseKinds())('journey runs on the real Temporal dev server (%s)', (kind) => {
  const stack = journeyStack('dev-server', { database: kind });

  it('runs a journey to completion', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'Tag VIPs',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'short', type: 'wait.duration', config: { duration: { amount: 1, unit: 'seconds' } } },
        {
          id: 'vip',
          type: 'branch.condition',
          config: {
            conditions: [{ kind: 'attribute', path: 'email', op: 'contains', value: '@example.com' }],
          },
        },
        { id: 'tag', type: 'contact.update', config: { addTags: ['vip'] } },
        { id: 'list', type: 'list.add', config: { list: 'VIPs' } },
        { id: 'done', type: 'exit', config: {} },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'short' },
        { id: 'b', source: 'short', target: 'vip' },
        { id: 'c', source: 'vip', sourceHandle: 'true', target: 'tag' },
        { id: 'd', source: 'vip', sourceHandle: 'false', target: 'done' },
        { id: 'e', source: 'tag', target: 'list' },
        { id: 'f', source: 'list', target: 'done' },
      ],
    });
    const { workflowId, result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    expect(result.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual([
      'start:next',
      'short:next',
      'vip:true',
      'tag:next',
      'list:next',
      'done',
    ]);
  });

  // The 1,000-run split is the heaviest test in the suite: it runs once, on the server database
  // when there is one (its pool under real concurrency), else on PGlite.
  if (kind === databaseKinds().at(-1)) {
    it('splits 1,000 runs within ±5 points of a 70/30 weighting', async () => {
      const { db, temporal } = stack;
      const { workspace } = await workspaceWithContact(db);
      const { journey } = await publishGraph(db, workspace.id, {
        name: 'A/B',
        nodes: [
          { id: 'start', type: 'trigger.manual', config: {} },
          {
            id: 'split',
            type: 'split.random',
            config: {
              branches: [
                { port: 'a', weight: 70 },
                { port: 'b', weight: 30 },
              ],
            },
          },
          { id: 'end-a', type: 'exit', config: {} },
          { id: 'end-b', type: 'exit', config: {} },
        ],
        edges: [
          { id: 'e1', source: 'start', target: 'split' },
          { id: 'e2', source: 'split', sourceHandle: 'a', target: 'end-a' },
          { id: 'e3', source: 'split', sourceHandle: 'b', target: 'end-b' },
        ],
      });
      const people = await db
        .insert(contacts)
        .values(
          Array.from({ length: 1000 }, (_, i) => ({ workspaceId: workspace.id, externalId: `ab-${i}` })),
        )
        .returning({ id: contacts.id });
      const enroll = enroller(db, temporal);
      const workflowIds: string[] = [];
      for (let i = 0; i < people.length; i += 25) {
        const batch = await Promise.all(
          people
            .slice(i, i + 25)
            .map((p) => enroll({ workspaceId: workspace.id, journeyId: journey.id, contactId: p.id })),
        );
        for (const r of batch) if (r.enrolled) workflowIds.push(r.workflowId);
      }
      expect(workflowIds).toHaveLength(1000);
      for (let i = 0; i < workflowIds.length; i += 50) {
        await Promise.all(
          workflowIds
            .slice(i, i + 50)
            .map((id) => temporal.client.workflow.getHandle(id).result() as Promise<JourneyRunResult>),
        );
      }
      const rows = await db
        .select({ port: nodeVisits.port, n: count() })
        .from(nodeVisits)
        .where(and(eq(nodeVisits.journeyId, journey.id), eq(nodeVisits.nodeId, 'split')))
        .groupBy(nodeVisits.port);
      const byPort = Object.fromEntries(rows.map((r) => [r.port, Number(r.n)]));
      expect(byPort.a + byPort.b).toBe(1000);
      expect(Math.abs(byPort.a / 10 - 70)).toBeLessThanOrEqual(5);
      const [{ completed }] = await db
        .select({ completed: count() })
        .from(journeyRuns)
        .where(and(eq(journeyRuns.journeyId, journey.id), eq(journeyRuns.status, 'completed')));
      expect(Number(completed)).toBe(1000);
    }, 240_000);
  }
});

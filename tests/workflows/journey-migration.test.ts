import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts, journeyRunMigrations, journeyRuns, nodeVisits } from '../../db/schema';
import { publishJourney, saveDraft } from '../../engine/automation/journeys/journeys';
import type { JourneyGraphInput } from '../../engine/automation/journeys/model';
import { createRegistry } from '../../engine/automation/nodes';
import { enrollContact } from '../../engine/automation/runs/enroll';
import { previewMigration } from '../../engine/automation/runs/migration';
import { createWorkspace } from '../../engine/identity/workspaces';
import { createTemplate } from '../../engine/messaging/templates/templates';
import { migrateJourneyRuns } from '../../engine/operations/journey-lifecycle';
import { eventually } from '../engine/audience/ingest/ingest-harness';
import { databaseKinds } from '../helpers/databases';
import { publishGraph } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

/** How many waiting runs move: 120 in the suite; `MIGRATION_RUNS=1000 npx vitest run tests/workflows/journey-migration.test.ts` moves 1,000. */
const RUNS = Number(process.env.MIGRATION_RUNS ?? 120);

/** v1: trigger → wait 1 day → tag "v1". */
const v1: JourneyGraphInput = {
  name: 'Migrated',
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

/**
 * v2: a welcome email before the wait (runs already waiting never pass it: the preview says
 * they skip it), the wait shortened to 2 seconds (already over for runs that entered earlier:
 * with "fire" they continue at once), and tag "v2" instead of "v1".
 */
const v2: JourneyGraphInput = {
  name: 'Migrated',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    { id: 'hello', type: 'email.send', config: { template: 'hello' } },
    { id: 'wait', type: 'wait.duration', config: { duration: { amount: 2, unit: 'seconds' } } },
    { id: 'tag-new', type: 'contact.update', config: { addTags: ['v2'] } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'hello' },
    { id: 'e0', source: 'hello', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', target: 'tag-new' },
  ],
};

describe.each(databaseKinds())(
  'migrating running runs to a new version (real Temporal dev server, %s)',
  (kind) => {
    const stack = journeyStack('dev-server', { database: kind });
    const registry = createRegistry();

    async function enrolled(workspaceId: string, journeyId: string, count: number): Promise<string[]> {
      const rows = await stack.db
        .insert(contacts)
        .values(
          Array.from({ length: count }, (_, i) => ({
            workspaceId,
            externalId: `c-${i}`,
            email: `c${i}@example.com`,
          })),
        )
        .returning({ id: contacts.id });
      const deps = { db: stack.db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue };
      const ids: string[] = [];
      for (let i = 0; i < rows.length; i += 20) {
        const results = await Promise.all(
          rows
            .slice(i, i + 20)
            .map((row) => enrollContact(deps, { workspaceId, journeyId, contactId: row.id })),
        );
        for (const result of results) {
          if (!result.enrolled) throw new Error(result.reason);
          ids.push(result.workflowId);
        }
      }
      // Every run waits at "wait" (its open visit is recorded).
      await eventually(async () => {
        const waiting = await stack.db
          .select({ id: nodeVisits.id })
          .from(nodeVisits)
          .where(and(eq(nodeVisits.journeyId, journeyId), eq(nodeVisits.nodeId, 'wait')));
        return waiting.length === count;
      }, 120_000);
      return ids;
    }

    it(`previews, then moves ${RUNS} waiting runs onto the new path, each once`, async () => {
      const { db } = stack;
      const workspace = await createWorkspace(db, 'Migrations');
      await createTemplate(db, workspace.id, {
        name: 'hello',
        channel: 'email',
        subject: 'Hi',
        body: 'Hello',
      });
      const { journey } = await publishGraph(db, workspace.id, v1, registry);
      const workflowIds = await enrolled(workspace.id, journey.id, RUNS);
      await saveDraft(db, workspace.id, journey.id, v2);
      await publishJourney(db, registry, workspace.id, journey.id);
      // The runs entered "wait" more than 2 seconds ago: in v2 their wait is over.
      await new Promise((resolve) => setTimeout(resolve, 2_500));

      const preview = await previewMigration(db, workspace.id, journey.id);
      expect(preview).toMatchObject({
        toVersion: 2,
        total: RUNS,
        moving: RUNS,
        staying: 0,
        unmappedNodes: [],
      });
      expect(preview.groups).toEqual([
        {
          fromVersion: 1,
          fromNode: 'wait',
          fromType: 'wait.duration',
          toNode: 'wait',
          how: 'same-node',
          runs: RUNS,
          skipsSends: [{ nodeId: 'hello', runs: RUNS }],
          repeatsSends: [],
          pastTimers: RUNS,
          inAction: 0,
        },
      ]);
      // A dry run moves nothing.
      const [stillV1] = await db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowIds[0]));
      expect(stillV1.version).toBe(1);

      const started = Date.now();
      const { migration, done } = await migrateJourneyRuns(
        { db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue },
        workspace.id,
        journey.id,
        {},
        'test',
      );
      const finished = await done;
      expect(finished).toMatchObject({ status: 'done', total: RUNS, moved: RUNS, kept: 0, failed: 0 });
      const runs = await eventually(async () => {
        const rows = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
        return rows.every((r) => r.status === 'completed') ? rows : undefined;
      }, 180_000);
      console.log(`${RUNS} runs migrated and completed in ${Date.now() - started} ms`);
      expect(runs).toHaveLength(RUNS);
      expect(runs.every((r) => r.version === 2)).toBe(true);

      const visits = await db.select().from(nodeVisits).where(eq(nodeVisits.journeyId, journey.id));
      const perRun = new Map<string, string[]>();
      for (const v of visits.sort((a, b) => a.enteredAt.getTime() - b.enteredAt.getTime() || a.id - b.id)) {
        perRun.set(v.workflowId, [
          ...(perRun.get(v.workflowId) ?? []),
          `v${v.version}:${v.nodeId}#${v.visit}:${v.port}`,
        ]);
      }
      for (const id of workflowIds) {
        // The wait's first visit ends "migrated" on v1; the run re-enters it on v2 (visit 2) and
        // takes the new path once: never the old tag, never the skipped email.
        expect(perRun.get(id)).toEqual([
          'v1:start#1:next',
          'v1:wait#1:migrated',
          'v2:wait#2:next',
          'v2:tag-new#1:next',
        ]);
      }
      const tagged = await db
        .select({ tags: contacts.tags })
        .from(contacts)
        .where(eq(contacts.workspaceId, workspace.id));
      expect(tagged.every((c) => JSON.stringify(c.tags) === '["v2"]')).toBe(true);
      const history = await db
        .select()
        .from(journeyRunMigrations)
        .where(eq(journeyRunMigrations.migrationId, migration.id));
      expect(history).toHaveLength(RUNS);
      expect(new Set(history.map((h) => h.workflowId)).size).toBe(RUNS);
      expect(
        history.every((h) => h.status === 'signalled' && h.fromNode === 'wait' && h.toNode === 'wait'),
      ).toBe(true);

      // Applying again finds nothing left on an earlier version.
      const again = await migrateJourneyRuns(
        { db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue },
        workspace.id,
        journey.id,
        {},
        'test',
        { wait: true },
      );
      expect(await again.done).toMatchObject({ total: 0, moved: 0 });
    }, 400_000);

    it('maps a removed node, lets runs at an unmapped one finish on their version, and refuses an unknown target', async () => {
      const { db } = stack;
      const workspace = await createWorkspace(db, 'Mapped');
      const { journey } = await publishGraph(db, workspace.id, v1, registry);
      const ids = await enrolled(workspace.id, journey.id, 4);
      // v3-like: the wait is renamed "pause" (2 s); without a mapping its runs stay on v1.
      const renamed: JourneyGraphInput = {
        ...v1,
        nodes: [
          v1.nodes[0],
          { id: 'pause', type: 'wait.duration', config: { duration: { amount: 2, unit: 'seconds' } } },
          { id: 'tag-new', type: 'contact.update', config: { addTags: ['v2'] } },
        ],
        edges: [
          { id: 'e1', source: 'start', target: 'pause' },
          { id: 'e2', source: 'pause', target: 'tag-new' },
        ],
      };
      await saveDraft(db, workspace.id, journey.id, renamed);
      await publishJourney(db, registry, workspace.id, journey.id);
      const unmapped = await previewMigration(db, workspace.id, journey.id);
      expect(unmapped).toMatchObject({ moving: 0, staying: 4, unmappedNodes: ['wait'] });
      expect(unmapped.groups[0]).toMatchObject({ fromNode: 'wait', toNode: null, how: 'unmapped', runs: 4 });
      await expect(
        previewMigration(db, workspace.id, journey.id, { mapping: { wait: 'nowhere' } }),
      ).rejects.toMatchObject({ code: 'mapping_target_unknown', field: 'mapping.wait' });

      const mapped = await previewMigration(db, workspace.id, journey.id, {
        mapping: { wait: 'pause' },
        pastTimers: 'restart',
      });
      expect(mapped.groups[0]).toMatchObject({ toNode: 'pause', how: 'mapped', runs: 4, pastTimers: 0 });
      const deps = { db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue };
      const { done } = await migrateJourneyRuns(
        deps,
        workspace.id,
        journey.id,
        { mapping: { wait: 'pause' }, pastTimers: 'restart' },
        null,
      );
      expect(await done).toMatchObject({ moved: 4 });
      await eventually(async () => {
        const rows = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
        return rows.every((r) => r.status === 'completed' && r.version === 2);
      }, 60_000);
      const paths = await db
        .select()
        .from(nodeVisits)
        .where(and(eq(nodeVisits.workflowId, ids[0])));
      expect(paths.map((v) => `${v.nodeId}:${v.port}`).sort()).toEqual(
        ['start:next', 'wait:migrated', 'pause:next', 'tag-new:next'].sort(),
      );
    }, 200_000);
  },
);

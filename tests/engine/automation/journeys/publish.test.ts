import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { journeys } from '../../../../db/schema';
import {
  createJourney,
  JourneyNotPublishable,
  listVersions,
  publishJourney,
} from '../../../../engine/automation/journeys/journeys';
import type { JourneyGraphInput } from '../../../../engine/automation/journeys/model';
import { problemCodes } from '../../../../engine/automation/journeys/validate';
import { createRegistry } from '../../../../engine/automation/nodes';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../../helpers/databases';

const trigger = { id: 'start', type: 'trigger.manual', config: {} };
const tag = (id: string) => ({ id, type: 'contact.update', config: { addTags: [id] } });
const edge = (id: string, source: string, target: string, sourceHandle = 'next') => ({
  id,
  source,
  target,
  sourceHandle,
});
const graph = (nodes: unknown[], edges: unknown[] = [], settings?: unknown) =>
  ({ name: 'Broken', nodes, edges, settings }) as JourneyGraphInput;

/** One graph per error code, each with that problem. */
const invalidGraphs: Record<string, JourneyGraphInput> = {
  node_id_duplicate: graph([trigger, tag('a'), tag('a')], [edge('e1', 'start', 'a')]),
  edge_id_duplicate: graph([trigger, tag('a'), tag('b')], [edge('e1', 'start', 'a'), edge('e1', 'a', 'b')]),
  trigger_missing: graph([tag('a')]),
  trigger_extra: graph(
    [trigger, { ...trigger, id: 'second' }, tag('a')],
    [edge('e1', 'start', 'a'), edge('e2', 'second', 'a')],
  ),
  node_type_unknown: graph(
    [trigger, { id: 'x', type: 'magic.wand', config: {} }],
    [edge('e1', 'start', 'x')],
  ),
  node_version_unknown: graph([trigger, { ...tag('a'), version: 9 }], [edge('e1', 'start', 'a')]),
  config_invalid: graph(
    [trigger, { id: 'w', type: 'wait.duration', config: { duration: { amount: -1, unit: 'days' } } }],
    [edge('e1', 'start', 'w')],
  ),
  edge_dangling: graph([trigger, tag('a')], [edge('e1', 'start', 'a'), edge('e2', 'a', 'nowhere')]),
  port_unknown: graph([trigger, tag('a')], [edge('e1', 'start', 'a', 'sideways')]),
  port_multiple_edges: graph(
    [trigger, tag('a'), tag('b')],
    [edge('e1', 'start', 'a'), edge('e2', 'start', 'b')],
  ),
  edge_into_trigger: graph(
    [trigger, { id: 'w', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } }],
    [edge('e1', 'start', 'w'), edge('e2', 'w', 'start')],
  ),
  node_unreachable: graph([trigger, tag('a'), tag('island')], [edge('e1', 'start', 'a')]),
  cycle_without_wait: graph(
    [trigger, tag('a'), tag('b')],
    [edge('e1', 'start', 'a'), edge('e2', 'a', 'b'), edge('e3', 'b', 'a')],
  ),
  reentry_interval_required: graph([trigger, tag('a')], [edge('e1', 'start', 'a')], {
    reEntry: { mode: 'always' },
  }),
  timezone_invalid: graph([trigger, tag('a')], [edge('e1', 'start', 'a')], { timezone: 'Mars/Olympus' }),
  reenter_at_exit_needs_reentry: graph(
    [{ id: 'start', type: 'trigger.segment', config: { segmentId: 'seg', reenterAtExit: true } }, tag('a')],
    [edge('e1', 'start', 'a')],
  ),
  same_key_without_key: graph([trigger, tag('a')], [edge('e1', 'start', 'a')], {
    exitCriteria: [{ event: 'Cart Recovered', sameKey: true }],
  }),
  graph_invalid: { name: '', nodes: 'none' } as unknown as JourneyGraphInput,
};

describe.each(databaseKinds())('publishing an invalid journey (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  const registry = createRegistry();

  beforeAll(async () => {
    database = await openTestDb(kind);
    workspaceId = (await createWorkspace(database.db, 'Publishing')).id;
  });
  afterAll(() => database?.close());

  it('has an invalid graph for every error code the validator can report', () => {
    const errorCodes = problemCodes.filter((code) => code !== 'port_unconnected');
    expect(Object.keys(invalidGraphs).sort()).toEqual([...errorCodes].sort());
  });

  it.each(Object.entries(invalidGraphs))(
    'refuses to publish a graph with %s and stores no version',
    async (code, draft) => {
      const { db } = database;
      const journey =
        code === 'graph_invalid'
          ? await createJourney(db, workspaceId, graph([trigger]))
          : await createJourney(db, workspaceId, draft);
      if (code === 'graph_invalid') {
        // The API never stores such a draft; an old or hand-edited row must still not publish.
        await db
          .update(journeys)
          .set({ draft: draft as never })
          .where(eq(journeys.id, journey.id));
      }
      const attempt = publishJourney(db, registry, workspaceId, journey.id);
      await expect(attempt).rejects.toBeInstanceOf(JourneyNotPublishable);
      const error = await attempt.catch((e: JourneyNotPublishable) => e);
      const problems = (error as JourneyNotPublishable).details?.problems as { code: string }[];
      expect(problems.map((p) => p.code)).toContain(code);
      expect(await listVersions(db, workspaceId, journey.id)).toEqual([]);
    },
  );
});

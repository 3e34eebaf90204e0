import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { diffJourneys } from '../../../engine/automation/journeys/diff';
import { publishJourney, saveDraft } from '../../../engine/automation/journeys/journeys';
import type { JourneyGraphInput } from '../../../engine/automation/journeys/model';
import { diffVersions } from '../../../engine/automation/journeys/version-diff';
import { createRegistry } from '../../../engine/automation/nodes';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { publishGraph } from '../../helpers/fixtures';

/** trigger → wait 1 day → tag "a" → exit. */
const v1: JourneyGraphInput = {
  name: 'Diffed',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {}, position: { x: 0, y: 0 } },
    { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
    { id: 'tag', type: 'contact.update', label: 'Tag', config: { addTags: ['a'] } },
    { id: 'done', type: 'exit', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'wait' },
    { id: 'e2', source: 'wait', target: 'tag' },
    { id: 'e3', source: 'tag', sourceHandle: 'next', target: 'done' },
  ],
};

/**
 * The wait becomes 2 days (one field), the tag node is removed, a new "tag-b" takes its place
 * (wait's `next` rewired from tag to tag-b, tag-b → done added, tag → done removed), nodes
 * moved on the canvas (ignored) and re-entry changed.
 */
const v2: JourneyGraphInput = {
  name: 'Diffed',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {}, position: { x: 100, y: 50 } },
    { id: 'wait', type: 'wait.duration', config: { duration: { amount: 2, unit: 'days' } } },
    { id: 'tag-b', type: 'contact.update', label: 'Tag B', config: { addTags: ['b'] } },
    { id: 'done', type: 'exit', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'wait' },
    { id: 'e2', source: 'wait', target: 'tag-b' },
    { id: 'e4', source: 'tag-b', sourceHandle: 'next', target: 'done' },
  ],
  settings: { reEntry: { mode: 'after-exit' } },
};

describe('journey version diff', () => {
  it('lists nodes added, removed and changed by field, and edges rewired, ignoring positions', () => {
    const diff = diffJourneys(v1, v2);
    expect(diff.nodes).toEqual({
      added: [{ id: 'tag-b', type: 'contact.update', label: 'Tag B' }],
      removed: [{ id: 'tag', type: 'contact.update', label: 'Tag' }],
      changed: [
        {
          id: 'wait',
          type: 'wait.duration',
          fields: [{ path: 'config.duration.amount', before: 1, after: 2 }],
        },
      ],
    });
    expect(diff.edges).toEqual({
      added: [{ source: 'tag-b', port: 'next', target: 'done' }],
      removed: [{ source: 'tag', port: 'next', target: 'done' }],
      rewired: [{ source: 'wait', port: 'next', before: 'tag', after: 'tag-b' }],
    });
    expect(diff.settings).toEqual([{ path: 'settings.reEntry', after: { mode: 'after-exit' } }]);
    expect(diff.same).toBe(false);
  });

  it('finds nothing between a graph and itself moved on the canvas', () => {
    const moved = { ...v1, nodes: v1.nodes.map((n) => ({ ...n, position: { x: 9, y: 9 } })) };
    expect(diffJourneys(v1, moved)).toMatchObject({ same: true, settings: [] });
  });
});

describe.each(databaseKinds())('version diff of a stored journey (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('compares two published versions, and the active version with the draft', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Diffs');
    const { journey } = await publishGraph(db, workspace.id, v1);
    await saveDraft(db, workspace.id, journey.id, v2);
    const draftDiff = await diffVersions(db, workspace.id, journey.id);
    expect(draftDiff).toMatchObject({ from: 1, to: 'draft' });
    expect(draftDiff.nodes.added.map((n) => n.id)).toEqual(['tag-b']);
    // Published versions have settings with defaults applied: re-entry mode changes from never.
    expect(draftDiff.settings).toEqual([
      { path: 'settings.reEntry.mode', before: 'never', after: 'after-exit' },
    ]);
    await publishJourney(db, createRegistry(), workspace.id, journey.id);
    const versions = await diffVersions(db, workspace.id, journey.id, { from: 1, to: 2 });
    expect(versions.nodes.changed.map((n) => n.id)).toEqual(['wait']);
    expect(versions.edges.rewired).toEqual([{ source: 'wait', port: 'next', before: 'tag', after: 'tag-b' }]);
    expect((await diffVersions(db, workspace.id, journey.id, { from: 2 })).same).toBe(true);
    await expect(diffVersions(db, workspace.id, journey.id, { from: 7 })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { channelStack } from '../../helpers/channel-stack';
import { eventually } from '../audience/ingest/ingest-harness';
import { workspaceCaller } from './api-call';
import { shortenedJourney, waitingJourney } from './migration-fixtures';

/**
 * Migrating over the API: a dry run moves nothing, a bad mapping is refused naming its field,
 * applying answers 202 and the migration's progress and per-run history follow (API, PGlite,
 * real Temporal test server).
 */
describe('journey migrations over the API (Temporal test server, PGlite)', () => {
  const stack = channelStack('time-skipping');
  let workspace: NewWorkspace;
  beforeAll(async () => {
    workspace = await createWorkspace(stack.db, 'Migrations API');
  });
  const call = workspaceCaller(
    () => stack.app,
    () => workspace.secretKey,
  );
  type RunsPage = { data: { workflowId: string; version: number; status: string }[] };

  it('previews as a dry run, refuses a bad mapping, applies, and records each run', async () => {
    const { body: journey } = await call<{ id: string }>('POST', '/v1/journeys', waitingJourney);
    expect((await call('POST', `/v1/journeys/${journey.id}/publish`)).status).toBe(201);
    const contactIds: string[] = [];
    for (const userId of ['m-1', 'm-2']) {
      contactIds.push((await call<{ id: string }>('POST', '/v1/contacts', { userId })).body.id);
    }
    expect((await call('POST', `/v1/journeys/${journey.id}/enroll`, { contactIds })).status).toBe(200);
    await eventually(async () => {
      const counts = await call<{ nodes: Record<string, { waiting: number }> }>(
        'GET',
        `/v1/journeys/${journey.id}/counts`,
      );
      return counts.body.nodes.wait?.waiting === 2;
    }, 30_000);
    expect((await call('PUT', `/v1/journeys/${journey.id}`, shortenedJourney(1))).status).toBe(200);
    expect((await call('POST', `/v1/journeys/${journey.id}/publish`)).status).toBe(201);

    // The dry run: both runs would move from "wait" to "wait"; nothing moves.
    const preview = await call<{ moving: number; groups: unknown[] }>(
      'POST',
      `/v1/journeys/${journey.id}/migrations/preview`,
      {},
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      toVersion: 2,
      total: 2,
      moving: 2,
      staying: 0,
      groups: [{ fromVersion: 1, fromNode: 'wait', toNode: 'wait', how: 'same-node', runs: 2 }],
    });
    const before = await call<RunsPage>('GET', `/v1/journeys/${journey.id}/runs`);
    expect(before.body.data.map((r) => r.version)).toEqual([1, 1]);
    expect((await call<unknown[]>('GET', `/v1/journeys/${journey.id}/migrations`)).body).toEqual({
      data: [],
    });

    // A mapping to a node the new version lacks: 400 naming the mapping, nothing recorded.
    const bad = await call<{ error: { field: string } }>('POST', `/v1/journeys/${journey.id}/migrations`, {
      mapping: { wait: 'nowhere' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('mapping.wait');
    expect((await call('GET', `/v1/journeys/${journey.id}/migrations`)).body).toEqual({ data: [] });

    const applied = await call<{ migration: { id: string; total: number } }>(
      'POST',
      `/v1/journeys/${journey.id}/migrations`,
      {},
    );
    expect(applied.status).toBe(202);
    expect(applied.body.migration.total).toBe(2);
    const migrationUrl = `/v1/journeys/${journey.id}/migrations/${applied.body.migration.id}`;
    const done = await eventually(async () => {
      const row = await call<{ status: string; moved: number; kept: number; failed: number }>(
        'GET',
        migrationUrl,
      );
      return row.body.status === 'done' ? row.body : undefined;
    }, 60_000);
    expect(done).toMatchObject({ moved: 2, kept: 0, failed: 0 });

    // The per-run history: each run once, from v1's wait to v2's, signalled.
    const history = await call<{ data: Record<string, unknown>[] }>('GET', `${migrationUrl}/runs`);
    expect(history.status).toBe(200);
    const runs = await eventually(async () => {
      const page = await call<RunsPage>('GET', `/v1/journeys/${journey.id}/runs`);
      return page.body.data.every((r) => r.version === 2 && r.status === 'completed')
        ? page.body.data
        : undefined;
    }, 60_000);
    expect(
      history.body.data.map((h) => [h.workflowId, h.fromVersion, h.fromNode, h.toNode, h.status]),
    ).toEqual(
      runs
        .map((r) => r.workflowId)
        .sort()
        .map((id) => [id, 1, 'wait', 'wait', 'signalled']),
    );
    // Another journey's id, or an unknown migration: 404.
    const other = await call<{ id: string }>('POST', '/v1/journeys', { ...waitingJourney, name: 'Other' });
    expect(
      (await call('GET', `/v1/journeys/${other.body.id}/migrations/${applied.body.migration.id}/runs`))
        .status,
    ).toBe(404);
  }, 120_000);
});

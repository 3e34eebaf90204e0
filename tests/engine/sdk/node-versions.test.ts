import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { getContact } from '../../../engine/audience/contacts/contacts';
import { createRegistry } from '../../../engine/automation/nodes';
import { eventSignal, statusQuery } from '../../../engine/automation/runs/signals';
import type { JourneyRunResult } from '../../../engine/automation/runs/types';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { defineNode, nextPort, z } from '../../../engine/sdk';
import { bearer, testApp } from '../../helpers/app';
import { openTestDb } from '../../helpers/databases';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';

const stampV1 = defineNode({
  type: 'fixture.stamp',
  version: 1,
  kind: 'action',
  title: 'Stamp',
  category: 'Fixtures',
  config: z.object({}),
  ports: [nextPort, { id: 'flagged', label: 'Flagged' }],
  async execute(_config, ctx) {
    await ctx.updateContact({ set: { stampedBy: 'v1' } });
    return {};
  },
});

/** Version 2 needs a label and dropped the `flagged` port. */
const stampV2 = defineNode({
  type: 'fixture.stamp',
  version: 2,
  kind: 'action',
  title: 'Stamp',
  category: 'Fixtures',
  config: z.object({ label: z.string().min(1) }),
  ports: [nextPort],
  async execute(config, ctx) {
    await ctx.updateContact({ set: { stampedBy: `v2:${config.label}` } });
    return {};
  },
});

const both = () =>
  createRegistry([
    { definition: stampV1, source: 'stamp-v1.ts' },
    { definition: stampV2, source: 'stamp-v2.ts' },
  ]);

const journey = {
  name: 'Stamp after go',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    { id: 'wait', type: 'wait.event', config: { event: 'go', timeout: { amount: 1, unit: 'days' } } },
    { id: 'stamp', type: 'fixture.stamp', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'matched', target: 'stamp' },
  ],
};

describe('node versions and upgrades (real Temporal dev server, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let workspace: NewWorkspace;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    workspace = await createWorkspace(database.db, 'Versions');
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await temporal?.close();
    await database?.close();
  });

  async function api(registry = createRegistry()): Promise<FastifyInstance> {
    const app = await testApp(database, temporal, registry);
    stops.push(() => app.close());
    return app;
  }

  const call = (app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(workspace.secretKey), ...(payload ? { payload } : {}) });

  async function waitingAt(workflowId: string, nodeId: string) {
    const handle = temporal.client.workflow.getHandle(workflowId);
    for (let i = 0; i < 300; i++) {
      if ((await handle.query(statusQuery)).cursor === nodeId) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${workflowId} never reached ${nodeId}`);
  }

  const go = (workflowId: string) =>
    temporal.client.workflow.getHandle(workflowId).signal(eventSignal, {
      id: `go-${workflowId}`,
      name: 'go',
      properties: {},
      timestamp: new Date().toISOString(),
    });

  async function enroll(app: FastifyInstance, journeyId: string, userId: string) {
    const contact = await call(app, 'POST', '/v1/contacts', { userId });
    const enrolled = await call(app, 'POST', `/v1/journeys/${journeyId}/enroll`, {
      contactIds: [contact.json().id],
    });
    return {
      contactId: contact.json().id as string,
      workflowId: enrolled.json().data[0].workflowId as string,
    };
  }

  it('leaves a published journey on version 1 running unchanged after version 2 is installed', async () => {
    const registryV1 = createRegistry([{ definition: stampV1, source: 'stamp-v1.ts' }]);
    const appV1 = await api(registryV1);
    const workerV1 = await startWorker(temporal, database.db, registryV1);
    const journeyId = (await call(appV1, 'POST', '/v1/journeys', journey)).json().id as string;
    const published = await call(appV1, 'POST', `/v1/journeys/${journeyId}/publish`);
    expect(published.json().plan.nodes.stamp.version).toBe(1);
    const first = await enroll(appV1, journeyId, 'first');
    await waitingAt(first.workflowId, 'wait');
    await workerV1.stop();

    // A new deployment: version 2 installed next to version 1, new API and worker.
    const appV2 = await api(both());
    const workerV2 = await startWorker(temporal, database.db, both());
    stops.push(workerV2.stop);
    const types = (await call(appV2, 'GET', '/v1/node-types')).json().data as {
      type: string;
      version: number;
      latest: boolean;
    }[];
    expect(types.filter((t) => t.type === 'fixture.stamp').map((t) => [t.version, t.latest])).toEqual([
      [1, false],
      [2, true],
    ]);

    // The builder checks the upgrade, is told what to fix, then upgrades and publishes.
    const upgradeUrl = `/v1/journeys/${journeyId}/nodes/stamp/upgrade`;
    const check = await call(appV2, 'POST', upgradeUrl, { dryRun: true });
    expect(check.statusCode).toBe(200);
    expect(check.json()).toMatchObject({
      from: 1,
      to: 2,
      upgradable: false,
      applied: false,
      problems: [{ code: 'config_invalid', field: 'label' }],
    });
    const refused = await call(appV2, 'POST', upgradeUrl, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'node_upgrade_invalid', field: 'label' });
    const upgraded = await call(appV2, 'POST', upgradeUrl, { config: { label: 'new' } });
    expect(upgraded.statusCode).toBe(200);
    expect(upgraded.json()).toMatchObject({ upgradable: true, applied: true, node: { version: 2 } });
    const draftNode = upgraded.json().journey.draft.nodes.find((n: { id: string }) => n.id === 'stamp');
    expect(draftNode).toMatchObject({ version: 2, config: { label: 'new' } });
    const republished = await call(appV2, 'POST', `/v1/journeys/${journeyId}/publish`);
    expect(republished.json()).toMatchObject({ version: 2, plan: { nodes: { stamp: { version: 2 } } } });

    // The run that entered on journey version 1 still executes node version 1.
    await go(first.workflowId);
    const outcome: JourneyRunResult = await temporal.client.workflow.getHandle(first.workflowId).result();
    expect(outcome.status).toBe('completed');
    expect((await getContact(database.db, workspace.id, first.contactId)).attributes.stampedBy).toBe('v1');
    const v1 = (await call(appV2, 'GET', `/v1/journeys/${journeyId}/versions/1`)).json();
    expect(v1.plan.nodes.stamp.version).toBe(1);

    // A contact entering now gets journey version 2, and with it node version 2.
    const second = await enroll(appV2, journeyId, 'second');
    await waitingAt(second.workflowId, 'wait');
    await go(second.workflowId);
    await temporal.client.workflow.getHandle(second.workflowId).result();
    expect((await getContact(database.db, workspace.id, second.contactId)).attributes.stampedBy).toBe(
      'v2:new',
    );
  });

  it('reports a connected port that the new version no longer has', async () => {
    const app = await api(both());
    const pinned = {
      ...journey,
      nodes: [
        ...journey.nodes.map((n) => (n.id === 'stamp' ? { ...n, version: 1 } : n)),
        { id: 'after', type: 'contact.update', config: { addTags: ['flagged'] } },
      ],
      edges: [...journey.edges, { id: 'e3', source: 'stamp', sourceHandle: 'flagged', target: 'after' }],
    };
    const created = await call(app, 'POST', '/v1/journeys', pinned);

    const check = await call(app, 'POST', `/v1/journeys/${created.json().id}/nodes/stamp/upgrade`, {
      config: { label: 'x' },
      dryRun: true,
    });

    expect(check.json()).toMatchObject({
      upgradable: false,
      problems: [{ code: 'port_removed', field: 'edges.e3' }],
    });
    const unchanged = await call(app, 'GET', `/v1/journeys/${created.json().id}`);
    expect(unchanged.json().draft.nodes.find((n: { id: string }) => n.id === 'stamp').version).toBe(1);
  });

  it('answers 400 for a version that is not installed and 404 for an unknown node', async () => {
    const app = await api(createRegistry([{ definition: stampV1, source: 'stamp-v1.ts' }]));
    const id = (await call(app, 'POST', '/v1/journeys', journey)).json().id;

    const missingVersion = await call(app, 'POST', `/v1/journeys/${id}/nodes/stamp/upgrade`, { version: 7 });
    expect(missingVersion.statusCode).toBe(400);
    expect(missingVersion.json().error).toMatchObject({ code: 'node_version_unknown', field: 'version' });
    const missingNode = await call(app, 'POST', `/v1/journeys/${id}/nodes/nope/upgrade`, {});
    expect(missingNode.statusCode).toBe(404);
    const badBody = await call(app, 'POST', `/v1/journeys/${id}/nodes/stamp/upgrade`, { version: 'two' });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().error.field).toBe('body.version');
  });
});

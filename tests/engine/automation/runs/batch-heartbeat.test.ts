import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { createActivities, type ExecutedNode, type ExecuteNodesInput } from '../../../../engine/activities';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createRegistry } from '../../../../engine/automation/nodes';
import { SecretBox } from '../../../../engine/identity/secret-box';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { defineNode, nextPort, z } from '../../../../engine/sdk';
import { openTestDb } from '../../../helpers/databases';
import { latch } from '../../../helpers/latch';

/** Each execution of `fixture.count` by node id, in order. */
const executions: string[] = [];
/** `fixture.hold` waits for this gate; the test opens it. */
let gate = latch();
let holding = latch();

const count = defineNode({
  type: 'fixture.count',
  version: 1,
  kind: 'action',
  title: 'Count',
  category: 'Fixtures',
  config: z.object({}),
  ports: [nextPort],
  async execute(_config, ctx) {
    executions.push(ctx.nodeId);
    return { output: { counted: executions.length } };
  },
});

const hold = defineNode({
  type: 'fixture.hold',
  version: 1,
  kind: 'action',
  title: 'Hold',
  category: 'Fixtures',
  config: z.object({}),
  ports: [nextPort],
  async execute(_config, ctx) {
    executions.push(ctx.nodeId);
    holding.resolve();
    await gate.promise;
    return {};
  },
});

const silent = { info() {}, warn() {}, error() {} };

describe('a batch of action nodes and its heartbeat (executeNodes in an activity context, PGlite)', () => {
  let database: Database;
  let activities: ReturnType<typeof createActivities>;
  let input: (types: string[]) => ExecuteNodesInput;

  beforeAll(async () => {
    database = await openTestDb();
    const registry = createRegistry([
      { definition: count, source: 'count.ts' },
      { definition: hold, source: 'hold.ts' },
    ]);
    activities = createActivities({
      db: database.db,
      registry,
      secretBox: new SecretBox(randomBytes(32)),
      logger: silent,
    });
    const workspace = await createWorkspace(database.db, 'Beats');
    const contact = await createContact(database.db, workspace.id, { userId: 'ada' });
    const runId = `wl:${workspace.id}:j:${contact.id}`;
    input = (types) => ({
      workspaceId: workspace.id,
      journeyId: 'j',
      journeyVersion: 1,
      contactId: contact.id,
      runId,
      trigger: null,
      steps: {},
      nodes: types.map((type, i) => ({
        nodeId: `n${i}`,
        visit: 1,
        idempotencyKey: `${runId}:n${i}:1`,
        type,
        version: 1,
        config: {},
      })),
    });
  });

  afterAll(async () => {
    await database.close();
  });

  afterEach(() => {
    executions.length = 0;
    gate = latch();
    holding = latch();
  });

  it('sends no heartbeat for a batch done before the first beat is due', async () => {
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details) => beats.push(details));

    const done = (await env.run(
      activities.executeNodes,
      input(['fixture.count', 'fixture.count']),
    )) as ExecutedNode[];

    expect(done.map((d) => d.index)).toEqual([0, 1]);
    expect(executions).toEqual(['n0', 'n1']);
    // The heartbeat timeout counts from the attempt's start: a quick batch needs no beat, and
    // the SDK would send a first one to the server at once.
    expect(beats).toEqual([]);
  });

  it('beats every 3 s with the nodes done so far, and a retried attempt skips them', async () => {
    const env = new MockActivityEnvironment();
    const beats: ExecutedNode[][] = [];
    const firstBeat = latch();
    env.on('heartbeat', (details) => {
      beats.push(structuredClone(details));
      firstBeat.resolve();
    });

    const running = env.run(activities.executeNodes, input(['fixture.count', 'fixture.hold']));
    await holding.promise;
    expect(beats).toEqual([]);
    // The node holds past the first beat, due 3 s after the start.
    await firstBeat.promise;
    expect(beats).toHaveLength(1);
    expect(beats[0].map((d) => d.index)).toEqual([0]);
    expect(beats[0][0].result.output).toEqual({ counted: 1 });
    gate.resolve();
    await running;

    // The worker died after that beat: the retry gets its details and runs only what was not done.
    executions.length = 0;
    const retry = new MockActivityEnvironment({ heartbeatDetails: beats[0] });
    const done = (await retry.run(
      activities.executeNodes,
      input(['fixture.count', 'fixture.count']),
    )) as ExecutedNode[];
    expect(executions).toEqual(['n1']);
    expect(done.map((d) => d.index)).toEqual([0, 1]);
    expect(done[0]).toEqual(beats[0][0]);
  });
});

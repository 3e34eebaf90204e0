import vm from 'node:vm';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../../db';
import { createActivities } from '../../../engine/activities';
import { getContact } from '../../../engine/audience/contacts/contacts';
import { createRegistry } from '../../../engine/automation/nodes';
import { enrollContact } from '../../../engine/automation/runs/enroll';
import { workerTuning } from '../../../engine/temporal/worker';
import { testChannelDeps, testSecretBox } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { pathOf, publishGraph, workspaceWithContact } from '../../helpers/fixtures';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

/**
 * Journey workers call into the workflow sandbox with no deadline (`workerTuning`): Node's vm
 * would start and join a watchdog thread on every such call. The worker here runs in debug mode,
 * its sandbox on this thread, so the calls can be watched; with the SDK unpatched, a deadline of
 * 0 is refused and the run never starts.
 */
describe('journey worker tuning (Temporal dev server, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
  });
  afterAll(async () => {
    await temporal?.close();
    await database?.close();
  });

  it('runs a journey calling into the sandbox without a watchdog deadline', async () => {
    const { db } = database;
    const registry = createRegistry([], { channels: testChannelDeps(db) });
    const worker = await Worker.create({
      ...workerTuning,
      debugMode: true,
      connection: temporal.connection,
      namespace: 'default',
      taskQueue: temporal.taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ db, registry, secretBox: testSecretBox }),
    });
    const deadlines: (number | undefined)[] = [];
    const runInContext = vm.Script.prototype.runInContext;
    vm.Script.prototype.runInContext = function (this: vm.Script, context, options) {
      deadlines.push(options?.timeout);
      return runInContext.call(this, context, options);
    };
    const running = worker.run();
    try {
      const { workspace, contact } = await workspaceWithContact(db);
      const { journey } = await publishGraph(db, workspace.id, {
        name: 'Tag on entry',
        nodes: [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'tag', type: 'contact.update', config: { addTags: ['tuned'] } },
        ],
        edges: [{ id: 'e1', source: 'start', target: 'tag' }],
      });
      const enrolled = await enrollContact(
        { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
        { workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id },
      );
      if (!enrolled.enrolled) throw new Error(enrolled.reason);
      const result = await temporal.client.workflow.getHandle(enrolled.workflowId).result();
      expect(result.status).toBe('completed');
      expect(await pathOf(db, enrolled.workflowId)).toEqual(['start:next', 'tag:next']);
      expect((await getContact(db, workspace.id, contact.id)).tags).toContain('tuned');
    } finally {
      vm.Script.prototype.runInContext = runInContext;
      worker.shutdown();
      await running;
    }
    // The run's activations went through the sandbox, each call without a deadline.
    expect(deadlines.length).toBeGreaterThan(3);
    expect(deadlines.filter((timeout) => timeout !== undefined)).toEqual([]);
  });
});

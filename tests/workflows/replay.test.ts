import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, inject, it } from 'vitest';

/**
 * Histories recorded with the interpreter before control nodes moved into typed handlers: three
 * runs through every control node (timeout to exit; pause, event and resume to a goal; an exit
 * signal mid-wait). A run in flight must replay on newer interpreter code without a
 * nondeterminism error, or the change needs `patched()`. They are stored as `fetchHistory()`
 * serialises them (protobufjs JSON), read back with the proto's own `fromObject`.
 */
const recorded = path.join(import.meta.dirname, 'histories', 'control-tour.json');

describe('journey run replay (the workflow bundle of the test run, no server)', () => {
  it('replays runs recorded with the earlier interpreter', async () => {
    const { histories } = JSON.parse(readFileSync(recorded, 'utf8')) as {
      histories: { workflowId: string; history: Record<string, unknown> }[];
    };
    for (const { workflowId, history } of histories) {
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') } },
        temporal.api.history.v1.History.fromObject(history),
        workflowId,
      );
    }
  });
});

import type { Client } from '@temporalio/client';
import type { Db } from '../../db';
import {
  type BroadcastInput,
  cancelBroadcastSignal,
  pauseBroadcastSignal,
  pickWinnerSignal,
  resumeBroadcastSignal,
} from '../campaigns/broadcast-signals';
import { type BroadcastRow, getBroadcast } from '../campaigns/broadcasts';
import { broadcastWorkflowId, freezeBroadcast } from '../campaigns/freeze';
import { setBroadcastStatus } from '../campaigns/lifecycle';
import { Conflict, InvalidInput, Unavailable } from '../errors';

export interface BroadcastDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/**
 * Launches a draft: checks it, freezes its audience, then starts its one workflow. A second launch
 * (a double click, a retried request) freezes nothing and starts nothing new: the workflow id is
 * the broadcast's, and a finished workflow is never started again.
 */
export async function launchBroadcast(
  deps: BroadcastDeps,
  workspaceId: string,
  id: string,
  now = Date.now(),
): Promise<{ broadcast: BroadcastRow; launched: boolean }> {
  const outcome = await freezeBroadcast(deps.db, workspaceId, id, now);
  const { broadcast } = outcome;
  // A launch whose workflow start failed is repaired by the next launch of the same broadcast.
  if (broadcast.status !== 'completed' && broadcast.status !== 'cancelled') {
    await startWorkflow(deps, broadcast);
  }
  return outcome;
}

async function startWorkflow(deps: BroadcastDeps, broadcast: BroadcastRow) {
  const input: BroadcastInput = { workspaceId: broadcast.workspaceId, broadcastId: broadcast.id };
  try {
    await deps.temporal.workflow.start('broadcast', {
      workflowId: broadcastWorkflowId(broadcast.workspaceId, broadcast.id),
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') return;
    throw new Unavailable(`Temporal did not accept the broadcast: ${(error as Error).message}`);
  }
}

const RUNNING = ['scheduled', 'sending', 'testing', 'awaiting-winner', 'paused'];

function handleOf(deps: BroadcastDeps, broadcast: BroadcastRow) {
  return deps.temporal.workflow.getHandle(broadcastWorkflowId(broadcast.workspaceId, broadcast.id));
}

async function running(deps: BroadcastDeps, workspaceId: string, id: string, action: string) {
  const broadcast = await getBroadcast(deps.db, workspaceId, id);
  if (!RUNNING.includes(broadcast.status)) {
    throw new Conflict('broadcast_not_running', `the broadcast is ${broadcast.status}; it cannot ${action}`);
  }
  return broadcast;
}

export type BroadcastAction = 'pause' | 'resume' | 'cancel';

/** Pause holds sending before the next batch; resume continues; cancel ends it and drops what is queued. */
export async function controlBroadcast(
  deps: BroadcastDeps,
  workspaceId: string,
  id: string,
  action: BroadcastAction,
): Promise<BroadcastRow> {
  const broadcast = await running(deps, workspaceId, id, action);
  const handle = handleOf(deps, broadcast);
  if (action === 'pause') {
    await handle.signal(pauseBroadcastSignal);
    await setBroadcastStatus(deps.db, workspaceId, id, 'paused');
  } else if (action === 'resume') {
    await handle.signal(resumeBroadcastSignal);
    if (broadcast.status === 'paused') await setBroadcastStatus(deps.db, workspaceId, id, 'sending');
  } else {
    await handle.signal(cancelBroadcastSignal);
    await setBroadcastStatus(deps.db, workspaceId, id, 'cancelled');
  }
  return getBroadcast(deps.db, workspaceId, id);
}

/** A person picks the A/B test's winner (during or after the test window); the rest get it. */
export async function pickBroadcastWinner(
  deps: BroadcastDeps,
  workspaceId: string,
  id: string,
  variant: string,
): Promise<BroadcastRow> {
  const broadcast = await running(deps, workspaceId, id, 'take a winner');
  if (!broadcast.abTest) throw new Conflict('broadcast_no_test', 'the broadcast has no A/B test');
  if (!broadcast.variants.some((v) => v.key === variant)) {
    throw new InvalidInput('variant_unknown', `the broadcast has no variant ${variant}`, 'variant');
  }
  if (broadcast.winnerVariant && broadcast.winnerVariant !== variant) {
    throw new Conflict('winner_chosen', `variant ${broadcast.winnerVariant} already won`);
  }
  await handleOf(deps, broadcast).signal(pickWinnerSignal, variant);
  return getBroadcast(deps.db, workspaceId, id);
}

import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * The broadcast workflow's signals and query, defined once: the workflow sets its handlers with
 * them and the operations send through them.
 */
export const pauseBroadcastSignal = defineSignal('pauseBroadcast');
export const resumeBroadcastSignal = defineSignal('resumeBroadcast');
export const cancelBroadcastSignal = defineSignal('cancelBroadcast');
export const pickWinnerSignal = defineSignal<[string]>('pickWinner');
export const broadcastStateQuery = defineQuery<BroadcastState>('broadcastState');

export interface BroadcastState {
  phase: 'start' | 'send' | 'test' | 'window' | 'winner' | 'rest' | 'done';
  paused: boolean;
  cancelled: boolean;
  winner: string | null;
  testEndedAt: number | null;
  batches: number;
}

export interface BroadcastInput {
  workspaceId: string;
  broadcastId: string;
  state?: BroadcastState;
  /** Batches per workflow run before it continues as new (default 200). */
  batchesPerRun?: number;
}

import { Context } from '@temporalio/activity';
import { abTestResult } from '../campaigns/ab-test';
import {
  assignWinner,
  type BroadcastStatus,
  broadcastPlan,
  setBroadcastStatus,
} from '../campaigns/lifecycle';
import { sendDueBatch } from '../campaigns/send-batch';
import type { ChannelDeps } from '../messaging/channels/deps';

interface BroadcastRef {
  workspaceId: string;
  broadcastId: string;
}

function heartbeat() {
  try {
    Context.current().heartbeat();
  } catch {
    // Outside an activity there is nothing to beat to.
  }
}

/** The broadcast workflow's activities, built over the process's channel dependencies. */
export function createBroadcastActivities(deps: ChannelDeps) {
  const { db } = deps;
  return {
    async loadBroadcastPlan(input: BroadcastRef) {
      return broadcastPlan(db, input.workspaceId, input.broadcastId);
    },

    /** `now` is the workflow's clock, so due times and the policy agree under time skipping. */
    async sendBroadcastBatch(input: BroadcastRef & { now: number; limit: number; morePages?: boolean }) {
      heartbeat();
      const timer = setInterval(heartbeat, 3_000);
      timer.unref();
      try {
        return await sendDueBatch(deps, {
          workspaceId: input.workspaceId,
          broadcastId: input.broadcastId,
          now: input.now,
          limit: input.limit,
          morePages: input.morePages,
        });
      } finally {
        clearInterval(timer);
      }
    },

    async setBroadcastStatus(input: BroadcastRef & { status: BroadcastStatus }) {
      await setBroadcastStatus(db, input.workspaceId, input.broadcastId, input.status);
    },

    async decideBroadcastWinner(input: BroadcastRef) {
      const result = await abTestResult(db, input.workspaceId, input.broadcastId);
      return { winner: result.winner };
    },

    async assignBroadcastWinner(input: BroadcastRef & { variant: string }) {
      await assignWinner(db, input.workspaceId, input.broadcastId, input.variant);
    },
  };
}

export type BroadcastActivities = ReturnType<typeof createBroadcastActivities>;

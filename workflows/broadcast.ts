import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BroadcastActivities } from '../engine/activities/broadcasts';
import {
  type BroadcastInput,
  type BroadcastState,
  broadcastStateQuery,
  cancelBroadcastSignal,
  pauseBroadcastSignal,
  pickWinnerSignal,
  resumeBroadcastSignal,
} from '../engine/campaigns/broadcast-signals';
import { msUntilWindow } from '../engine/campaigns/send-window';

const { loadBroadcastPlan, setBroadcastStatus, decideBroadcastWinner, assignBroadcastWinner } =
  proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '1 minute',
    retry: { maximumInterval: '30 seconds' },
  });
const { sendBroadcastBatch } = proxyActivities<BroadcastActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { maximumInterval: '30 seconds' },
});

/**
 * The page of recipients a batch reads at a time. Unthrottled, one batch (one activity) goes on
 * page after page for up to a minute of sending (`sendDueBatch`), reading the next page while the
 * last is with the provider, so a large broadcast keeps the provider's connections busy; a
 * throttle makes a batch one smaller page (about six a minute).
 */
const MAX_BATCH = 2_000;
/** Batches per workflow run before it continues as new with its state (history stays small). */
const BATCHES_PER_RUN = 200;

/**
 * One broadcast: pages through its frozen audience and sends due recipients in batches (never a
 * workflow per contact), paced by the throttle and the send window; an A/B test sends the test
 * share, waits out the window, then the winner goes to the rest (automatically or when picked).
 * Progress lives in the recipients table, so a run resumed on another worker continues where the
 * last batch ended and the ledger's idempotency keys keep a retried batch from sending twice.
 */
export async function broadcast(input: BroadcastInput): Promise<BroadcastState> {
  const state: BroadcastState = input.state ?? {
    phase: 'start',
    paused: false,
    cancelled: false,
    winner: null,
    testEndedAt: null,
    batches: 0,
  };
  const ref = { workspaceId: input.workspaceId, broadcastId: input.broadcastId };
  setHandler(pauseBroadcastSignal, () => {
    state.paused = true;
  });
  setHandler(resumeBroadcastSignal, () => {
    state.paused = false;
  });
  setHandler(cancelBroadcastSignal, () => {
    state.cancelled = true;
  });
  let variants: string[] | null = null;
  setHandler(pickWinnerSignal, (variant) => {
    if (!variants || variants.includes(variant)) state.winner ??= variant;
  });
  setHandler(broadcastStateQuery, () => state);

  const plan = await loadBroadcastPlan(ref);
  variants = plan.variants;
  if (state.winner !== null && !variants.includes(state.winner)) state.winner = null;
  const batchSize = plan.throttlePerMinute
    ? Math.max(1, Math.min(MAX_BATCH, Math.ceil(plan.throttlePerMinute / 6)))
    : MAX_BATCH;
  const interrupted = () => state.paused || state.cancelled;

  const finish = async (status: 'completed' | 'cancelled') => {
    state.phase = 'done';
    await setBroadcastStatus({ ...ref, status });
    return state;
  };

  /** Sends until nothing with a variant is pending; false when cancelled. */
  const sendAll = async (): Promise<boolean> => {
    for (;;) {
      if (state.cancelled) return false;
      if (state.paused) {
        await setBroadcastStatus({ ...ref, status: 'paused' });
        await condition(() => !state.paused || state.cancelled);
        if (state.cancelled) return false;
        await setBroadcastStatus({ ...ref, status: 'sending' });
      }
      const closed = msUntilWindow(Date.now(), plan.zone, plan.sendWindow);
      if (closed > 0) {
        await condition(interrupted, closed);
        continue;
      }
      const started = Date.now();
      const batch = await sendBroadcastBatch({
        ...ref,
        now: started,
        limit: batchSize,
        morePages: !plan.throttlePerMinute,
      });
      if (batch.processed === 0) {
        if (batch.remaining === 0) return true;
        const wait = Math.max(1_000, (batch.nextDueAt ?? started) - Date.now());
        await condition(interrupted, wait);
        continue;
      }
      state.batches++;
      if (plan.throttlePerMinute) {
        const pause = (batch.processed * 60_000) / plan.throttlePerMinute - (Date.now() - started);
        if (pause > 0) await condition(interrupted, pause);
      }
      if (
        state.batches % (input.batchesPerRun ?? BATCHES_PER_RUN) === 0 ||
        workflowInfo().continueAsNewSuggested
      ) {
        await continueAsNew<typeof broadcast>({ ...input, state });
      }
    }
  };

  if (state.phase === 'start') state.phase = plan.abTest ? 'test' : 'send';
  if (state.phase === 'send') {
    return finish((await sendAll()) ? 'completed' : 'cancelled');
  }
  if (state.phase === 'test') {
    if (!(await sendAll())) return finish('cancelled');
    state.testEndedAt = Date.now();
    state.phase = 'window';
  }
  if (state.phase === 'window') {
    await setBroadcastStatus({ ...ref, status: 'testing' });
    const windowMs = (plan.abTest?.windowHours ?? 0) * 3_600_000;
    const left = (state.testEndedAt ?? Date.now()) + windowMs - Date.now();
    // A winner picked by hand ends the window early.
    if (left > 0) await condition(() => state.cancelled || state.winner !== null, left);
    if (state.cancelled) return finish('cancelled');
    state.phase = 'winner';
  }
  if (state.phase === 'winner') {
    if (state.winner === null && plan.abTest?.autoSend) {
      state.winner = (await decideBroadcastWinner(ref)).winner ?? plan.variants[0];
    }
    if (state.winner === null) {
      await setBroadcastStatus({ ...ref, status: 'awaiting-winner' });
      await condition(() => state.cancelled || state.winner !== null);
      if (state.cancelled) return finish('cancelled');
    }
    await assignBroadcastWinner({ ...ref, variant: state.winner! });
    await setBroadcastStatus({ ...ref, status: 'sending' });
    state.phase = 'rest';
  }
  if (state.phase === 'rest') {
    return finish((await sendAll()) ? 'completed' : 'cancelled');
  }
  return state;
}

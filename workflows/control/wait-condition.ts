import { durationMs } from '../../engine/time/duration';
import type { ControlHandler } from './visit';

/**
 * Passes by `matched` as soon as the contact matches the condition: at once when it already
 * does, else on the first change of the contact after which it does (the contact-changed
 * signal, sent by `contactChanged` whoever wrote); `timeout` when the deadline comes first.
 */
export const waitCondition: ControlHandler<'wait.condition'> = async (node, visit) => {
  const { config } = node;
  const { state } = visit;
  const deadline = visit.enteredAt + durationMs(config.timeout);
  let held = false;
  for (;;) {
    const seen = state.contactChanges ?? 0;
    if ((await visit.evaluateBranch([config.when])) === 0) {
      visit.leave('matched', visit.decidedOn());
      state.cursor = node.next.matched;
      return;
    }
    if (!held) {
      await visit.hold(deadline);
      held = true;
    }
    const outcome = await visit.waitFor(deadline, {
      also: () => (state.contactChanges ?? 0) > seen,
      resumable: true,
    });
    if (outcome === 'continue-as-new') visit.resumeLater();
    if (outcome === 'interrupted' || outcome === 'continue-as-new') return;
    if (outcome === 'deadline') {
      visit.leave('timeout');
      state.cursor = node.next.timeout;
      return;
    }
  }
};

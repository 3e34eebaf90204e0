import { durationMs } from '../../engine/time/duration';
import type { ControlHandler } from './visit';

export const waitDuration: ControlHandler<'wait.duration'> = async (node, visit) => {
  const deadline = visit.enteredAt + durationMs(node.config.duration);
  await visit.hold(deadline);
  const outcome = await visit.waitFor(deadline, { resumable: true });
  if (outcome === 'continue-as-new') visit.resumeLater();
  if (outcome !== 'deadline') return;
  visit.leave('next');
  visit.state.cursor = node.next.next;
};

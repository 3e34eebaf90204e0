import { matchesFilter } from '../../engine/audience/conditions/filters';
import { durationMs } from '../../engine/time/duration';
import type { ControlHandler } from './visit';

export const waitEvent: ControlHandler<'wait.event'> = async (node, visit) => {
  const { config } = node;
  const { state } = visit;
  const since = visit.resumedSince ?? (config.onlyWhileWaiting ? state.received : 0);
  const find = () =>
    state.events.find(
      (event) =>
        (event.arrival ?? 0) >= since &&
        event.name === config.event &&
        matchesFilter(event.properties, config.where) &&
        (!config.sameKey || visit.carriesEntryKey(event)) &&
        !state.consumed.includes(`${node.id}:${event.id}`),
    );
  const deadline = visit.enteredAt + durationMs(config.timeout);
  await visit.hold(deadline);
  const outcome = await visit.waitFor(deadline, { also: () => find() !== undefined, resumable: true });
  if (outcome === 'continue-as-new') visit.resumeLater(since);
  if (outcome === 'interrupted' || outcome === 'continue-as-new') return;
  const event = outcome === 'condition' ? find() : undefined;
  if (event) {
    state.consumed.push(`${node.id}:${event.id}`);
    visit.leave('matched', { eventId: event.id });
    state.cursor = node.next.matched;
  } else {
    visit.leave('timeout');
    state.cursor = node.next.timeout;
  }
};

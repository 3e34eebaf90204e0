import type { ControlHandler } from './visit';

export const exit: ControlHandler<'exit'> = async (_node, visit) => {
  visit.leave(null);
  visit.end({ status: 'completed', reason: 'exit node' });
};

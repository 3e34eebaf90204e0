import type { ControlHandler, Ending } from './visit';

/** How a run that reaches an exit node ends (also what a batch right before one records). */
export const exitNodeEnding: Ending = { status: 'completed', reason: 'exit node' };

export const exit: ControlHandler<'exit'> = async (_node, visit) => {
  visit.leave(null);
  visit.end(exitNodeEnding);
};

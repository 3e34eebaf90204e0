import type { ControlHandler } from './visit';

export const branchCondition: ControlHandler<'branch.condition'> = async (node, visit) => {
  const index = await visit.evaluateBranch([node.config]);
  const port = index === 0 ? 'true' : 'false';
  visit.leave(port, visit.decidedOn());
  visit.state.cursor = node.next[port] ?? null;
};

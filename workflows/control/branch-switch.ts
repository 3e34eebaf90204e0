import type { ControlHandler } from './visit';

/** Takes the first case whose conditions hold, else `else`. */
export const branchSwitch: ControlHandler<'branch.switch'> = async (node, visit) => {
  const { cases } = node.config;
  const index = await visit.evaluateBranch(cases.map((c) => c.when));
  const port = cases[index]?.port ?? 'else';
  visit.leave(port, visit.decidedOn());
  visit.state.cursor = node.next[port] ?? null;
};

import type { ControlHandler } from './visit';

export const goal: ControlHandler<'goal'> = async (node, visit) => {
  const { name } = node.config;
  visit.leave(null, { conversion: name ?? true });
  visit.end({ status: 'converted', reason: name ? `goal node: ${name}` : 'goal node' });
};

import type { ControlHandler } from './visit';

/** Picks a branch by weight; `Math.random` is seeded by the run, so a replay picks the same one. */
export const splitRandom: ControlHandler<'split.random'> = async (node, visit) => {
  const { branches } = node.config;
  const total = branches.reduce((sum, b) => sum + b.weight, 0);
  const roll = Math.random() * total;
  let cumulative = 0;
  const chosen =
    branches.find((b) => {
      cumulative += b.weight;
      return roll < cumulative;
    }) ?? branches[branches.length - 1];
  visit.leave(chosen.port);
  visit.state.cursor = node.next[chosen.port] ?? null;
};

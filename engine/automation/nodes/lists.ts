import { z } from 'zod';
import { defineNode, nextPort } from '../../sdk/define-node';

const listConfig = z.object({ list: z.string().min(1).describe('List name (created when missing)') });

export const listAdd = defineNode({
  type: 'list.add',
  version: 1,
  kind: 'action',
  title: 'Add to list',
  category: 'Contact',
  config: listConfig,
  ports: [nextPort],
  summary: (c) => `Add to ${c.list}`,
  async execute(config, ctx) {
    await ctx.addToList(config.list);
    return undefined;
  },
});

export const listRemove = defineNode({
  type: 'list.remove',
  version: 1,
  kind: 'action',
  title: 'Remove from list',
  category: 'Contact',
  config: listConfig,
  ports: [nextPort],
  summary: (c) => `Remove from ${c.list}`,
  async execute(config, ctx) {
    await ctx.removeFromList(config.list);
    return undefined;
  },
});

import { z } from 'zod';
import { defineNode, nextPort } from '../../sdk/define-node';

export const contactUpdate = defineNode({
  type: 'contact.update',
  version: 1,
  kind: 'action',
  title: 'Update contact',
  category: 'Contact',
  description: 'Sets or clears attributes and adds or removes tags.',
  config: z
    .object({
      set: z.record(z.string(), z.unknown()).optional().describe('Attributes to set'),
      unset: z.array(z.string().min(1)).optional().describe('Attributes to clear'),
      addTags: z.array(z.string().min(1)).optional(),
      removeTags: z.array(z.string().min(1)).optional(),
    })
    .refine((c) => c.set || c.unset?.length || c.addTags?.length || c.removeTags?.length, {
      message: 'set, unset, addTags or removeTags must change something',
    }),
  ports: [nextPort],
  summary: (c) => {
    const parts = [
      ...Object.keys(c.set ?? {}).map((k) => `set ${k}`),
      ...(c.unset ?? []).map((k) => `clear ${k}`),
      ...(c.addTags ?? []).map((t) => `+#${t}`),
      ...(c.removeTags ?? []).map((t) => `-#${t}`),
    ];
    return parts.join(', ');
  },
  async execute(config, ctx) {
    const contact = await ctx.updateContact(config);
    return { output: { tags: contact.tags } };
  },
});

import { defineNode, nextPort, z } from 'wayline/sdk';

const DAY_MS = 24 * 60 * 60 * 1000;

export const scoreLead = defineNode({
  type: 'score.lead',
  version: 1,
  kind: 'action',
  title: 'Score lead',
  category: 'CRM',
  description:
    "Adds up points for the contact's recent events, stores the score as an attribute and sends hot leads out of the Hot port.",
  config: z.object({
    weights: z
      .record(z.string().min(1), z.number())
      .default({ 'Page Viewed': 1, 'Email Clicked': 5, 'Pricing Viewed': 10, 'Demo Requested': 25 })
      .describe('Points per event name'),
    windowDays: z.number().int().min(1).max(365).default(30).describe('Only count events this recent'),
    attribute: z
      .string()
      .min(1)
      .max(100)
      .default('leadScore')
      .describe('Contact attribute that holds the score'),
    hotThreshold: z.number().min(0).default(50).describe('From this score on, leave by the Hot port'),
  }),
  ports: [nextPort, { id: 'hot', label: 'Hot lead', whenUnconnected: 'next' }],
  summary: (c) => `Score into ${c.attribute ?? 'leadScore'}`,
  async execute(config, ctx) {
    const since = new Date(Date.now() - config.windowDays * DAY_MS);
    const recent = await ctx.listEvents({ names: Object.keys(config.weights), since, limit: 10_000 });
    const score = recent.reduce((sum, event) => sum + (config.weights[event.name ?? ''] ?? 0), 0);
    const hot = score >= config.hotThreshold;
    await ctx.updateContact({ set: { [config.attribute]: score } });
    return { port: hot ? 'hot' : 'next', output: { score, hot, events: recent.length } };
  },
});

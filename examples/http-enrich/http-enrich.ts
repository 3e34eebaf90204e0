import { defineNode, nextPort, secretNamePattern, z } from 'wayline/sdk';

/**
 * Calls an enrichment API with the contact's email and stores the answer's fields on the
 * contact. `ctx.http.json` makes a 5xx, a 429 or a timeout retryable (Temporal retries with
 * backoff) and any other 4xx fatal (the node leaves by its `error` port at once).
 */
export const httpEnrich = defineNode({
  type: 'http.enrich',
  version: 1,
  kind: 'action',
  title: 'Enrich contact',
  category: 'Data',
  description: "Looks the contact's email up in an HTTP enrichment API and stores the fields it returns.",
  config: z.object({
    url: z.url().describe('Enrichment endpoint; called as GET <url>?email=<contact email>'),
    tokenSecret: z
      .string()
      .regex(secretNamePattern, 'must be a secret name like ENRICH_TOKEN')
      .optional()
      .describe('Name of the workspace secret sent as the Bearer token'),
    fields: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Answer field (dotted path) → contact attribute; empty: every top-level scalar field as is'),
    timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
  }),
  ports: [nextPort, { id: 'error', label: 'Enrichment failed', whenUnconnected: 'next' }],
  summary: (c) => `Enrich from ${hostOf(c.url)}`,
  async execute(config, ctx) {
    const email = ctx.contact.email;
    if (!email) return { output: { enriched: false, reason: 'the contact has no email' } };
    const url = new URL(config.url);
    url.searchParams.set('email', email);
    const headers: Record<string, string> = {};
    if (config.tokenSecret) headers.authorization = `Bearer ${await ctx.secrets.get(config.tokenSecret)}`;
    const answer = await ctx.http.json<Record<string, unknown>>(url, {
      headers,
      timeoutMs: config.timeoutMs,
    });
    const set = pickFields(answer ?? {}, config.fields);
    if (Object.keys(set).length > 0) await ctx.updateContact({ set });
    return { output: { enriched: true, ...set } };
  },
});

function pickFields(
  answer: Record<string, unknown>,
  fields: Record<string, string>,
): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  if (Object.keys(fields).length === 0) {
    for (const [key, value] of Object.entries(answer)) {
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) set[key] = value;
    }
    return set;
  }
  for (const [from, to] of Object.entries(fields)) {
    const value = from
      .split('.')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], answer);
    if (value !== undefined) set[to] = value;
  }
  return set;
}

function hostOf(url: string | undefined): string {
  try {
    return new URL(url ?? '').host;
  } catch {
    return 'an HTTP API';
  }
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineConnector } from './connector';
import { request } from './http';

const config = z.object({
  webhookUrl: z.url().describe('Slack incoming webhook URL'),
});

/** Slack incoming webhook: POST {text}; Slack answers 200 "ok" and gives no message id. */
export const slack = defineConnector({
  id: 'slack',
  channel: 'slack',
  title: 'Slack incoming webhook',
  configSchema: config,
  secretFields: ['webhookUrl'],
  async send(message, ctx) {
    const payload: Record<string, unknown> = { text: message.text ?? '' };
    if (message.data?.blocks) payload.blocks = message.data.blocks;
    await request('Slack', ctx.config.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    return {
      providerId: `slack:${createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 24)}`,
      status: 'delivered',
    };
  },
});

import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError, defineConnector } from './connector';
import { request } from './http';

const config = z.object({
  signingSecret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_<base64>')
    .describe('Standard Webhooks signing secret'),
  attempts: z.number().int().min(1).max(10).default(3).describe('Attempts per activity try'),
  backoffMs: z.number().int().min(0).max(60_000).default(500),
});

/** The Standard Webhooks signature: HMAC-SHA256 over `id.timestamp.body` with the decoded secret. */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Outgoing webhook signed per Standard Webhooks. The `webhook-id` is the send's idempotency key,
 * so a receiver that deduplicates sees every retry as the same delivery.
 */
export const webhook = defineConnector({
  id: 'webhook',
  channel: 'webhook',
  title: 'Signed webhook',
  configSchema: config,
  secretFields: ['signingSecret'],
  async send(message, ctx) {
    const { signingSecret, attempts, backoffMs } = ctx.config;
    const method = (message.data?.method as string | undefined) ?? 'POST';
    const body = message.text ?? '';
    const id = `msg_${message.idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    let last: ConnectorError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
      const timestamp = Math.floor(Date.now() / 1000);
      try {
        const { status } = await request('Webhook', message.recipient, {
          method,
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signStandardWebhook(signingSecret, id, timestamp, body),
          },
          body,
        });
        return { providerId: `${id}:${status}`, status: 'delivered' };
      } catch (error) {
        if (!(error instanceof ConnectorError) || !error.retryable) throw error;
        last = error;
      }
    }
    throw last ?? new ConnectorError('webhook failed', true);
  },
});

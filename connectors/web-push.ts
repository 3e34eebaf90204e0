import { createHash } from 'node:crypto';
import webPush from 'web-push';
import { z } from 'zod';
import { ConnectorError, defineConnector } from './connector';
import { request } from './http';

const config = z.object({
  publicKey: z.string().min(1).describe('VAPID public key (base64url)'),
  privateKey: z.string().min(1).describe('VAPID private key (base64url)'),
  subject: z.string().min(1).describe('mailto: or https: contact of the sender'),
  ttlSeconds: z.number().int().min(0).max(2_419_200).default(86_400),
});

const subscriptionSchema = z.object({
  endpoint: z.url(),
  keys: z.object({ p256dh: z.string().min(1), auth: z.string().min(1) }),
});

/**
 * Web push with VAPID. The payload is encrypted (aes128gcm) by `web-push`; the request itself
 * goes out through fetch so any push service URL works.
 */
export const webPushConnector = defineConnector({
  id: 'web-push',
  channel: 'push',
  title: 'Web push (VAPID)',
  configSchema: config,
  secretFields: ['privateKey'],
  async send(message, ctx) {
    let subscription: z.infer<typeof subscriptionSchema>;
    try {
      subscription = subscriptionSchema.parse(JSON.parse(message.recipient));
    } catch {
      throw new ConnectorError('the contact has no valid push subscription', false);
    }
    const payload = JSON.stringify({ title: message.subject, body: message.text, url: message.data?.url });
    const details = webPush.generateRequestDetails(subscription, payload, {
      vapidDetails: {
        subject: ctx.config.subject,
        publicKey: ctx.config.publicKey,
        privateKey: ctx.config.privateKey,
      },
      TTL: ctx.config.ttlSeconds,
      contentEncoding: 'aes128gcm',
    });
    try {
      await request('Push service', details.endpoint, {
        method: details.method,
        headers: details.headers as Record<string, string>,
        body: details.body ? new Uint8Array(details.body) : undefined,
      });
    } catch (error) {
      // 404/410: the subscription is gone for good.
      if (error instanceof ConnectorError && (error.status === 404 || error.status === 410)) {
        throw new ConnectorError(`the push subscription expired (${error.status})`, false, error.status);
      }
      throw error;
    }
    return {
      providerId: `push:${createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 24)}`,
      status: 'sent',
    };
  },
});

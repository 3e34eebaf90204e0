import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineConnector } from './connector';

/**
 * The dev mailbox: used for a channel with no provider configured. Nothing leaves the machine;
 * the ledger row (provider `dev-outbox`) keeps the rendered message for `GET /v1/dev/outbox`.
 */
export const devOutbox = defineConnector({
  id: 'dev-outbox',
  channel: 'email',
  title: 'Dev outbox (captured locally)',
  configSchema: z.object({}),
  async send() {
    return { providerId: `dev-${randomUUID()}`, status: 'sent' };
  },
});

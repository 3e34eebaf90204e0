import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhook } from '../../connectors/webhook';
import { startHttpPeer } from './peers';

const secret = `whsec_${Buffer.from('a-very-secret-signing-key-32-byt').toString('base64')}`;

describe('signed webhook connector (node:http receiver verifying with the standardwebhooks library)', () => {
  let peer: Awaited<ReturnType<typeof startHttpPeer>>;
  let failuresLeft = 0;
  const verified: unknown[] = [];

  beforeAll(async () => {
    peer = await startHttpPeer((request, response) => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        response.writeHead(502).end('bad gateway');
        return;
      }
      try {
        verified.push(new Webhook(secret).verify(request.body, request.headers as Record<string, string>));
        response.writeHead(204).end();
      } catch {
        response.writeHead(401).end('bad signature');
      }
    });
  });
  afterAll(() => peer?.close());

  const message = (body: string) => ({
    messageId: 'm',
    idempotencyKey: 'wl:ws:j:c:hook:1',
    channel: 'webhook' as const,
    recipient: `${peer.url}/hooks/wayline`,
    text: body,
    data: { method: 'POST' },
  });

  it('signs the body so the standardwebhooks library verifies it, with the idempotency key as webhook-id', async () => {
    const config = webhook.configSchema.parse({ signingSecret: secret, backoffMs: 0 });
    const result = await webhook.send(message('{"contact":{"id":"c1"}}'), { config, cache: new Map() });

    expect(result.status).toBe('delivered');
    expect(verified.at(-1)).toEqual({ contact: { id: 'c1' } });
    expect(peer.requests.at(-1)!.headers['webhook-id']).toBe('msg_wl_ws_j_c_hook_1');
  });

  it('retries a 5xx with backoff and succeeds once the receiver recovers', async () => {
    failuresLeft = 2;
    const before = peer.requests.length;
    const config = webhook.configSchema.parse({ signingSecret: secret, attempts: 3, backoffMs: 10 });
    await webhook.send(message('{"n":2}'), { config, cache: new Map() });
    expect(peer.requests.length - before).toBe(3);
    expect(verified.at(-1)).toEqual({ n: 2 });
  });

  it('fails fatally when the receiver rejects the signature', async () => {
    const config = webhook.configSchema.parse({
      signingSecret: `whsec_${Buffer.from('another-key-another-key-another!').toString('base64')}`,
      backoffMs: 0,
    });
    await expect(webhook.send(message('{}'), { config, cache: new Map() })).rejects.toMatchObject({
      retryable: false,
      status: 401,
    });
  });
});

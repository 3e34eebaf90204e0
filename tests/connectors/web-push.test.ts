import { createECDH, randomBytes } from 'node:crypto';
// http_ece is the payload encryption library web-push itself uses; here it decrypts like a browser would.
import ece from 'http_ece';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webPush from 'web-push';
import { webPushConnector } from '../../connectors/web-push';
import { startHttpPeer } from './peers';

describe('web push connector (VAPID; node:http push service on 127.0.0.1)', () => {
  let peer: Awaited<ReturnType<typeof startHttpPeer>>;
  const raw: Buffer[] = [];
  const browser = createECDH('prime256v1');
  browser.generateKeys();
  const auth = randomBytes(16);
  const vapid = webPush.generateVAPIDKeys();

  beforeAll(async () => {
    peer = await startHttpPeer((request, response) => {
      if (request.path.endsWith('/gone')) {
        response.writeHead(410).end();
        return;
      }
      raw.push(request.raw);
      response.writeHead(201).end();
    });
  });
  afterAll(() => peer?.close());

  const subscription = (path: string) =>
    JSON.stringify({
      endpoint: `${peer.url}${path}`,
      keys: { p256dh: browser.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    });
  const config = () =>
    webPushConnector.configSchema.parse({
      publicKey: vapid.publicKey,
      privateKey: vapid.privateKey,
      subject: 'mailto:ops@acme.test',
    });

  it('delivers an aes128gcm-encrypted payload with a VAPID authorization the browser can decrypt', async () => {
    const result = await webPushConnector.send(
      {
        messageId: 'm',
        idempotencyKey: 'k',
        channel: 'push',
        recipient: subscription('/push/abc'),
        subject: 'Cart waiting',
        text: 'Your cart misses you',
        data: { url: 'https://acme.test/cart' },
      },
      { config: config(), cache: new Map() },
    );

    expect(result.status).toBe('sent');
    const request = peer.requests.at(-1)!;
    expect(request.headers['content-encoding']).toBe('aes128gcm');
    expect(request.headers.authorization).toMatch(new RegExp(`^vapid t=[^,]+, k=${vapid.publicKey}$`));
    const plain = ece.decrypt(raw.at(-1)!, {
      version: 'aes128gcm',
      privateKey: browser,
      authSecret: auth.toString('base64url'),
    });
    expect(JSON.parse(plain.toString('utf8'))).toEqual({
      title: 'Cart waiting',
      body: 'Your cart misses you',
      url: 'https://acme.test/cart',
    });
  });

  it('fails fatally when the subscription is gone (410)', async () => {
    await expect(
      webPushConnector.send(
        {
          messageId: 'm',
          idempotencyKey: 'k',
          channel: 'push',
          recipient: subscription('/push/gone'),
          subject: 't',
          text: 'b',
        },
        { config: config(), cache: new Map() },
      ),
    ).rejects.toMatchObject({ retryable: false, status: 410 });
  });
});

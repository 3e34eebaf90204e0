import { describe, expect, it } from 'vitest';
import { startHttpPeer } from '../../../connectors/peers';
import { databaseKinds } from '../../../helpers/databases';
import { messagingApi, workspaceCaller } from '../messaging-api';

describe.each(databaseKinds())(
  'channel settings API on %s (Fastify inject, Temporal dev server client)',
  (kind) => {
    const api = messagingApi(kind);
    const workspace = async () => (await workspaceCaller(api, 'Channels')).call;

    it('saves a policy with quiet hours, cap and rate, and refuses a bad one naming the field', async () => {
      const call = await workspace();
      const policy = {
        quietHours: { start: '21:00', end: '08:00' },
        frequencyCap: { max: 2, windowHours: 24 },
        rate: { perMinute: 600 },
      };
      const saved = await call('PUT', '/v1/channels/sms', { provider: null, policy });
      expect(saved.statusCode).toBe(200);
      expect(saved.json().policy).toEqual(policy);
      const bad = await call('PUT', '/v1/channels/sms', {
        provider: null,
        policy: { rate: { perMinute: 0 } },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toBe('body.policy.rate.perMinute');
      expect((await call('GET', '/v1/channels')).json().data[0].policy).toEqual(policy);
    });

    it('lists, searches and removes suppressed addresses', async () => {
      const call = await workspace();
      for (const address of ['Ann@Example.com', 'bob@example.com', 'carl@other.test']) {
        expect((await call('PUT', '/v1/suppressions', { channel: 'email', address })).statusCode).toBe(204);
      }
      await call('PUT', '/v1/suppressions', { channel: 'sms', address: '+15550001', reason: 'complaint' });
      const addresses = async (query: string) =>
        (await call('GET', `/v1/suppressions${query}`))
          .json()
          .data.map((s: { address: string }) => s.address)
          .sort();
      expect(await addresses('')).toEqual([
        '+15550001',
        'ann@example.com',
        'bob@example.com',
        'carl@other.test',
      ]);
      expect(await addresses('?search=example')).toEqual(['ann@example.com', 'bob@example.com']);
      expect(await addresses('?channel=sms')).toEqual(['+15550001']);
      expect((await call('DELETE', '/v1/suppressions/email/ann%40example.com')).statusCode).toBe(204);
      expect(await addresses('?channel=email')).toEqual(['bob@example.com', 'carl@other.test']);
      expect((await call('DELETE', '/v1/suppressions/email/ann%40example.com')).statusCode).toBe(404);
    });

    it('offers FCM + APNs as one push provider with both secrets write-only', async () => {
      const call = await workspace();
      const { providers } = (await call('GET', '/v1/channels')).json();
      const both = providers.find((p: { id: string }) => p.id === 'fcm-apns');
      expect(both).toMatchObject({ channel: 'push', secretFields: ['fcmServiceAccount', 'apnsPrivateKey'] });
      expect(Object.keys(both.configSchema.properties)).toEqual([
        'fcmServiceAccount',
        'fcmApiUrl',
        'apnsTeamId',
        'apnsKeyId',
        'apnsPrivateKey',
        'apnsTopic',
        'apnsEnvironment',
        'apnsApiUrl',
        'apnsCaCertificate',
      ]);
      const refused = await call('PUT', '/v1/channels/push', {
        provider: 'fcm-apns',
        config: { fcmServiceAccount: '{"project_id":"x"}' },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.field).toBe('config.fcmServiceAccount');
    });

    it('creates and deletes topics', async () => {
      const call = await workspace();
      await call('PUT', '/v1/topics', { name: 'newsletter', label: 'Newsletter', defaultSubscribed: false });
      expect((await call('GET', '/v1/topics')).json().data).toMatchObject([
        { name: 'newsletter', defaultSubscribed: false },
      ]);
      expect((await call('DELETE', '/v1/topics/newsletter')).statusCode).toBe(204);
      expect((await call('GET', '/v1/topics')).json().data).toEqual([]);
      expect((await call('DELETE', '/v1/topics/newsletter')).statusCode).toBe(404);
    });

    it("checks a channel with a test send, showing the provider's reason when it refuses", async () => {
      const call = await workspace();
      // A receiver that refuses every delivery as a wrongly signed one.
      const peer = await startHttpPeer((_request, response) => {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'invalid signing secret' }));
      });
      try {
        const captured = await call('POST', '/v1/channels/webhook/test', { to: `${peer.url}/hook` });
        expect(captured.json()).toMatchObject({ provider: 'dev-outbox', captured: true });
        const saved = await call('PUT', '/v1/channels/webhook', {
          provider: 'webhook',
          config: {
            signingSecret: `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`,
          },
        });
        expect(saved.statusCode).toBe(200);
        expect(JSON.stringify(saved.json())).not.toContain('whsec_');
        const refused = await call('POST', '/v1/channels/webhook/test', { to: `${peer.url}/hook` });
        expect(refused.statusCode).toBe(422);
        expect(refused.json().error.code).toBe('test_send_failed');
        expect(refused.json().error.message).toContain('401');
        expect(refused.json().error.message).toContain('invalid signing secret');
        expect(peer.requests).toHaveLength(1);
        expect(JSON.parse(peer.requests[0].body)).toMatchObject({ test: true });
      } finally {
        await peer.close();
      }
    });
  },
);

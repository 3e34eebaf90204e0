import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createSecureServer, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { deviceTokens } from '../../db/schema';
import { createContact } from '../../engine/audience/contacts/contacts';
import { registerDeviceToken } from '../../engine/content/devices';
import { createWorkspace } from '../../engine/identity/workspaces';
import { saveChannelSettings } from '../../engine/messaging/channels/channel-settings';
import { closeChannelDeps } from '../../engine/messaging/channels/deps';
import { testChannelDeps, testSecretBox } from '../helpers/channels';
import { databaseKinds, openTestDb } from '../helpers/databases';
import { jwtPart, sendPush } from './push-fixtures';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const p8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI for this test run. */
function selfSignedCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), 'wayline-apns-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
  };
}

interface ApnsRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * A local APNs over HTTP/2 and TLS: it checks the provider token (ES256 over team and key id,
 * with the p8 key's public half), the apns-topic and apns-push-type headers and the payload; it
 * answers 410 Unregistered for `gone…` tokens and 400 BadDeviceToken for `bad…` ones, as Apple documents.
 */
async function apnsPeer(cert: { key: string; cert: string }) {
  const requests: ApnsRequest[] = [];
  const server = createSecureServer({ key: cert.key, cert: cert.cert });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const reqPath = String(headers[':path']);
      requests.push({ path: reqPath, headers, body });
      const answer = (status: number, payload?: unknown) => {
        stream.respond({
          ':status': status,
          'apns-id': String(headers['apns-id'] ?? ''),
          'content-type': 'application/json',
        });
        stream.end(payload ? JSON.stringify(payload) : undefined);
      };
      const [scheme, jwt] = String(headers.authorization ?? '').split(' ');
      const [h, c, s] = (jwt ?? '').split('.');
      const signed = verify(
        'sha256',
        Buffer.from(`${h}.${c}`),
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(s ?? '', 'base64url'),
      );
      if (
        scheme !== 'bearer' ||
        !signed ||
        jwtPart(h).alg !== 'ES256' ||
        jwtPart(h).kid !== 'KEY1234567' ||
        jwtPart(c).iss !== 'TEAM123456'
      )
        return answer(403, { reason: 'InvalidProviderToken' });
      if (headers['apns-topic'] !== 'com.acme.shop') return answer(400, { reason: 'DeviceTokenNotForTopic' });
      if (headers['apns-push-type'] !== 'alert') return answer(400, { reason: 'InvalidPushType' });
      if (headers[':method'] !== 'POST' || !reqPath.startsWith('/3/device/'))
        return answer(405, { reason: 'MethodNotAllowed' });
      const alert = (body.aps as { alert?: { title?: string } } | undefined)?.alert;
      if (typeof alert?.title !== 'string') return answer(400, { reason: 'PayloadEmpty' });
      const token = reqPath.slice('/3/device/'.length);
      if (token.startsWith('gone')) return answer(410, { reason: 'Unregistered', timestamp: Date.now() });
      if (token.startsWith('bad')) return answer(400, { reason: 'BadDeviceToken' });
      answer(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(databaseKinds())('APNs connector (%s, local HTTP/2 TLS peer)', (kind) => {
  let database: Database;
  let apple: Awaited<ReturnType<typeof apnsPeer>>;
  let cert: { key: string; cert: string };

  beforeAll(async () => {
    database = await openTestDb(kind);
    cert = selfSignedCertificate();
    apple = await apnsPeer(cert);
  });
  afterAll(async () => {
    await apple?.close();
    await database?.close();
  });

  async function setup(name: string) {
    const ws = await createWorkspace(database.db, name);
    await saveChannelSettings(database.db, testSecretBox, ws.id, 'push', {
      provider: 'apns',
      config: {
        teamId: 'TEAM123456',
        keyId: 'KEY1234567',
        privateKey: p8,
        topic: 'com.acme.shop',
        apiUrl: apple.url,
        caCertificate: cert.cert,
      },
    });
    return { ws, channels: testChannelDeps(database.db) };
  }

  it('sends an alert to the iOS devices over HTTP/2 with a signed provider token', async () => {
    const { ws, channels } = await setup('APNs send');
    const ada = await createContact(database.db, ws.id, { userId: 'ada' });
    await registerDeviceToken(database.db, ws.id, ada.id, { platform: 'ios', token: 'a1b2c3d4e5f60718' });
    await registerDeviceToken(database.db, ws.id, ada.id, { platform: 'android', token: 'android-only-fcm' });
    const before = apple.requests.length;
    try {
      const sent = await sendPush(channels, database.db, ws.id, ada, 'apns-1');
      expect(sent).toMatchObject({ result: 'sent', provider: 'apns', status: 'sent' });
      const mine = apple.requests.slice(before);
      // The Android token is not APNs's to deliver.
      expect(mine.map((r) => r.path)).toEqual(['/3/device/a1b2c3d4e5f60718']);
      expect(mine[0].headers).toMatchObject({
        'apns-topic': 'com.acme.shop',
        'apns-push-type': 'alert',
        'apns-priority': '10',
      });
      expect(String(mine[0].headers['apns-id'])).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect((sent as { providerId: string }).providerId).toBe(mine[0].headers['apns-id']);
      expect(mine[0].body).toEqual({
        aps: { alert: { title: 'Your cart misses you', body: '2 items are waiting' }, sound: 'default' },
        url: 'https://shop.test/cart',
        messageId: (sent as { messageId: string }).messageId,
      });
    } finally {
      await closeChannelDeps(channels);
    }
  });

  it('removes tokens APNs answers 410 Unregistered or 400 BadDeviceToken, and does not retry them', async () => {
    const { ws, channels } = await setup('APNs prune');
    const bob = await createContact(database.db, ws.id, { userId: 'bob' });
    await registerDeviceToken(database.db, ws.id, bob.id, { platform: 'ios', token: 'gone0000000001' });
    await registerDeviceToken(database.db, ws.id, bob.id, { platform: 'ios', token: 'bad00000000002' });
    try {
      await expect(sendPush(channels, database.db, ws.id, bob, 'apns-gone')).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining('(2 removed)'),
      });
      const left = await database.db.select().from(deviceTokens).where(eq(deviceTokens.workspaceId, ws.id));
      expect(left).toEqual([]);
    } finally {
      await closeChannelDeps(channels);
    }
  });

  it('shows the provider reason when Apple refuses the credentials', async () => {
    const ws = await createWorkspace(database.db, 'APNs wrong key');
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    await saveChannelSettings(database.db, testSecretBox, ws.id, 'push', {
      provider: 'apns',
      config: {
        teamId: 'TEAM123456',
        keyId: 'KEY1234567',
        privateKey: other.export({ type: 'pkcs8', format: 'pem' }).toString(),
        topic: 'com.acme.shop',
        apiUrl: apple.url,
        caCertificate: cert.cert,
      },
    });
    const channels = testChannelDeps(database.db);
    const cid = await createContact(database.db, ws.id, { userId: 'cid' });
    await registerDeviceToken(database.db, ws.id, cid.id, { platform: 'ios', token: 'c1c2c3c4c5c6c7c8' });
    try {
      await expect(sendPush(channels, database.db, ws.id, cid, 'apns-403')).rejects.toMatchObject({
        retryable: false,
        message: 'APNs answered 403: InvalidProviderToken',
      });
      expect(
        await database.db.select().from(deviceTokens).where(eq(deviceTokens.workspaceId, ws.id)),
      ).toHaveLength(1);
    } finally {
      await closeChannelDeps(channels);
    }
  });

  it('refuses a team id or key that is not Apple-shaped, naming the field', async () => {
    const ws = await createWorkspace(database.db, 'APNs bad config');
    await expect(
      saveChannelSettings(database.db, testSecretBox, ws.id, 'push', {
        provider: 'apns',
        config: { teamId: 'acme', keyId: 'KEY1234567', privateKey: p8, topic: 'com.acme.shop' },
      }),
    ).rejects.toMatchObject({ code: 'provider_config_invalid', field: 'config.teamId' });
  });
});

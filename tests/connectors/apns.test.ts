import { generateKeyPairSync } from 'node:crypto';
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
import { sendPush } from './push-fixtures';
import { apnsPeer, p8, selfSignedCertificate } from './push-peers';

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

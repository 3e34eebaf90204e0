import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { deviceTokens } from '../../db/schema';
import { createContact } from '../../engine/audience/contacts/contacts';
import { registerDeviceToken } from '../../engine/content/devices';
import { createWorkspace } from '../../engine/identity/workspaces';
import { listChannelSettings, saveChannelSettings } from '../../engine/messaging/channels/channel-settings';
import { closeChannelDeps } from '../../engine/messaging/channels/deps';
import { testChannelDeps, testSecretBox } from '../helpers/channels';
import { databaseKinds, openTestDb } from '../helpers/databases';
import { sendPush } from './push-fixtures';
import { apnsPeer, googlePeer, p8, selfSignedCertificate, serviceAccountKey } from './push-peers';

describe.each(databaseKinds())(
  'FCM + APNs in one push setting (%s, local Google OAuth/FCM peer and HTTP/2 APNs peer)',
  (kind) => {
    let database: Database;
    let google: Awaited<ReturnType<typeof googlePeer>>;
    let apple: Awaited<ReturnType<typeof apnsPeer>>;
    let cert: { key: string; cert: string };

    beforeAll(async () => {
      database = await openTestDb(kind);
      cert = selfSignedCertificate();
      google = await googlePeer();
      apple = await apnsPeer(cert);
    });
    afterAll(async () => {
      await google?.close();
      await apple?.close();
      await database?.close();
    });

    async function setup(name: string) {
      const ws = await createWorkspace(database.db, name);
      await saveChannelSettings(database.db, testSecretBox, ws.id, 'push', {
        provider: 'fcm-apns',
        config: {
          fcmServiceAccount: serviceAccountKey(google.url),
          fcmApiUrl: google.url,
          apnsTeamId: 'TEAM123456',
          apnsKeyId: 'KEY1234567',
          apnsPrivateKey: p8,
          apnsTopic: 'com.acme.shop',
          apnsApiUrl: apple.url,
          apnsCaCertificate: cert.cert,
        },
      });
      return ws;
    }

    it('routes each device to its provider in one send: Android and web to FCM, iOS to APNs', async () => {
      const ws = await setup('Both push providers');
      const channels = testChannelDeps(database.db);
      const ada = await createContact(database.db, ws.id, { userId: 'ada' });
      await registerDeviceToken(database.db, ws.id, ada.id, { platform: 'android', token: 'android-tok-1' });
      await registerDeviceToken(database.db, ws.id, ada.id, { platform: 'ios', token: 'a1b2c3d4e5f60718' });
      await registerDeviceToken(database.db, ws.id, ada.id, { platform: 'web', token: 'webapp-tok-3' });
      const googleBefore = google.requests.length;
      const appleBefore = apple.requests.length;
      try {
        const sent = await sendPush(channels, database.db, ws.id, ada, 'both-1');
        expect(sent).toMatchObject({ result: 'sent', provider: 'fcm-apns', status: 'sent' });
        const toGoogle = google.requests.slice(googleBefore).filter((r) => r.path.endsWith(':send'));
        expect(toGoogle.map((r) => JSON.parse(r.body).message.token)).toEqual([
          'android-tok-1',
          'webapp-tok-3',
        ]);
        const toApple = apple.requests.slice(appleBefore);
        expect(toApple.map((r) => r.path)).toEqual(['/3/device/a1b2c3d4e5f60718']);
        expect(toApple[0].headers['apns-topic']).toBe('com.acme.shop');
        // One id per device that took it: two FCM message names, then the APNs id.
        const ids = (sent as { providerId: string }).providerId.split(',');
        expect(ids).toEqual([
          'projects/demo-project/messages/0:androi',
          'projects/demo-project/messages/0:webapp',
          String(toApple[0].headers['apns-id']),
        ]);
      } finally {
        await closeChannelDeps(channels);
      }
    });

    it('prunes the tokens either provider calls gone and delivers to the rest', async () => {
      const ws = await setup('Both push providers prune');
      const channels = testChannelDeps(database.db);
      const bob = await createContact(database.db, ws.id, { userId: 'bob' });
      await registerDeviceToken(database.db, ws.id, bob.id, { platform: 'android', token: 'gone-android-7' });
      await registerDeviceToken(database.db, ws.id, bob.id, { platform: 'ios', token: 'gone0000000009' });
      await registerDeviceToken(database.db, ws.id, bob.id, { platform: 'ios', token: 'b0b0b0b0b0b0b0b0' });
      try {
        expect((await sendPush(channels, database.db, ws.id, bob, 'both-2')).result).toBe('sent');
        const left = await database.db
          .select({ token: deviceTokens.token })
          .from(deviceTokens)
          .where(eq(deviceTokens.workspaceId, ws.id));
        expect(left.map((d) => d.token)).toEqual(['b0b0b0b0b0b0b0b0']);
      } finally {
        await closeChannelDeps(channels);
      }
    });

    it('keeps both secrets write-only and names a missing APNs field', async () => {
      const ws = await setup('Both push providers settings');
      const [view] = await listChannelSettings(database.db, testSecretBox, ws.id);
      expect(view.provider).toBe('fcm-apns');
      expect(view.secretsSet.sort()).toEqual(['apnsPrivateKey', 'fcmServiceAccount']);
      expect(JSON.stringify(view.config)).not.toContain('PRIVATE KEY');
      expect(view.config).toMatchObject({ apnsTopic: 'com.acme.shop', apnsTeamId: 'TEAM123456' });
      const other = await createWorkspace(database.db, 'Both push providers incomplete');
      await expect(
        saveChannelSettings(database.db, testSecretBox, other.id, 'push', {
          provider: 'fcm-apns',
          config: { fcmServiceAccount: serviceAccountKey(google.url), apnsKeyId: 'KEY1234567' },
        }),
      ).rejects.toMatchObject({ code: 'provider_config_invalid', field: 'config.apnsTeamId' });
    });
  },
);

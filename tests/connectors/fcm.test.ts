import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { deviceTokens, messages } from '../../db/schema';
import { createContact } from '../../engine/audience/contacts/contacts';
import { registerDeviceToken } from '../../engine/content/devices';
import { createWorkspace } from '../../engine/identity/workspaces';
import { saveChannelSettings } from '../../engine/messaging/channels/channel-settings';
import { testChannelDeps, testSecretBox } from '../helpers/channels';
import { databaseKinds, openTestDb } from '../helpers/databases';
import { sendPush } from './push-fixtures';
import { googlePeer, serviceAccountKey } from './push-peers';

describe.each(databaseKinds())('FCM HTTP v1 connector (%s, local OAuth and FCM peer)', (kind) => {
  let database: Database;
  let google: Awaited<ReturnType<typeof googlePeer>>;

  beforeAll(async () => {
    database = await openTestDb(kind);
    google = await googlePeer();
  });
  afterAll(async () => {
    await google?.close();
    await database?.close();
  });

  async function setup(name: string) {
    const ws = await createWorkspace(database.db, name);
    await saveChannelSettings(database.db, testSecretBox, ws.id, 'push', {
      provider: 'fcm',
      config: {
        apiUrl: google.url,
        serviceAccount: serviceAccountKey(google.url),
      },
    });
    return ws;
  }

  it('exchanges a signed assertion for an access token once and sends the v1 message to every device', async () => {
    const ws = await setup('FCM send');
    const channels = testChannelDeps(database.db);
    const ada = await createContact(database.db, ws.id, { userId: 'ada' });
    await registerDeviceToken(database.db, ws.id, ada.id, {
      platform: 'android',
      token: 'fcm-android-token-1',
    });
    await registerDeviceToken(database.db, ws.id, ada.id, { platform: 'ios', token: 'fcm-ios-token-2' });
    const before = google.requests.length;

    const first = await sendPush(channels, database.db, ws.id, ada, 'fcm-1');
    const second = await sendPush(channels, database.db, ws.id, ada, 'fcm-2');
    expect(first).toMatchObject({ result: 'sent', provider: 'fcm', status: 'sent' });
    expect(first).toMatchObject({
      providerId: 'projects/demo-project/messages/0:fcm-an,projects/demo-project/messages/0:fcm-io',
    });
    expect(second.result).toBe('sent');
    const mine = google.requests.slice(before);
    // One token exchange, then 2 devices × 2 sends.
    expect(mine.map((r) => r.path)).toEqual([
      '/token',
      ...Array(4).fill('/v1/projects/demo-project/messages:send'),
    ]);
    expect(JSON.parse(mine[1].body)).toEqual({
      message: {
        token: 'fcm-android-token-1',
        notification: { title: 'Your cart misses you', body: '2 items are waiting' },
        data: { messageId: (first as { messageId: string }).messageId, url: 'https://shop.test/cart' },
        android: { priority: 'high' },
        apns: { headers: { 'apns-push-type': 'alert' } },
      },
    });
  });

  it('removes a token FCM calls UNREGISTERED and still delivers to the others', async () => {
    const ws = await setup('FCM prune');
    const channels = testChannelDeps(database.db);
    const bob = await createContact(database.db, ws.id, { userId: 'bob' });
    await registerDeviceToken(database.db, ws.id, bob.id, { platform: 'android', token: 'gone-android-1' });
    await registerDeviceToken(database.db, ws.id, bob.id, { platform: 'android', token: 'fcm-android-ok-2' });
    const sent = await sendPush(channels, database.db, ws.id, bob, 'fcm-prune-1');
    expect(sent.result).toBe('sent');
    const left = await database.db
      .select({ token: deviceTokens.token })
      .from(deviceTokens)
      .where(eq(deviceTokens.workspaceId, ws.id));
    expect(left.map((d) => d.token)).toEqual(['fcm-android-ok-2']);
  });

  it('fails without retry when every token is gone, and sends nothing to them again', async () => {
    const ws = await setup('FCM all gone');
    const channels = testChannelDeps(database.db);
    const cid = await createContact(database.db, ws.id, { userId: 'cid' });
    await registerDeviceToken(database.db, ws.id, cid.id, { platform: 'android', token: 'gone-android-9' });
    const before = google.requests.length;
    await expect(sendPush(channels, database.db, ws.id, cid, 'fcm-gone-1')).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining('every device token was invalid or expired (1 removed)'),
    });
    const [row] = await database.db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, ws.id), eq(messages.idempotencyKey, 'fcm-gone-1')));
    expect(row).toMatchObject({ status: 'failed', provider: 'fcm' });
    expect(row.payload).toMatchObject({ retryable: false });
    // The next push finds no device: skipped by the policy as having no recipient, FCM not called.
    const next = await sendPush(channels, database.db, ws.id, cid, 'fcm-gone-2');
    expect(next.result).toBe('skipped');
    expect(google.requests.slice(before).filter((r) => r.path.endsWith(':send'))).toHaveLength(1);
  });

  it('refuses a service account that is not the key file, naming the field', async () => {
    const ws = await createWorkspace(database.db, 'FCM bad config');
    await expect(
      saveChannelSettings(database.db, testSecretBox, ws.id, 'push', {
        provider: 'fcm',
        config: { serviceAccount: '{"project_id":"x"}' },
      }),
    ).rejects.toMatchObject({ code: 'provider_config_invalid', field: 'config.serviceAccount' });
  });
});

import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { contacts } from '../../../db/schema';
import { buildApp } from '../../../engine/api/app';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { listDeviceTokens, pushRecipient } from '../../../engine/content/devices';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { appDeps } from '../../helpers/app';
import { testChannelDeps } from '../../helpers/channels';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

describe.each(databaseKinds())('device tokens (%s, Fastify inject, Temporal dev server client)', (kind) => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await openTestDb(kind);
    temporal = await devServerTemporal();
    app = await buildApp(appDeps(database, temporal, { channels: testChannelDeps(database.db) }));
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
  });

  async function contactOf(workspaceId: string, userId: string): Promise<string> {
    const [row] = await database.db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, userId)));
    return row.id;
  }

  it('registers, lists and removes a contact’s device tokens through the API', async () => {
    const ws = await createWorkspace(database.db, 'Devices API');
    const headers = { authorization: `Bearer ${ws.secretKey}` };
    const ada = await createContact(database.db, ws.id, { userId: 'ada' });
    const created = await app.inject({
      method: 'POST',
      url: `/v1/contacts/${ada.id}/devices`,
      headers,
      payload: { platform: 'ios', token: 'a1b2c3d4e5f6a7b8', appId: 'com.acme.shop' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ platform: 'ios', token: 'a1b2c3d4e5f6a7b8', contactId: ada.id });

    const bad = await app.inject({
      method: 'POST',
      url: `/v1/contacts/${ada.id}/devices`,
      headers,
      payload: { platform: 'windows', token: 'a1b2c3d4e5f6a7b8' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('body.platform');
    const spaces = await app.inject({
      method: 'POST',
      url: `/v1/contacts/${ada.id}/devices`,
      headers,
      payload: { platform: 'ios', token: 'not a token <script>' },
    });
    expect(spaces.statusCode).toBe(400);
    expect(spaces.json().error.field).toBe('body.token');

    const missing = await app.inject({
      method: 'POST',
      url: '/v1/contacts/00000000-0000-4000-8000-000000000000/devices',
      headers,
      payload: { platform: 'ios', token: 'a1b2c3d4e5f6a7b8' },
    });
    expect(missing.statusCode).toBe(404);

    const list = await app.inject({ method: 'GET', url: `/v1/contacts/${ada.id}/devices`, headers });
    expect(list.json().data).toHaveLength(1);
    const removed = await app.inject({
      method: 'DELETE',
      url: `/v1/contacts/${ada.id}/devices/${created.json().id}`,
      headers,
    });
    expect(removed.statusCode).toBe(204);
    expect(await listDeviceTokens(database.db, ws.id, ada.id)).toEqual([]);
  });

  it('takes the device token from an identify call’s context (Segment convention) and moves it with the device', async () => {
    const ws = await createWorkspace(database.db, 'Devices identify');
    const basic = { authorization: `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}` };
    const identify = (userId: string, messageId: string, device: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/v1/identify',
        headers: basic,
        payload: {
          userId,
          messageId,
          traits: { email: `${userId}@example.com` },
          context: { device, app: { namespace: 'com.acme.shop', version: '2.1' } },
        },
      });
    expect(
      (await identify('u1', 'm1', { type: 'android', token: 'fcm-token-abc123', model: 'Pixel 8' }))
        .statusCode,
    ).toBe(202);
    // A token that is not one is ignored; the identify itself is stored.
    expect((await identify('u1', 'm2', { type: 'ios', token: 'x' })).statusCode).toBe(202);
    const u1 = await contactOf(ws.id, 'u1');
    const tokens = await listDeviceTokens(database.db, ws.id, u1);
    expect(tokens.map((t) => [t.platform, t.token, t.appId])).toEqual([
      ['android', 'fcm-token-abc123', 'com.acme.shop'],
    ]);

    // Another user signs in on the same phone: the token follows the device.
    await identify('u2', 'm3', { type: 'android', token: 'fcm-token-abc123' });
    expect(await listDeviceTokens(database.db, ws.id, u1)).toEqual([]);
    expect(
      (await listDeviceTokens(database.db, ws.id, await contactOf(ws.id, 'u2'))).map((t) => t.token),
    ).toEqual(['fcm-token-abc123']);
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: basic,
      payload: {
        batch: [
          {
            type: 'identify',
            userId: 'u3',
            messageId: 'b1',
            context: { device: { type: 'ios', token: 'apns0123456789ab' } },
          },
          {
            type: 'track',
            userId: 'u3',
            event: 'Opened App',
            messageId: 'b2',
            context: { device: { type: 'ios', token: 'apns-track-only-1' } },
          },
        ],
      },
    });
    expect(batch.statusCode).toBe(202);
    expect(batch.json().rejected ?? []).toEqual([]);
    // Only identify calls register devices: the track call's token is not taken.
    const u3 = await listDeviceTokens(database.db, ws.id, await contactOf(ws.id, 'u3'));
    expect(u3.map((t) => [t.platform, t.token])).toEqual([['ios', 'apns0123456789ab']]);
  });

  it('puts the app installations next to the web push subscription in a push recipient', async () => {
    const ws = await createWorkspace(database.db, 'Devices recipient');
    const subscription = { endpoint: 'https://push.example/abc', keys: { p256dh: 'p', auth: 'a' } };
    const ada = await createContact(database.db, ws.id, {
      userId: 'ada',
      attributes: { pushSubscription: subscription },
    });
    expect(JSON.parse((await pushRecipient(database.db, ws.id, ada.id, ada.attributes)) ?? '')).toEqual(
      subscription,
    );
    await app.inject({
      method: 'POST',
      url: `/v1/contacts/${ada.id}/devices`,
      headers: { authorization: `Bearer ${ws.secretKey}` },
      payload: { platform: 'android', token: 'fcm-ada-phone-1' },
    });
    expect(JSON.parse((await pushRecipient(database.db, ws.id, ada.id, ada.attributes)) ?? '')).toEqual({
      ...subscription,
      devices: [{ platform: 'android', token: 'fcm-ada-phone-1' }],
    });
    const bob = await createContact(database.db, ws.id, { userId: 'bob' });
    expect(await pushRecipient(database.db, ws.id, bob.id, bob.attributes)).toBeNull();
  });
});

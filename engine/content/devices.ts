import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db';
import { contacts, deviceTokens } from '../../db/schema';
import { NotFound } from '../errors';

export const devicePlatforms = ['ios', 'android', 'web'] as const;

export const deviceTokenInput = z.object({
  platform: z
    .enum(devicePlatforms)
    .describe('ios (APNs or FCM token), android or web (FCM registration token)'),
  token: z
    .string()
    .trim()
    .min(8)
    .max(4096)
    .regex(/^[A-Za-z0-9_:\-.]+$/, 'must be a push token (letters, digits, _ : - .)')
    .describe('The FCM registration token or APNs device token the app received'),
  appId: z.string().trim().min(1).max(200).optional().describe('Bundle id or package name of the app'),
});

export type DeviceTokenInput = z.input<typeof deviceTokenInput>;
export type DeviceTokenRow = typeof deviceTokens.$inferSelect;

async function assertContact(db: Db, workspaceId: string, contactId: string): Promise<void> {
  const [contact] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
  if (!contact) throw new NotFound('Contact', contactId);
}

/**
 * Registers an app installation of a contact. A token is unique per workspace: when a device
 * changes hands (another contact signs in on it) it moves to the new contact.
 */
export async function registerDeviceToken(
  db: Db,
  workspaceId: string,
  contactId: string,
  raw: DeviceTokenInput,
): Promise<DeviceTokenRow> {
  const input = deviceTokenInput.parse(raw);
  await assertContact(db, workspaceId, contactId);
  const [row] = await db
    .insert(deviceTokens)
    .values({ workspaceId, contactId, platform: input.platform, token: input.token, appId: input.appId })
    .onConflictDoUpdate({
      target: [deviceTokens.workspaceId, deviceTokens.token],
      set: { contactId, platform: input.platform, appId: input.appId ?? null, lastSeenAt: new Date() },
    })
    .returning();
  return row;
}

export async function listDeviceTokens(
  db: Db,
  workspaceId: string,
  contactId: string,
): Promise<DeviceTokenRow[]> {
  await assertContact(db, workspaceId, contactId);
  return db
    .select()
    .from(deviceTokens)
    .where(and(eq(deviceTokens.workspaceId, workspaceId), eq(deviceTokens.contactId, contactId)))
    .orderBy(asc(deviceTokens.createdAt));
}

export async function deleteDeviceToken(
  db: Db,
  workspaceId: string,
  contactId: string,
  id: string,
): Promise<void> {
  const removed = await db
    .delete(deviceTokens)
    .where(
      and(
        eq(deviceTokens.workspaceId, workspaceId),
        eq(deviceTokens.contactId, contactId),
        eq(deviceTokens.id, id),
      ),
    )
    .returning({ id: deviceTokens.id });
  if (removed.length === 0) throw new NotFound('Device token', id);
}

/** Removes a token the push provider answered is invalid or expired, so it is never tried again. */
export async function pruneDeviceToken(db: Db, workspaceId: string, token: string): Promise<boolean> {
  const removed = await db
    .delete(deviceTokens)
    .where(and(eq(deviceTokens.workspaceId, workspaceId), eq(deviceTokens.token, token)))
    .returning({ id: deviceTokens.id });
  return removed.length > 0;
}

/**
 * Device tokens from the tracking API's identify calls, in Segment's convention:
 * `context.device.token` with `context.device.type` ("ios"/"android"/"web") and `context.app.namespace`.
 * A malformed token is ignored (the event itself is still stored).
 */
export async function registerDevicesFromContext(
  db: Db,
  workspaceId: string,
  entries: { contactId: string; context: Record<string, unknown> | undefined }[],
): Promise<number> {
  const rows = new Map<string, typeof deviceTokens.$inferInsert>();
  for (const { contactId, context } of entries) {
    const device = context?.device as Record<string, unknown> | undefined;
    const app = context?.app as Record<string, unknown> | undefined;
    const platform = typeof device?.type === 'string' ? device.type.toLowerCase() : undefined;
    const parsed = deviceTokenInput.safeParse({
      platform,
      token: device?.token,
      appId: typeof app?.namespace === 'string' ? app.namespace : undefined,
    });
    if (!parsed.success) continue;
    rows.set(parsed.data.token, { workspaceId, contactId, ...parsed.data, lastSeenAt: new Date() });
  }
  if (rows.size === 0) return 0;
  await db
    .insert(deviceTokens)
    .values([...rows.values()])
    .onConflictDoUpdate({
      target: [deviceTokens.workspaceId, deviceTokens.token],
      set: {
        contactId: sql`excluded.contact_id`,
        platform: sql`excluded.platform`,
        appId: sql`excluded.app_id`,
        lastSeenAt: sql`excluded.last_seen_at`,
      },
    });
  return rows.size;
}

/**
 * The recipient of a push send: the contact's web push subscription (its `pushSubscription`
 * attribute) with the contact's app installations under `devices`. Each connector takes its own
 * part — web push the subscription, FCM every device, APNs the iOS ones, FCM + APNs each device
 * by its platform — so one push node
 * reaches the contact wherever the workspace's push provider can.
 */
export async function pushRecipient(
  db: Db,
  workspaceId: string,
  contactId: string,
  attributes: Record<string, unknown>,
): Promise<string | null> {
  const devices = await db
    .select({ platform: deviceTokens.platform, token: deviceTokens.token })
    .from(deviceTokens)
    .where(and(eq(deviceTokens.workspaceId, workspaceId), eq(deviceTokens.contactId, contactId)))
    .orderBy(asc(deviceTokens.createdAt));
  const value = attributes.pushSubscription;
  let subscription: Record<string, unknown> = {};
  if (typeof value === 'string') {
    try {
      subscription = JSON.parse(value) as Record<string, unknown>;
    } catch {
      subscription = {};
    }
  } else if (value && typeof value === 'object') subscription = value as Record<string, unknown>;
  if (devices.length === 0) return value ? (typeof value === 'string' ? value : JSON.stringify(value)) : null;
  return JSON.stringify({ ...subscription, devices });
}

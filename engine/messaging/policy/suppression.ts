import { and, desc, eq, ilike, inArray } from 'drizzle-orm';
import type { Db } from '../../../db';
import { suppressions } from '../../../db/schema';

export type SuppressionReason = (typeof suppressions.$inferInsert)['reason'];

/** Addresses are compared case-insensitively for email, as written for the rest. */
export function normalizeAddress(channel: string, address: string): string {
  return channel === 'email' ? address.trim().toLowerCase() : address.trim();
}

/** `suppressed:<reason>` when the address is on the workspace's suppression list, else null. */
export async function suppressionBlock(
  db: Db,
  workspaceId: string,
  channel: string,
  address: string,
): Promise<string | null> {
  const found = await suppressedAddresses(db, workspaceId, channel, [address]);
  return suppressionReason(found, channel, address);
}

/** The suppressed ones among `addresses` (normalized) with their reasons: one statement for a batch. */
export async function suppressedAddresses(
  db: Db,
  workspaceId: string,
  channel: string,
  addresses: string[],
): Promise<Map<string, string>> {
  const normalized = [...new Set(addresses.map((a) => normalizeAddress(channel, a)))];
  if (normalized.length === 0) return new Map();
  const rows = await db
    .select({ address: suppressions.address, reason: suppressions.reason })
    .from(suppressions)
    .where(
      and(
        eq(suppressions.workspaceId, workspaceId),
        eq(suppressions.channel, channel),
        inArray(suppressions.address, normalized),
      ),
    );
  return new Map(rows.map((r) => [r.address, r.reason]));
}

/** `suppressed:<reason>` when `address` is among the loaded suppressions, else null. */
export function suppressionReason(
  suppressed: Map<string, string>,
  channel: string,
  address: string,
): string | null {
  const reason = suppressed.get(normalizeAddress(channel, address));
  return reason ? `suppressed:${reason}` : null;
}

/** Adds an address to the suppression list (hard bounce, complaint, manual); a second add keeps the first reason. */
export async function suppress(
  db: Db,
  workspaceId: string,
  channel: string,
  address: string,
  reason: SuppressionReason,
) {
  await db
    .insert(suppressions)
    .values({ workspaceId, channel, address: normalizeAddress(channel, address), reason })
    .onConflictDoNothing();
}

export async function unsuppress(
  db: Db,
  workspaceId: string,
  channel: string,
  address: string,
): Promise<boolean> {
  const removed = await db
    .delete(suppressions)
    .where(
      and(
        eq(suppressions.workspaceId, workspaceId),
        eq(suppressions.channel, channel),
        eq(suppressions.address, normalizeAddress(channel, address)),
      ),
    )
    .returning({ address: suppressions.address });
  return removed.length > 0;
}

/** The suppression list, newest first, filtered by channel and part of the address. */
export async function listSuppressions(
  db: Db,
  workspaceId: string,
  filters: { channel?: string; search?: string; limit?: number } = {},
) {
  const where = [eq(suppressions.workspaceId, workspaceId)];
  if (filters.channel) where.push(eq(suppressions.channel, filters.channel));
  if (filters.search) {
    where.push(ilike(suppressions.address, `%${filters.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  }
  return db
    .select()
    .from(suppressions)
    .where(and(...where))
    .orderBy(desc(suppressions.createdAt), suppressions.address)
    .limit(filters.limit ?? 200);
}

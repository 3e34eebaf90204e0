import { and, asc, desc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { hookSecrets, hooks } from '../../../db/schema';
import { NotFound } from '../../errors';
import type { SecretBox } from '../../identity/secret-box';
import { type HookMapping, hookMappingSchema } from './mapping';
import { generateWebhookSecret } from './signature';

export const hookInputSchema = z.object({
  name: z.string().min(1).max(200).describe('What sends to this hook, e.g. "Shopify orders"'),
  mapping: hookMappingSchema,
});

export type HookInput = z.infer<typeof hookInputSchema>;

export interface HookSecretInfo {
  id: string;
  createdAt: Date;
  /** Null while it is the current secret; set when a rotation gave it a grace period. */
  expiresAt: Date | null;
}

export interface HookView {
  id: string;
  name: string;
  mapping: HookMapping;
  /** Path to POST deliveries to, at the host root. */
  path: string;
  secrets: HookSecretInfo[];
  createdAt: Date;
  updatedAt: Date;
}

export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 60 * 60;

const active = (now: Date) => or(isNull(hookSecrets.expiresAt), gt(hookSecrets.expiresAt, now));

/** Creates a hook with its first signing secret, returned in clear text this once (only a sealed copy is kept). */
export async function createHook(
  db: Db,
  box: SecretBox,
  workspaceId: string,
  input: HookInput,
): Promise<{ hook: HookView; secret: string }> {
  const secret = generateWebhookSecret();
  const hookId = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(hooks)
      .values({ workspaceId, name: input.name, mapping: input.mapping })
      .returning({ id: hooks.id });
    await tx.insert(hookSecrets).values({ workspaceId, hookId: row.id, secret: box.encrypt(secret) });
    return row.id;
  });
  return { hook: await getHook(db, workspaceId, hookId), secret };
}

export async function listHooks(db: Db, workspaceId: string): Promise<HookView[]> {
  const rows = await db
    .select()
    .from(hooks)
    .where(eq(hooks.workspaceId, workspaceId))
    .orderBy(desc(hooks.createdAt));
  return Promise.all(rows.map((row) => view(db, row)));
}

export async function getHook(db: Db, workspaceId: string, hookId: string): Promise<HookView> {
  const [row] = await db
    .select()
    .from(hooks)
    .where(and(eq(hooks.workspaceId, workspaceId), eq(hooks.id, hookId)));
  if (!row) throw new NotFound('Hook', hookId);
  return view(db, row);
}

export async function updateHook(
  db: Db,
  workspaceId: string,
  hookId: string,
  input: HookInput,
): Promise<HookView> {
  const [row] = await db
    .update(hooks)
    .set({ name: input.name, mapping: input.mapping, updatedAt: new Date() })
    .where(and(eq(hooks.workspaceId, workspaceId), eq(hooks.id, hookId)))
    .returning({ id: hooks.id });
  if (!row) throw new NotFound('Hook', hookId);
  return getHook(db, workspaceId, hookId);
}

export async function deleteHook(db: Db, workspaceId: string, hookId: string): Promise<void> {
  const [row] = await db
    .delete(hooks)
    .where(and(eq(hooks.workspaceId, workspaceId), eq(hooks.id, hookId)))
    .returning({ id: hooks.id });
  if (!row) throw new NotFound('Hook', hookId);
}

/**
 * Issues a new signing secret. Secrets valid until now stay valid for the grace period, so a
 * sender can switch over (signing with both meanwhile) without a delivery being refused.
 */
export async function rotateHookSecret(
  db: Db,
  box: SecretBox,
  workspaceId: string,
  hookId: string,
  graceSeconds = DEFAULT_ROTATION_GRACE_SECONDS,
): Promise<{ hook: HookView; secret: string }> {
  await getHook(db, workspaceId, hookId);
  const now = new Date();
  const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
  const secret = generateWebhookSecret();
  await db.transaction(async (tx) => {
    await tx.delete(hookSecrets).where(and(eq(hookSecrets.hookId, hookId), lte(hookSecrets.expiresAt, now)));
    await tx
      .update(hookSecrets)
      .set({ expiresAt: graceEnd })
      .where(
        and(
          eq(hookSecrets.hookId, hookId),
          or(isNull(hookSecrets.expiresAt), gt(hookSecrets.expiresAt, graceEnd)),
        ),
      );
    await tx.insert(hookSecrets).values({ workspaceId, hookId, secret: box.encrypt(secret) });
  });
  return { hook: await getHook(db, workspaceId, hookId), secret };
}

/** What the receiving endpoint needs: the hook's workspace, mapping and currently valid secrets. */
export async function hookForDelivery(
  db: Db,
  box: SecretBox,
  hookId: string,
  now = new Date(),
): Promise<{ workspaceId: string; mapping: HookMapping; secrets: string[] } | undefined> {
  const [row] = await db.select().from(hooks).where(eq(hooks.id, hookId));
  if (!row) return undefined;
  const secrets = await db
    .select({ secret: hookSecrets.secret })
    .from(hookSecrets)
    .where(and(eq(hookSecrets.hookId, hookId), active(now)));
  return {
    workspaceId: row.workspaceId,
    mapping: hookMappingSchema.parse(row.mapping),
    secrets: secrets.map((s) => box.decrypt(s.secret)),
  };
}

async function view(db: Db, row: typeof hooks.$inferSelect): Promise<HookView> {
  const secrets = await db
    .select({ id: hookSecrets.id, createdAt: hookSecrets.createdAt, expiresAt: hookSecrets.expiresAt })
    .from(hookSecrets)
    .where(and(eq(hookSecrets.hookId, row.id), active(new Date())))
    .orderBy(asc(hookSecrets.createdAt));
  return {
    id: row.id,
    name: row.name,
    mapping: row.mapping as HookMapping,
    path: `/v1/hooks/${row.id}`,
    secrets,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

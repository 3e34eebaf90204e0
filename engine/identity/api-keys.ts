import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db';
import { API_KEY_SCOPES, type ApiKeyScope, apiKeys, users } from '../../db/schema';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors';
import { cachedKey, forgetKey } from './key-cache';
import { type Permission, permissionsOfScopes } from './permissions';

export type ApiKeyKind = 'secret' | 'write';

const prefixes: Record<ApiKeyKind, string> = { secret: 'wl_sk_', write: 'wl_wk_' };

/** The scopes of the keys `createWorkspace` and the migration of older keys give each kind. */
export const DEFAULT_SCOPES: Record<ApiKeyKind, ApiKeyScope[]> = {
  secret: ['read', 'write', 'admin'],
  write: ['ingest'],
};

/** How stale `lastUsedAt` may get: a busy key costs one write a minute, not one per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * An ingest-only key is a write key (`wl_wk_…`), the kind Segment-style clients embed in
 * browsers and apps; any other set of scopes makes a secret key (`wl_sk_…`).
 */
export function kindOfScopes(scopes: readonly ApiKeyScope[]): ApiKeyKind {
  return scopes.length === 1 && scopes[0] === 'ingest' ? 'write' : 'secret';
}

/** Scopes in their canonical order, without repeats; refuses an empty or unknown list. */
export function normalizeScopes(scopes: readonly string[], field = 'scopes'): ApiKeyScope[] {
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new InvalidInput(
      'scope_unknown',
      `Unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; scopes are ${API_KEY_SCOPES.join(', ')}`,
      field,
    );
  }
  const set = API_KEY_SCOPES.filter((s) => scopes.includes(s));
  if (set.length === 0) throw new InvalidInput('scopes_empty', 'A key needs at least one scope', field);
  return set;
}

/**
 * A key can do no more than whoever creates it: a developer cannot mint an `admin` key, nor an
 * admin a `write` key for journeys they may not edit. `granter` is null for `wayline admin`.
 */
export function assertCanGrant(granter: readonly Permission[] | null, scopes: readonly ApiKeyScope[]): void {
  if (granter === null) return;
  // Ingest keys only send events and sit in browsers and apps by design: any key manager may make one.
  const missing = permissionsOfScopes(scopes).filter((p) => p !== 'ingest' && !granter.includes(p));
  if (missing.length > 0) {
    throw new Forbidden(
      'scope_exceeds_creator',
      `A key cannot do more than its creator: the scopes ${scopes.join(', ')} include ${missing.join(', ')}`,
      { permission: missing[0], missing },
    );
  }
}

export interface NewApiKey {
  workspaceId: string;
  name: string;
  scopes: readonly string[];
  /** The user creating it; null for keys made by `wayline admin` or the demo seed. */
  createdBy?: string | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  kind: ApiKeyKind;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  /** The key in clear text: returned here once, never stored nor shown again. */
  key: string;
}

/** Creates a key with the given scopes; only its hash is stored. */
export async function issueApiKey(db: Db, input: NewApiKey): Promise<CreatedApiKey> {
  const scopes = normalizeScopes(input.scopes);
  const kind = kindOfScopes(scopes);
  const key = `${prefixes[kind]}${randomBytes(24).toString('base64url')}`;
  const [row] = await db
    .insert(apiKeys)
    .values({
      workspaceId: input.workspaceId,
      name: input.name,
      kind,
      scopes,
      prefix: key.slice(0, 10),
      keyHash: hashKey(key),
      createdBy: input.createdBy ?? null,
    })
    .returning();
  return {
    id: row.id,
    name: row.name,
    kind,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt,
    key,
  };
}

/** Creates a key of a kind with that kind's default scopes (the keys `createWorkspace` hands out). */
export async function createApiKey(
  db: Db,
  workspaceId: string,
  kind: ApiKeyKind,
  name: string,
): Promise<{ id: string; key: string }> {
  const { id, key } = await issueApiKey(db, { workspaceId, name, scopes: DEFAULT_SCOPES[kind] });
  return { id, key };
}

export interface ApiKeySummary {
  id: string;
  name: string;
  kind: ApiKeyKind;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  createdBy: { id: string; email: string } | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The workspace's keys, newest first, revoked ones included; never a key or its hash. */
export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKeySummary[]> {
  const rows = await db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      kind: apiKeys.kind,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      creatorId: apiKeys.createdBy,
      creatorEmail: users.email,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(eq(apiKeys.workspaceId, workspaceId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map(({ creatorId, creatorEmail, ...row }) => ({
    ...row,
    createdBy: creatorId && creatorEmail ? { id: creatorId, email: creatorEmail } : null,
  }));
}

/** Revokes a key at once; the summary of the revoked key. Revoking twice is a conflict. */
export async function revokeApiKey(db: Db, workspaceId: string, id: string): Promise<ApiKeySummary> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  // Tracking requests of this process stop being accepted with it at once (also when another
  // process revoked it first: this one may still remember it).
  forgetKey(db, id);
  const summary = (await listApiKeys(db, workspaceId)).find((k) => k.id === id);
  if (!summary) throw new NotFound('API key', id);
  if (!row) throw new Conflict('api_key_revoked', `API key ${id} is already revoked`);
  return summary;
}

export interface AuthenticatedKey {
  workspaceId: string;
  keyId: string;
  kind: ApiKeyKind;
  prefix: string;
  scopes: ApiKeyScope[];
}

/**
 * The key's workspace and scopes, if it is a valid key that has not been revoked. Marks the key
 * used when its `lastUsedAt` is older than a minute, so most requests do not write.
 */
export async function authenticateApiKey(db: Db, key: string): Promise<AuthenticatedKey | undefined> {
  const kind = (Object.keys(prefixes) as ApiKeyKind[]).find((k) => key.startsWith(prefixes[k]));
  if (!kind) return undefined;
  const [row] = await db
    .select({
      id: apiKeys.id,
      workspaceId: apiKeys.workspaceId,
      kind: apiKeys.kind,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashKey(key)), eq(apiKeys.kind, kind), isNull(apiKeys.revokedAt)));
  if (!row) return undefined;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    const staleBefore = new Date(now - LAST_USED_RESOLUTION_MS);
    // Conditional, so API processes racing on the same key write once between them.
    await db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(
        and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))),
      );
  }
  // Keys written before scopes existed act as their kind always did.
  const scopes = row.scopes.length > 0 ? row.scopes : DEFAULT_SCOPES[kind];
  return { workspaceId: row.workspaceId, keyId: row.id, kind, prefix: row.prefix, scopes };
}

/** The workspace a key belongs to, if the key is valid, of the given kind and not revoked. */
export async function authenticateKey(db: Db, key: string, kind: ApiKeyKind): Promise<string | undefined> {
  if (!key.startsWith(prefixes[kind])) return undefined;
  return (await authenticateApiKey(db, key))?.workspaceId;
}

/**
 * As `authenticateKey`, answered from this process's cache of valid keys (`key-cache.ts`): a
 * tracking client's key is read from the database every few seconds instead of on every
 * request. A key revoked in this process stops working at once; revoked elsewhere, within
 * `KEY_CACHE_MS`.
 */
export async function authenticateKeyCached(
  db: Db,
  key: string,
  kind: ApiKeyKind,
): Promise<string | undefined> {
  if (!key.startsWith(prefixes[kind])) return undefined;
  // Remembered by the key itself (a write key is public by design): no hash per request.
  return (await cachedKey(db, key, () => authenticateApiKey(db, key)))?.workspaceId;
}

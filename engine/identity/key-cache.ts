import type { Db } from '../../db';
import { BoundedCache } from '../bounded-cache';
import type { AuthenticatedKey } from './api-keys';

/**
 * How long a key found valid is trusted in this process without asking the database again.
 * Revoking through `revokeApiKey` forgets it here at once; a revocation answered by another
 * API process is seen within this time.
 */
export const KEY_CACHE_MS = 5_000;
/** Most keys remembered per database; past it the oldest go first. */
const MOST_KEYS = 10_000;

interface Cache {
  byKey: BoundedCache<string, { key: AuthenticatedKey; until: number }>;
  /** Lookups under way: requests arriving meanwhile wait for the same one. */
  pending: Map<string, Promise<AuthenticatedKey | undefined>>;
  /** Incremented by every revocation: a lookup that started before one is not remembered. */
  generation: number;
}

const caches = new WeakMap<Db, Cache>();

function cacheOf(db: Db): Cache {
  let cache = caches.get(db);
  if (!cache) {
    cache = { byKey: new BoundedCache(MOST_KEYS), pending: new Map(), generation: 0 };
    caches.set(db, cache);
  }
  return cache;
}

/**
 * The key behind `lookupKey` (the key itself, or its hash) as `lookup` finds it, remembered for
 * `KEY_CACHE_MS` when valid (an invalid key is asked again every time, so guessing fills nothing). Requests arriving while it
 * is looked up share that lookup (when the remembered answer runs out under load, one select,
 * not one per request). A lookup that was under way while a key was revoked is answered but
 * not remembered: it may have read the key before the revocation committed.
 */
export async function cachedKey(
  db: Db,
  lookupKey: string,
  lookup: () => Promise<AuthenticatedKey | undefined>,
): Promise<AuthenticatedKey | undefined> {
  const cache = cacheOf(db);
  const now = Date.now();
  const hit = cache.byKey.get(lookupKey);
  if (hit && hit.until > now) return hit.key;
  if (hit) cache.byKey.delete(lookupKey);
  const underWay = cache.pending.get(lookupKey);
  if (underWay) return underWay;
  const generation = cache.generation;
  const looking = lookup().then((found) => {
    if (found && generation === cache.generation) {
      cache.byKey.set(lookupKey, { key: found, until: Date.now() + KEY_CACHE_MS });
    }
    return found;
  });
  cache.pending.set(lookupKey, looking);
  try {
    return await looking;
  } finally {
    if (cache.pending.get(lookupKey) === looking) cache.pending.delete(lookupKey);
  }
}

/** Forgets a key at once (it was revoked), and any lookup of it still under way. */
export function forgetKey(db: Db, keyId: string): void {
  const cache = cacheOf(db);
  cache.generation += 1;
  // A lookup under way may have read the key before its revocation: later requests ask again.
  cache.pending.clear();
  for (const [lookupKey, entry] of cache.byKey) if (entry.key.keyId === keyId) cache.byKey.delete(lookupKey);
}

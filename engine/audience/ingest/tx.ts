import type { Db } from '../../../db';

/** A drizzle transaction on the Wayline database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const retryableCodes = new Set(['23505', '40001', '40P01']);

/** Postgres error code of a failed query, looking through drizzle's wrapper. */
export function pgErrorCode(error: unknown): string | undefined {
  for (let e: any = error; e; e = e.cause) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/**
 * Runs a transaction, retrying when a concurrent writer won a race on a unique key (two
 * requests creating the same contact) or a deadlock was broken: the retry sees its row.
 */
export async function withRetriedTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return retried(() => db.transaction(work));
}

/** Runs `work` (a transaction or a single statement), again when it lost such a race. */
export async function retried<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const code = pgErrorCode(error);
      if (attempt >= 5 || !code || !retryableCodes.has(code)) throw error;
    }
  }
}

import type { SQL } from 'drizzle-orm';
import type { Db } from '../../db';

/** Rows of a raw statement; postgres.js answers an array, PGlite an object with `rows`. */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

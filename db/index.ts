import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { preparingClient } from './prepared';
import * as schema from './schema';

export { schema };

/**
 * The drizzle instance the rest of Wayline uses. Both drivers expose the same query builder;
 * the postgres.js type stands for both so domain code is written once.
 */
export type Db = PostgresJsDatabase<typeof schema>;

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** Where the data lives: a folder for PGlite, the URL without password for a server. */
  location: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { url: string; maxConnections?: number }
  /** `dataDir` undefined keeps the database in memory (tests). */
  | { dataDir?: string };

const migrationsFolder = path.join(import.meta.dirname, 'migrations');

/** Opens the database and applies every pending migration before returning it. */
export async function createDb(options: DatabaseOptions): Promise<Database> {
  if ('url' in options) {
    const client = preparingClient(
      postgres(options.url, {
        max: options.maxConnections ?? 10,
        onnotice: () => {},
      }),
    );
    const db = drizzlePostgres(client, { schema });
    await migratePostgres(db, { migrationsFolder });
    return {
      db,
      driver: 'postgres',
      location: redactUrl(options.url),
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // The embedded database serves one process: a small buffer pool (Postgres' 128 MB default is
  // resident memory in the WASM heap) is enough, and the data folder's pages are in the OS cache.
  const client = options.dataDir
    ? new PGlite(options.dataDir, { postgresqlconf: ['shared_buffers = 16MB'] })
    : new PGlite();
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    driver: 'pglite',
    location: options.dataDir ?? 'memory',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/** The rows of a `db.execute(sql…)` answer: postgres.js answers an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

/** Runs a raw statement (on the database or in a transaction) and answers its rows. */
export async function queryRows<T>(
  db: { execute(query: SQL): PromiseLike<unknown> },
  query: SQL,
): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

/**
 * `column = any($1::type[])`: a list as one array parameter. `inArray` binds a parameter per
 * value, which a statement over a batch's thousand ids pays for in building, binding and
 * planning, and which keeps it from being prepared (over 200 parameters).
 */
export function anyOf(column: SQLWrapper, values: readonly unknown[], type: 'uuid' | 'bigint' | 'text'): SQL {
  return sql`${column} = any(${sql.param(values)}::${sql.raw(type)}[])`;
}

/**
 * `column = (select $1::uuid)`: equal to a workspace id the planner cannot see when it plans.
 * For a workspace newer than the table's statistics, the planner estimates from the value
 * that the workspace holds almost no rows, and a lookup of a batch's keys then reads every row
 * the workspace has through any index that starts with `workspace_id` (linear in the
 * workspace's size, per request). Hidden, it plans for an average workspace, and a lookup by a
 * key whose unique index is `(workspace_id, key)` probes that index whatever the statistics
 * say. Not for lookups by primary key: there the visible id lets the planner use the key alone,
 * and a hidden one can make it intersect with an index of the whole workspace.
 */
export function inWorkspace(column: SQLWrapper, workspaceId: string): SQL {
  return sql`${column} = (select ${workspaceId}::uuid)`;
}

/**
 * A condition that is always true and lets the transaction of the statement that says it
 * commit without waiting for its WAL to reach the disk (`synchronous_commit = off` for that
 * transaction alone, set once per statement by an init plan; the session keeps its setting).
 * For writes whose loss in a crash loses nothing accepted: a write that a later synchronous
 * commit covers (the WAL is flushed in order, so any commit that waits for the disk brings every
 * earlier one with it, whoever made it), or bookkeeping that is done again when it is lost. Other
 * sessions see such a commit at once, as any commit. In a statement of a larger transaction it
 * applies to that whole transaction's commit.
 */
export const commitsWithoutFlush: SQL = sql`(select set_config('synchronous_commit', 'off', true)) = 'off'`;

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

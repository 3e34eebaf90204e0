import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import postgres from 'postgres';
import { createDb, schema } from '../../db';

export const migrationsFolder = path.resolve(import.meta.dirname, '..', '..', 'db', 'migrations');

/**
 * An in-memory PGlite with every migration applied, as its data folder (a tar). The global set-up
 * makes it once a run; each test database starts from it instead of running initdb and the
 * migrations again (about 2 s a database on a busy machine).
 */
export async function migratedPgliteImage(): Promise<Uint8Array> {
  const client = new PGlite();
  try {
    await migrate(drizzle(client, { schema }), { migrationsFolder });
    return new Uint8Array(await (await client.dumpDataDir('none')).arrayBuffer());
  } finally {
    await client.close();
  }
}

/** The same URL with another database name. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A database on the server at `adminUrl` with every migration applied (through `createDb`), for
 * test databases to be copied from (`create database … template`): a copy takes a tenth of a
 * second where migrating a new one takes seconds. `drop` removes it at the end of the run.
 */
export async function createPostgresTemplate(
  adminUrl: string,
): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `wayline_template_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
    const database = await createDb({ url: databaseUrl(adminUrl, name), maxConnections: 1 });
    await database.close();
  } catch (error) {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    throw error;
  }
  return {
    name,
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

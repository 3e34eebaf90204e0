import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createDb, type Database, type Db, schema } from '../../db';
import { databaseUrl, migrationsFolder } from './database-images';

let image: Blob | undefined;

/** A fresh in-memory PGlite from the run's migrated image, as `createDb({})` would open it. */
async function pgliteFromImage(file: string): Promise<Database> {
  image ??= new Blob([readFileSync(file)]);
  const client = new PGlite({ loadDataDir: image });
  const db = drizzle(client, { schema });
  // Applies nothing unless a migration is newer than the image; keeps the same bookkeeping.
  await migrate(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    driver: 'pglite',
    location: 'memory',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

export type DatabaseKind = 'pglite' | 'postgres';

/** PGlite always; a PostgreSQL server as well whenever TEST_DATABASE_URL is set. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * A fresh, migrated database: PGlite in memory, or a new database on the server that is dropped
 * when closed.
 */
export async function openTestDb(kind: DatabaseKind = 'pglite'): Promise<Database & { url?: string }> {
  if (kind === 'pglite') {
    const file = inject('pgliteImagePath');
    return file ? pgliteFromImage(file) : createDb({});
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `wayline_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  // A copy of the run's migrated template when there is one; createDb then has nothing to apply.
  const template = inject('postgresTemplate');
  await admin.unsafe(`create database ${name}${template ? ` template ${template}` : ''}`);
  const url = databaseUrl(adminUrl, name);
  const database = await createDb({ url, maxConnections: 5 });
  return {
    ...database,
    // A second process's connection to the same server database, for concurrency tests.
    url,
    close: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

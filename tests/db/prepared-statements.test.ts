import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database, queryRows } from '../../db';
import { MAX_PREPARED_PARAMETERS } from '../../db/prepared';
import { workspaces } from '../../db/schema';
import { databaseKinds, openTestDb } from '../helpers/databases';

/**
 * On a PostgreSQL server, Wayline's statements run as prepared statements: parsed once per
 * connection, then one round trip each. Read through `pg_prepared_statements`, which lists the
 * statements prepared on the connection asking (each client here has one connection). PGlite
 * runs in the process and prepares nothing; there the same statements give the same rows.
 */
describe.each(databaseKinds())('statements on %s', (kind) => {
  let server: Database & { url?: string };
  const opened: Database[] = [];

  beforeAll(async () => {
    server = await openTestDb(kind);
  });
  afterAll(async () => {
    for (const database of opened) await database.close();
    await server?.close();
  });

  /** One connection of its own to the server's database; PGlite's one database as it is. */
  async function connect(url = server.url): Promise<Database> {
    if (!url) return server;
    const database = await createDb({ url, maxConnections: 1 });
    opened.push(database);
    return database;
  }

  async function preparedLike(database: Database, fragment: string): Promise<string[]> {
    const rows = await queryRows<{ statement: string }>(
      database.db,
      sql`select statement from pg_prepared_statements where statement like ${`%${fragment}%`}`,
    );
    return rows.map((row) => row.statement);
  }

  it('runs a repeated statement and a transaction; on PostgreSQL each is prepared once', async () => {
    const database = await connect();
    const { db } = database;
    const [created] = await db.insert(workspaces).values({ name: 'Prepared' }).returning();
    for (let i = 0; i < 3; i++) {
      const [found] = await db.select().from(workspaces).where(eq(workspaces.name, 'Prepared'));
      expect(found.id).toBe(created.id);
    }
    if (kind === 'postgres') {
      expect(await preparedLike(database, 'where "workspaces"."name" = $1')).toHaveLength(1);
    }

    const renamed = await db.transaction(async (tx) => {
      await tx.update(workspaces).set({ name: 'Renamed' }).where(eq(workspaces.id, created.id));
      return tx.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, created.id));
    });
    expect(renamed).toEqual([{ name: 'Renamed' }]);
    if (kind === 'postgres') {
      expect(await preparedLike(database, 'update "workspaces" set "name" = $1')).toHaveLength(1);
    }
  });

  // What PostgreSQL keeps per connection; PGlite has nothing of the kind.
  if (kind !== 'postgres') return;

  it('leaves a statement with more parameters than the limit unnamed', async () => {
    const database = await connect();
    const names = Array.from({ length: MAX_PREPARED_PARAMETERS + 1 }, (_, i) => `w${i}`);
    const rows = await database.db.select().from(workspaces).where(inArray(workspaces.name, names));
    expect(rows).toEqual([]);
    expect(await preparedLike(database, 'where "workspaces"."name" in ($1')).toEqual([]);
  });

  it('prepares nothing when the URL says prepare=false (a pooler in transaction mode)', async () => {
    const url = new URL(server.url!);
    url.searchParams.set('prepare', 'false');
    const database = await connect(url.toString());
    await database.db.select().from(workspaces).where(eq(workspaces.name, 'nobody'));
    await database.db.select().from(workspaces).where(eq(workspaces.name, 'nobody'));
    expect(await preparedLike(database, '"workspaces"')).toEqual([]);
  });
});

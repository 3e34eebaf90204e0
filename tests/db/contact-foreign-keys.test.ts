import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../db';
import { databaseKinds, openTestDb } from '../helpers/databases';

/**
 * Erasing or merging a contact deletes its row; every foreign key to it then runs its action
 * (cascade or set null) as `… where contact_id = $1` on the referencing table. Without an index
 * led by that column, PostgreSQL reads the whole table for each contact: every message, every
 * broadcast's recipients, every list's members of every workspace (75 ms per contact with a
 * few hundred thousand rows, measured; a workspace of 20,000 contacts took minutes to delete).
 */
describe.each(databaseKinds())('foreign keys to contacts (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  it('each is the leading column of an index on its table', async () => {
    const keys = await queryRows<{ table: string; column: string; indexed: boolean }>(
      database.db,
      sql`select c.conrelid::regclass::text as "table", a.attname as "column",
            exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]) as indexed
          from pg_constraint c
          join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
          where c.contype = 'f' and c.confrelid = 'contacts'::regclass
          order by 1`,
    );
    // The tables a contact's rows live in (a sanity check that the query finds them at all).
    expect(keys.map((k) => k.table)).toEqual(
      expect.arrayContaining([
        'messages',
        'list_members',
        'segment_members',
        'broadcast_recipients',
        'journey_runs',
      ]),
    );
    expect(keys.filter((k) => !k.indexed).map((k) => `${k.table}.${k.column}`)).toEqual([]);
  });
});

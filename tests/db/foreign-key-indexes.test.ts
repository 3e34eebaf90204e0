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
describe.each(databaseKinds())('foreign keys and the indexes behind their actions (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  it('each is the leading column of an index on its table', async () => {
    const keys = await foreignKeys('contacts');
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

  // The same for every other parent a person deletes: a deal stage or pipeline, a content item or
  // asset, a social account or post, a campaign, a journey, a background job. (Workspaces and
  // users are never deleted: a workspace's tables all lead with its id, a user is removed as a
  // member.)
  it('so are the foreign keys to every other parent the product deletes', async () => {
    const keys = (await foreignKeys()).filter((k) => !['contacts', 'workspaces', 'users'].includes(k.parent));
    expect(keys.map((k) => k.parent)).toEqual(
      expect.arrayContaining(['deal_stages', 'content_items', 'journeys']),
    );
    expect(keys.filter((k) => !k.indexed).map((k) => `${k.table}.${k.column} → ${k.parent}`)).toEqual([]);
  });

  /** Every foreign key (to `parent`, else to any table), and whether an index leads with its column. */
  async function foreignKeys(parent?: string) {
    const keys = await queryRows<{ table: string; column: string; parent: string; indexed: boolean }>(
      database.db,
      sql`select c.conrelid::regclass::text as "table", a.attname as "column", c.confrelid::regclass::text as parent,
            exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]) as indexed
          from pg_constraint c
          join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
          where c.contype = 'f'
          order by 1, 2`,
    );
    return parent ? keys.filter((k) => k.parent === parent) : keys;
  }
});

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../db';
import { contactsByIds, storedMessageIds } from '../../engine/audience/ingest/store-batch';
import { createWorkspace } from '../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../helpers/databases';
import { explainAnalyze, explainGeneric, rowsRead } from '../helpers/plans';

/**
 * Ingest looks a batch's ids up in a workspace that may be newer than the tables' statistics (a
 * shop's first import): the planner then believes the workspace holds almost no rows, and a
 * lookup written as `workspace_id = $1 and key = any($2)` reads all of its rows through any index
 * starting with `workspace_id`, per request. The lookup ingest uses reads each id's index entry.
 */
describe.each(databaseKinds())(
  "ingest's contact lookup in a workspace newer than the statistics (%s)",
  (kind) => {
    let database: Database;
    let freshId: string;

    beforeAll(async () => {
      database = await openTestDb(kind);
      const { db } = database;
      const known = await createWorkspace(db, 'Known');
      await db.execute(sql`insert into contacts (workspace_id, external_id)
      select ${known.id}::uuid, 'k' || g from generate_series(1, 50) g`);
      await db.execute(sql`analyze contacts`);
      const fresh = await createWorkspace(db, 'Fresh');
      freshId = fresh.id;
      await db.execute(sql`insert into contacts (workspace_id, external_id)
      select ${fresh.id}::uuid, 'u' || g from generate_series(1, 3000) g`);
      await db.execute(sql`insert into events (workspace_id, message_id, type, name, timestamp)
      select ${fresh.id}::uuid, 'm' || g, 'track', 'Viewed', now() from generate_series(1, 3000) g`);
    });
    afterAll(async () => database?.close());

    it("finds a batch's contacts by reading their index entries, not the workspace's 3,000 contacts", async () => {
      const userIds = Array.from({ length: 10 }, (_, i) => `u${i * 100 + 1}`);
      const found = await queryRows<{ id: string; external_id: string }>(
        database.db,
        contactsByIds(freshId, [...userIds, 'nobody'], ['no-such-visitor']),
      );
      expect(found.map((row) => row.external_id).sort()).toEqual([...userIds].sort());
      expect(
        rowsRead(await explainAnalyze(database.db, contactsByIds(freshId, userIds, ['no-such-visitor']))),
      ).toBeLessThanOrEqual(20);
    });

    it("finds a batch's stored message ids by their index entries, also in the plan kept for any batch", async () => {
      const messageIds = Array.from({ length: 10 }, (_, i) => `m${i * 100 + 1}`);
      const found = await queryRows<{ message_id: string }>(
        database.db,
        storedMessageIds(freshId, [...messageIds, 'never-sent']),
      );
      expect(found.map((row) => row.message_id).sort()).toEqual([...messageIds].sort());
      // The plan PostgreSQL keeps for a prepared statement after five runs knows neither the
      // workspace nor how many ids come: it must still read each id's entry, not the workspace's.
      const plan = await explainGeneric(database.db, storedMessageIds(freshId, messageIds));
      expect(rowsRead(plan)).toBeLessThanOrEqual(20);
    });
  },
);

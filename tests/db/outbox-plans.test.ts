import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../db';
import { createContact } from '../../engine/audience/contacts/contacts';
import {
  claimOutbox,
  firstPendingElsewhere,
  firstPendingElsewhereQuery,
  handedOverRows,
} from '../../engine/dispatch/outbox-queue';
import { createWorkspace } from '../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../helpers/databases';
import { explainAnalyze, explainGeneric, rowsRead } from '../helpers/plans';

/**
 * The outbox is a queue: its statistics are usually taken while little is pending, and a
 * backlog then builds up unseen by the planner. A claim of a few handed-over rows must still
 * read those rows and their contacts' earlier rows, not every pending row of the backlog, in
 * the plan made for the values and in the one PostgreSQL keeps for a prepared statement.
 */
describe.each(databaseKinds())('claiming outbox rows behind a backlog the statistics missed (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  let contactId: string;
  /** Ann's rows: one backing off, then two handed over. */
  let earlier: number;
  let handed: number[];

  beforeAll(async () => {
    database = await openTestDb(kind);
    const { db } = database;
    workspaceId = (await createWorkspace(db, 'Backlog')).id;
    contactId = (await createContact(db, workspaceId, { userId: 'ann' })).id;
    // Statistics taken with nothing pending.
    await db.execute(sql`analyze outbox`);
    // A backlog of 3,000 rows of other contacts, due.
    await db.execute(sql`insert into outbox (workspace_id, event_id, contact_id)
      select ${workspaceId}::uuid, gen_random_uuid(), gen_random_uuid() from generate_series(1, 3000)`);
    const row = async (dueIn: string) => {
      const [inserted] = await queryRows<{ id: string }>(
        db,
        sql`insert into outbox (workspace_id, event_id, contact_id, next_attempt_at)
          values (${workspaceId}::uuid, ${randomUUID()}::uuid, ${contactId}::uuid, now() + ${dueIn}::interval)
          returning id`,
      );
      return Number(inserted.id);
    };
    earlier = await row('1 hour');
    handed = [await row('0 seconds'), await row('0 seconds')];
  });
  afterAll(async () => database?.close());

  it("finds a contact's earlier pending row through the contact's entries only", async () => {
    const { db } = database;
    expect(await firstPendingElsewhere(db, [contactId], handed)).toEqual(new Map([[contactId, earlier]]));
    const query = firstPendingElsewhereQuery(db, [contactId], handed);
    expect(rowsRead(await explainAnalyze(db, query))).toBeLessThanOrEqual(20);
    expect(rowsRead(await explainGeneric(db, query))).toBeLessThanOrEqual(20);
  });

  it('locks the handed-over rows by their ids only', async () => {
    const { db } = database;
    expect(rowsRead(await explainAnalyze(db, handedOverRows(db, handed)))).toBeLessThanOrEqual(20);
    expect(rowsRead(await explainGeneric(db, handedOverRows(db, handed)))).toBeLessThanOrEqual(20);
  });

  it('leaves the handed-over rows behind the earlier one, and claims all three once it is due', async () => {
    const { db } = database;
    expect(await claimOutbox(db, { limit: 10, leaseMs: 60_000, ids: handed })).toEqual([]);
    await db.execute(sql`update outbox set next_attempt_at = now() where id = ${earlier}`);
    const claimed = await claimOutbox(db, { limit: 10, leaseMs: 60_000, ids: [earlier, ...handed] });
    expect(claimed.map((row) => row.id)).toEqual([earlier, ...handed]);
  });
});

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitsWithoutFlush, createDb, type Database, queryRows } from '../../db';
import { ingestMessages } from '../../engine/audience/ingest/ingest';
import { claimOutbox, markDelivered } from '../../engine/dispatch/outbox-queue';
import { createWorkspace } from '../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../helpers/databases';

/**
 * The dispatcher's bookkeeping and ingest's new contacts commit without waiting for the disk;
 * the events a request answers for still do. What must never happen is the setting staying on
 * the connection: every later commit on it, an accepted event's among them, would then be
 * answered before it is on the disk. Each check runs on a database of one connection, so the
 * statement after is on the connection the write used.
 */
describe.each(databaseKinds())('writes that commit without the flush (%s)', (kind) => {
  let database: Database & { url?: string };
  /** The same database through one connection. */
  let single: Database;
  let workspaceId: string;

  beforeAll(async () => {
    database = await openTestDb(kind);
    single = database.url ? await createDb({ url: database.url, maxConnections: 1 }) : database;
    workspaceId = (await createWorkspace(single.db, 'Flush')).id;
  });
  afterAll(async () => {
    if (single !== database) await single?.close();
    await database?.close();
  });

  const setting = async () =>
    (
      await queryRows<{ value: string }>(
        single.db,
        sql`select current_setting('synchronous_commit') as value`,
      )
    )[0].value;

  it("turns the flush off for its statement's own transaction, not for the session", async () => {
    expect(await setting()).toBe('on');
    const during = await queryRows<{ value: string }>(
      single.db,
      sql`select current_setting('synchronous_commit') as value where ${commitsWithoutFlush}`,
    );
    expect(during).toEqual([{ value: 'off' }]);
    expect(await setting()).toBe('on');
  });

  it('leaves every later commit synchronous after new contacts, a claim and a delivered mark', async () => {
    const outcomes = await ingestMessages(single.db, {
      workspaceId,
      messages: [
        { type: 'track', userId: 'new-user-1', event: 'Signed Up', messageId: 'flush-1' },
        { type: 'track', anonymousId: 'visitor-1', event: 'Viewed', messageId: 'flush-2' },
      ],
    });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['stored', 'stored']);
    expect(await setting()).toBe('on');
    const ids = outcomes.flatMap((outcome) => (outcome.status === 'stored' ? [outcome.outboxId] : []));
    const claimed = await claimOutbox(single.db, { limit: 10, leaseMs: 60_000, ids });
    expect(claimed.map((row) => row.id)).toEqual(ids);
    expect(await setting()).toBe('on');
    await markDelivered(single.db, ids);
    expect(await setting()).toBe('on');
    const rows = await queryRows<{ status: string }>(
      single.db,
      sql`select status from outbox where id = any(${sql.param(ids)}::bigint[]) order by id`,
    );
    expect(rows).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
    const contacts = await queryRows<{ n: number }>(
      single.db,
      sql`select count(*)::int as n from contacts where workspace_id = ${workspaceId}::uuid`,
    );
    expect(contacts).toEqual([{ n: 2 }]);
  });
});

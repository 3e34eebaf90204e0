import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../db';
import { contacts, events, workspaces } from '../../db/schema';
import { databaseKinds, openTestDb } from '../helpers/databases';

describe.each(databaseKinds())('database on %s', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(() => database?.close());

  it('applies every migration at start-up', async () => {
    const { db } = database;
    type Row = { table_name: string };
    // postgres.js returns the rows, PGlite an object holding them.
    const result = (await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    )) as unknown as Row[] & { rows?: Row[] };
    const names = (result.rows ?? result).map((r) => r.table_name);
    expect(names).toEqual(
      expect.arrayContaining([
        'workspaces',
        'api_keys',
        'contacts',
        'events',
        'journeys',
        'journey_versions',
        'journey_runs',
        'node_visits',
        'messages',
        'templates',
        'segments',
        'suppressions',
      ]),
    );
  });

  it('round-trips rows, JSON attributes and tags through drizzle', async () => {
    const { db } = database;
    const [workspace] = await db.insert(workspaces).values({ name: 'Round trip' }).returning();
    const [contact] = await db
      .insert(contacts)
      .values({
        workspaceId: workspace.id,
        externalId: 'rt-1',
        attributes: { plan: 'pro', nested: { score: 42 } },
        tags: ['a', 'b'],
      })
      .returning();
    const [read] = await db.select().from(contacts).where(eq(contacts.id, contact.id));
    expect(read.attributes).toEqual({ plan: 'pro', nested: { score: 42 } });
    expect(read.tags).toEqual(['a', 'b']);
    expect(read.createdAt).toBeInstanceOf(Date);
  });

  it('keeps one event per workspace and message id', async () => {
    const { db } = database;
    const [workspace] = await db.insert(workspaces).values({ name: 'Dedup' }).returning();
    const event = {
      workspaceId: workspace.id,
      messageId: 'm-1',
      type: 'track',
      name: 'X',
      timestamp: new Date(),
    };
    await db.insert(events).values(event).onConflictDoNothing();
    await db.insert(events).values(event).onConflictDoNothing();
    const rows = await db.select().from(events).where(eq(events.workspaceId, workspace.id));
    expect(rows).toHaveLength(1);
  });
});

describe('PGlite in a data folder', () => {
  it('keeps data across a close and reopen', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wayline-pglite-'));
    try {
      const first = await createDb({ dataDir: dir });
      await first.db.insert(workspaces).values({ name: 'Persisted' });
      await first.close();
      const second = await createDb({ dataDir: dir });
      const rows = await second.db.select().from(workspaces);
      await second.close();
      expect(rows.map((r) => r.name)).toEqual(['Persisted']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyOf, type Database } from '../../db';
import { workspaces } from '../../db/schema';
import { createWorkspace } from '../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../helpers/databases';

describe.each(databaseKinds())('a list as one array parameter on %s', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('matches the rows whose column is in the list, and none for an empty list', async () => {
    const { db } = database;
    const [a, , c] = await Promise.all(['A', 'B', 'C'].map((name) => createWorkspace(db, `Any ${name}`)));
    const names = async (ids: string[]) =>
      (
        await db
          .select({ name: workspaces.name })
          .from(workspaces)
          .where(anyOf(workspaces.id, ids, 'uuid'))
      )
        .map((row) => row.name)
        .sort();
    expect(await names([a.id, c.id])).toEqual(['Any A', 'Any C']);
    expect(await names([])).toEqual([]);
  });
});

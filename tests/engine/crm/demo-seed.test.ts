import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { dealStages, deals, slaPolicies, tickets } from '../../../db/schema';
import { ensureDemoWorkspace } from '../../../engine/operations/seed-demo';
import { openTestDb } from '../../helpers/databases';

describe('the demo workspace has CRM data to show (PGlite)', () => {
  let database: Database;
  let workspaceId: string;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wl-demo-'));
  beforeAll(async () => {
    database = await openTestDb();
    workspaceId = (await ensureDemoWorkspace(database.db, dataDir)).id;
  });
  afterAll(async () => {
    await database?.close();
  });

  it('seeds a sales pipeline with deals across its stages, one won', async () => {
    const rows = await database.db
      .select({ title: deals.title, value: deals.value, status: deals.status, stage: dealStages.name })
      .from(deals)
      .innerJoin(dealStages, eq(dealStages.id, deals.stageId))
      .where(eq(deals.workspaceId, workspaceId));
    expect(rows.map((r) => r.stage).sort()).toEqual(['Lead', 'Proposal', 'Qualified', 'Won']);
    expect(rows.find((r) => r.stage === 'Won')).toMatchObject({ status: 'won', value: 900 });
    // Open pipeline 4800 + 1200 + 2500 = 8500 EUR.
    expect(rows.filter((r) => r.status === 'open').reduce((sum, r) => sum + r.value, 0)).toBe(8500);
  });

  it('seeds SLA policies for every priority and tickets in different states with their due times', async () => {
    const policies = await database.db
      .select()
      .from(slaPolicies)
      .where(eq(slaPolicies.workspaceId, workspaceId));
    expect(policies.map((p) => [p.priority, p.firstResponseMinutes]).sort()).toEqual([
      ['high', 240],
      ['low', 1440],
      ['normal', 480],
      ['urgent', 60],
    ]);
    const seeded = await database.db.select().from(tickets).where(eq(tickets.workspaceId, workspaceId));
    expect(seeded.map((t) => t.status).sort()).toEqual(['closed', 'new', 'open', 'pending', 'resolved']);
    const urgent = seeded.find((t) => t.priority === 'urgent');
    // Urgent: first response within 60 minutes of creation.
    expect(urgent!.firstResponseDueAt!.getTime() - urgent!.createdAt.getTime()).toBe(60 * 60_000);
  });

  it('seeds once: a restart with the same data folder adds nothing', async () => {
    const again = await ensureDemoWorkspace(database.db, dataDir);
    expect(again).toMatchObject({ id: workspaceId, created: false });
    expect(await database.db.select().from(tickets).where(eq(tickets.workspaceId, workspaceId))).toHaveLength(
      5,
    );
  });
});

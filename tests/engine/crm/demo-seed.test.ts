import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Database } from '../../../db';
import { dealStages, deals, slaPolicies, tickets } from '../../../db/schema';
import { ticketSlaWorkflowId } from '../../../engine/crm/tickets/sla-signals';
import { ensureDemoWorkspace } from '../../../engine/operations/seed-demo';
import { openTestDb } from '../../helpers/databases';
import { devServerTemporal, startWorker } from '../../helpers/temporal';

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

  it('starts the SLA timers of the open tickets when Temporal is at hand, as npm start seeds', async () => {
    const temporal = await devServerTemporal();
    onTestFinished(() => temporal.close());
    const other = mkdtempSync(path.join(os.tmpdir(), 'wl-demo-sla-'));
    onTestFinished(() => rmSync(other, { recursive: true, force: true }));
    const seeded = await ensureDemoWorkspace(database.db, other, {
      temporal: temporal.client,
      taskQueue: temporal.taskQueue,
    });
    const rows = await database.db.select().from(tickets).where(eq(tickets.workspaceId, seeded.id));
    const state = async (ticketId: string) => {
      try {
        const handle = temporal.client.workflow.getHandle(ticketSlaWorkflowId(seeded.id, ticketId));
        return (await handle.describe()).status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return 'none';
        throw error;
      }
    };
    // Every seeded ticket got its timers. With a worker, those of the resolved and closed tickets
    // end (they were told); the new, open and pending ones' keep running until their due times.
    const { stop } = await startWorker(temporal, database.db);
    onTestFinished(stop);
    const settled = rows.filter((t) => t.status === 'resolved' || t.status === 'closed').map((t) => t.id);
    expect(settled).toHaveLength(2);
    for (const ticket of rows) {
      const expected = settled.includes(ticket.id) ? 'COMPLETED' : 'RUNNING';
      await expect.poll(() => state(ticket.id), { timeout: 20_000 }).toBe(expected);
    }
  });
});

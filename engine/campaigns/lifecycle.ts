import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { type BROADCAST_STATUSES, broadcasts } from '../../db/schema';
import { InvalidInput } from '../errors';
import { resolveTimeZone } from '../time/zoned';
import { getBroadcast } from './broadcasts';
import { workspaceZone } from './confirm';

export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/** What the broadcast workflow needs to pace itself; read once per run and recorded in its history. */
export interface BroadcastPlan {
  channel: string;
  throttlePerMinute: number | null;
  sendWindow: { start: string; end: string } | null;
  abTest: { windowHours: number; autoSend: boolean } | null;
  zone: string;
  variants: string[];
}

export async function broadcastPlan(db: Db, workspaceId: string, id: string): Promise<BroadcastPlan> {
  const row = await getBroadcast(db, workspaceId, id);
  return {
    channel: row.channel,
    throttlePerMinute: row.throttlePerMinute,
    sendWindow: row.sendWindow,
    abTest: row.abTest ? { windowHours: row.abTest.windowHours, autoSend: row.abTest.autoSend } : null,
    zone: resolveTimeZone(await workspaceZone(db, workspaceId)),
    variants: row.variants.map((v) => v.key),
  };
}

/** Moves a running broadcast to a status; a finished one (completed, cancelled) stays as it is. */
export async function setBroadcastStatus(db: Db, workspaceId: string, id: string, status: BroadcastStatus) {
  const finished = status === 'completed' || status === 'cancelled';
  await db
    .update(broadcasts)
    .set({ status, updatedAt: new Date(), ...(finished ? { completedAt: new Date() } : {}) })
    .where(
      and(
        eq(broadcasts.workspaceId, workspaceId),
        eq(broadcasts.id, id),
        sql`${broadcasts.status} not in ('completed', 'cancelled', 'draft')`,
      ),
    );
  if (status === 'cancelled') {
    await db.execute(sql`update broadcast_recipients set status = 'cancelled'
        where broadcast_id = ${id} and workspace_id = ${workspaceId} and status = 'pending'`);
  }
}

/** Gives the test's rest the winning variant; repeating it with the same winner changes nothing. */
export async function assignWinner(db: Db, workspaceId: string, id: string, variant: string): Promise<void> {
  const row = await getBroadcast(db, workspaceId, id);
  if (!row.variants.some((v) => v.key === variant)) {
    throw new InvalidInput('variant_unknown', `the broadcast has no variant ${variant}`, 'variant');
  }
  await db
    .update(broadcasts)
    .set({ winnerVariant: variant, updatedAt: new Date() })
    .where(and(eq(broadcasts.id, id), eq(broadcasts.workspaceId, workspaceId)));
  await db.execute(sql`update broadcast_recipients set variant = ${variant}
      where broadcast_id = ${id} and workspace_id = ${workspaceId} and grp = 'rest' and variant is null`);
}

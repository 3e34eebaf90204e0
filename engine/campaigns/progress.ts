import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { getBroadcast } from './broadcasts';

export interface BroadcastProgress {
  status: string;
  audience: number;
  queued: number;
  sent: number;
  skipped: number;
  failed: number;
  holdout: number;
  cancelled: number;
  /** Recipients of an A/B test's rest, waiting for the winner. */
  awaitingWinner: number;
  skippedReasons: { reason: string; count: number }[];
  variants: { key: string; sent: number; queued: number }[];
  winnerVariant: string | null;
}

/** Live counts of a launched broadcast from its frozen audience. */
export async function broadcastProgress(db: Db, workspaceId: string, id: string): Promise<BroadcastProgress> {
  const broadcast = await getBroadcast(db, workspaceId, id);
  const rows = await queryRows<{ status: string; variant: string | null; reason: string | null; n: number }>(
    db,
    sql`select status, variant, case when status in ('skipped', 'failed') then reason end as reason, count(*)::int as n
        from broadcast_recipients where broadcast_id = ${id} and workspace_id = ${workspaceId}
        group by 1, 2, 3`,
  );
  const count = (pred: (r: (typeof rows)[number]) => boolean) =>
    rows.filter(pred).reduce((sum, r) => sum + Number(r.n), 0);
  const reasons = new Map<string, number>();
  for (const r of rows.filter((r) => r.status === 'skipped')) {
    const reason = r.reason ?? 'blocked';
    reasons.set(reason, (reasons.get(reason) ?? 0) + Number(r.n));
  }
  return {
    status: broadcast.status,
    audience: count(() => true),
    queued: count((r) => r.status === 'pending' && r.variant !== null),
    sent: count((r) => r.status === 'sent'),
    skipped: count((r) => r.status === 'skipped'),
    failed: count((r) => r.status === 'failed'),
    holdout: count((r) => r.status === 'holdout'),
    cancelled: count((r) => r.status === 'cancelled'),
    awaitingWinner: count((r) => r.status === 'pending' && r.variant === null),
    skippedReasons: [...reasons]
      .map(([reason, n]) => ({ reason, count: n }))
      .sort((a, b) => b.count - a.count),
    variants: broadcast.variants.map((v) => ({
      key: v.key,
      sent: count((r) => r.variant === v.key && r.status === 'sent'),
      queued: count((r) => r.variant === v.key && r.status === 'pending'),
    })),
    winnerVariant: broadcast.winnerVariant,
  };
}

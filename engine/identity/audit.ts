import { createHash } from 'node:crypto';
import { desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { auditLog } from '../../db/schema';

export type AuditActor =
  | { type: 'user'; id: string; label?: string }
  | { type: 'api-key'; id: string; label?: string }
  | { type: 'system'; id?: string; label?: string };

export interface AuditEntry {
  /** Null for events that belong to no workspace (a failed sign-in of an unknown account). */
  workspaceId: string | null;
  actor: AuditActor;
  /** A dotted verb, e.g. `journey.publish`, `member.role-change`, `auth.sign-in`. */
  action: string;
  objectType?: string;
  objectId?: string;
  outcome?: 'success' | 'denied' | 'failed';
  ip?: string;
  userAgent?: string;
  /** Before/after for settings, versions for journeys; never secrets. */
  change?: Record<string, unknown>;
}

export type AuditRow = typeof auditLog.$inferSelect;

/** The hash of the chain's first row's predecessor. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** The content a row's hash covers, in a fixed order, so `verify-audit` can recompute it. */
export function auditHash(prevHash: string, row: Omit<AuditRow, 'seq' | 'hash' | 'prevHash'>): string {
  const content = JSON.stringify([
    row.workspaceId,
    row.at.toISOString(),
    row.actorType,
    row.actorId,
    row.actorLabel,
    row.action,
    row.objectType,
    row.objectId,
    row.outcome,
    row.ip,
    row.userAgent,
    row.change ?? null,
  ]);
  return createHash('sha256').update(prevHash).update(content).digest('hex');
}

/**
 * Appends one row to the workspace's chain. A transaction-scoped advisory lock per workspace
 * orders concurrent writers, so each row links to the one written just before it.
 */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.transaction(async (tx) => {
    const chain = `audit:${entry.workspaceId ?? 'global'}`;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${chain}, 0))`);
    const [last] = await tx
      .select({ hash: auditLog.hash })
      .from(auditLog)
      .where(entry.workspaceId ? eq(auditLog.workspaceId, entry.workspaceId) : isNull(auditLog.workspaceId))
      .orderBy(desc(auditLog.seq))
      .limit(1);
    const prevHash = last?.hash ?? AUDIT_GENESIS;
    // A JS Date has millisecond precision, which Postgres stores exactly: the verifier reads back what was hashed.
    const at = new Date();
    const row = {
      workspaceId: entry.workspaceId,
      at,
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      actorLabel: entry.actor.label ?? null,
      action: entry.action,
      objectType: entry.objectType ?? null,
      objectId: entry.objectId ?? null,
      outcome: entry.outcome ?? 'success',
      ip: entry.ip ?? null,
      userAgent: entry.userAgent ?? null,
      change: entry.change ?? null,
    };
    await tx.insert(auditLog).values({ ...row, prevHash, hash: auditHash(prevHash, row) });
  });
}

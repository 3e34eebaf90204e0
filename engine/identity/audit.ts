import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, isNull, like, lt, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
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

/**
 * JSON with object keys sorted at every level: jsonb stores keys in its own order, so the hash
 * must not depend on the order they were written in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What jsonb will give back: dates as strings, `undefined` members gone. */
function asStoredJson(change: Record<string, unknown> | undefined): Record<string, unknown> | null {
  return change === undefined ? null : (JSON.parse(JSON.stringify(change)) as Record<string, unknown>);
}

/** Text columns cannot hold NUL; headers are capped so one request cannot bloat the log. */
function cleanText(value: string | undefined, max = 512): string | null {
  if (value === undefined || value === '') return null;
  return value.replaceAll('\u0000', '').slice(0, max);
}

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
    canonicalJson(row.change ?? null),
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
      ip: cleanText(entry.ip, 64),
      userAgent: cleanText(entry.userAgent),
      change: asStoredJson(entry.change),
    };
    await tx.insert(auditLog).values({ ...row, prevHash, hash: auditHash(prevHash, row) });
  });
}

/** Filters of the audit log, shared by the API, the CSV export and `wayline admin`. */
export const auditQuerySchema = z.object({
  actor: z.string().min(1).max(320).optional().describe("The actor's id, email or key prefix"),
  actorType: z.enum(['user', 'api-key', 'system']).optional(),
  action: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('An action (`journey.publish`), or a family of them ending in `.*` (`journey.*`)'),
  objectType: z.string().min(1).max(100).optional(),
  objectId: z.string().min(1).max(200).optional(),
  outcome: z.enum(['success', 'denied', 'failed']).optional(),
  from: z.coerce.date().optional().describe('Rows at or after this instant (ISO 8601)'),
  to: z.coerce.date().optional().describe('Rows before this instant (ISO 8601)'),
  cursor: z
    .string()
    .regex(/^\d+$/, 'must be the nextCursor of a previous page')
    .optional()
    .describe('The `nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export type AuditQuery = Partial<z.output<typeof auditQuerySchema>>;

export interface AuditPage {
  /** Newest first. */
  data: AuditRow[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

function auditFilters(workspaceId: string, query: Omit<AuditQuery, 'cursor' | 'limit'>): SQL[] {
  const where: SQL[] = [eq(auditLog.workspaceId, workspaceId)];
  if (query.actor) {
    where.push(or(eq(auditLog.actorId, query.actor), eq(auditLog.actorLabel, query.actor)) as SQL);
  }
  if (query.actorType) where.push(eq(auditLog.actorType, query.actorType));
  if (query.action?.endsWith('.*')) {
    const family = query.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
    where.push(like(auditLog.action, `${family}%`));
  } else if (query.action) where.push(eq(auditLog.action, query.action));
  if (query.objectType) where.push(eq(auditLog.objectType, query.objectType));
  if (query.objectId) where.push(eq(auditLog.objectId, query.objectId));
  if (query.outcome) where.push(eq(auditLog.outcome, query.outcome));
  if (query.from) where.push(gte(auditLog.at, query.from));
  if (query.to) where.push(lt(auditLog.at, query.to));
  return where;
}

/** One page of a workspace's audit log, newest first. */
export async function queryAudit(db: Db, workspaceId: string, query: AuditQuery = {}): Promise<AuditPage> {
  const { cursor, limit: rawLimit, ...filters } = query;
  const limit = Math.min(Math.max(rawLimit ?? 100, 1), 5000);
  const where = auditFilters(workspaceId, filters);
  if (cursor) where.push(lt(auditLog.seq, Number(cursor)));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.seq))
    .limit(limit + 1);
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? String(data[data.length - 1].seq) : null };
}

const CSV_COLUMNS = [
  'seq',
  'at',
  'actor_type',
  'actor_id',
  'actor_label',
  'action',
  'object_type',
  'object_id',
  'outcome',
  'ip',
  'user_agent',
  'change',
  'hash',
] as const;

/**
 * One CSV field (RFC 4180). A value a spreadsheet would run as a formula (`=`, `+`, `-`, `@`)
 * gets a leading apostrophe, since actor labels and user agents come from outside.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(row: AuditRow): string {
  return [
    row.seq,
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
    row.change === null ? null : JSON.stringify(row.change),
    row.hash,
  ]
    .map(csvField)
    .join(',');
}

/** Every row matching the filters as CSV (header first, newest row next), paged through the table. */
export async function auditCsv(
  db: Db,
  workspaceId: string,
  query: Omit<AuditQuery, 'cursor' | 'limit'> = {},
): Promise<{ csv: string; rows: number }> {
  const lines = [CSV_COLUMNS.join(',')];
  let cursor: string | undefined;
  do {
    const page = await queryAudit(db, workspaceId, { ...query, cursor, limit: 1000 });
    for (const row of page.data) lines.push(csvLine(row));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { csv: `${lines.join('\r\n')}\r\n`, rows: lines.length - 1 };
}

export type AuditChainReport =
  | { intact: true; rows: number }
  | {
      intact: false;
      rows: number;
      /** The first row whose hash or link does not match; the chain is trustworthy before it. */
      seq: number;
      workspaceId: string | null;
      reason: 'altered' | 'link-broken';
    };

/**
 * Recomputes each chain (one per workspace, plus the global one) in order. A changed row no
 * longer matches its own hash; a removed row leaves its successor pointing at a hash that is
 * not the row before it. Removing the newest rows leaves no trace in the chain itself.
 */
export async function verifyAuditChain(db: Db, workspaceId?: string | null): Promise<AuditChainReport> {
  const chains =
    workspaceId !== undefined
      ? [workspaceId]
      : (
          await db
            .selectDistinct({ workspaceId: auditLog.workspaceId })
            .from(auditLog)
            .orderBy(asc(auditLog.workspaceId))
        ).map((c) => c.workspaceId);
  let rows = 0;
  for (const chain of chains) {
    let prevHash = AUDIT_GENESIS;
    let after = 0;
    for (;;) {
      const page = await db
        .select()
        .from(auditLog)
        .where(
          and(
            chain === null ? isNull(auditLog.workspaceId) : eq(auditLog.workspaceId, chain),
            gt(auditLog.seq, after),
          ),
        )
        .orderBy(asc(auditLog.seq))
        .limit(1000);
      for (const row of page) {
        rows += 1;
        const { seq, hash, prevHash: storedPrev, ...content } = row;
        if (storedPrev !== prevHash)
          return { intact: false, rows, seq, workspaceId: chain, reason: 'link-broken' };
        if (auditHash(storedPrev, content) !== hash) {
          return { intact: false, rows, seq, workspaceId: chain, reason: 'altered' };
        }
        prevHash = hash;
        after = seq;
      }
      if (page.length < 1000) break;
    }
  }
  return { intact: true, rows };
}

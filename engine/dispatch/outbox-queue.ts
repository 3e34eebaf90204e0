import { and, asc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import { anyOf, commitsWithoutFlush, type Db } from '../../db';
import { outbox } from '../../db/schema';

export type OutboxRow = typeof outbox.$inferSelect;

/**
 * Claims due outbox rows for delivery: `FOR UPDATE SKIP LOCKED` lets several API processes
 * claim side by side, and pushing `next_attempt_at` past the lease keeps a claimed row from
 * being claimed again while it is delivered (or after its process died, until the lease ends).
 * A row waits while an earlier row of the same contact is pending and not claimed with it
 * (in flight elsewhere, backing off, or outside `ids`), so a contact's events reach its runs in
 * arrival order; rows claimed together are delivered in id order.
 *
 * Due rows are claimed in due order (`outbox_due_idx` is sorted so), oldest first: the claim
 * reads no further than its limit, where "due, in id order" sorted every due row of a backlog
 * first (40 ms for 1,000 of 40,000; 1 ms in due order).
 *
 * Three short statements in one transaction rather than one with a self-join: the outbox is a
 * queue whose statistics usually say "nothing pending", and with them the planner joined every
 * candidate with every pending row (1.7 s for 500 rows behind a backlog of 6,000). For the same
 * reason no lookup by id or by contact says `status = 'pending'` in its condition: with it, the
 * planner may read every pending row through `outbox_due_idx` and filter them (12 ms, and
 * 260 ms in the plan kept for a prepared statement, per 1,000 rows behind a backlog of 80,000).
 * Rows handed over are found by primary key and their status checked in the select list; the
 * contacts' earlier rows through `outbox_contact_idx`. Each step stays linear in the rows it
 * is asked about, whatever the statistics say.
 */
export async function claimOutbox(
  db: Db,
  options: {
    limit: number;
    leaseMs: number;
    ids?: number[];
    /** Rows not to claim (handed over in this process and about to be claimed with their batch). */
    exclude?: number[];
  },
): Promise<OutboxRow[]> {
  const { ids } = options;
  if (ids?.length === 0) return [];
  const excluded = new Set(options.exclude);
  return db.transaction(async (tx) => {
    const candidates = ids
      ? (await handedOverRows(tx, ids))
          .filter((row) => row.due && !excluded.has(row.id))
          .sort((a, b) => a.id - b.id)
          .slice(0, options.limit)
      : await tx
          .select({ id: outbox.id, contactId: outbox.contactId })
          .from(outbox)
          .where(
            and(
              eq(outbox.status, 'pending'),
              lte(outbox.nextAttemptAt, sql`now()`),
              options.exclude?.length ? sql`not (${anyOf(outbox.id, options.exclude, 'bigint')})` : undefined,
            ),
          )
          .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
          .limit(options.limit)
          .for('update', { skipLocked: true });
    if (candidates.length === 0) return [];
    const candidateIds = candidates.map((row) => row.id);
    const firstElsewhere = await firstPendingElsewhere(
      tx,
      candidates.map((row) => row.contactId),
      candidateIds,
    );
    const claimable = candidates.filter((row) => {
      const first = firstElsewhere.get(row.contactId);
      return first === undefined || first > row.id;
    });
    if (claimable.length === 0) return [];
    const rows = await tx
      .update(outbox)
      .set({
        attempts: sql`${outbox.attempts} + 1`,
        nextAttemptAt: sql`now() + ${`${options.leaseMs} milliseconds`}::interval`,
      })
      .where(
        and(
          anyOf(
            outbox.id,
            claimable.map((row) => row.id),
            'bigint',
          ),
          commitsWithoutFlush,
        ),
      )
      .returning();
    return rows.sort((a, b) => a.id - b.id);
  });
}

/** Rows handed over by id, locked, each saying whether it is due: by primary key alone (see `claimOutbox`). */
export function handedOverRows(db: Pick<Db, 'select'>, ids: number[]) {
  return db
    .select({
      id: outbox.id,
      contactId: outbox.contactId,
      due: sql<boolean>`${outbox.status} = 'pending' and ${outbox.nextAttemptAt} <= now()`,
    })
    .from(outbox)
    .where(anyOf(outbox.id, ids, 'bigint'))
    .for('update', { skipLocked: true });
}

/**
 * Per contact, its first pending row that is not among `ids`: read through
 * `outbox_contact_idx` (the contact's undelivered rows), the only index whose condition
 * `status <> 'delivered'` implies (see `claimOutbox`).
 */
export function firstPendingElsewhere(
  db: Pick<Db, 'select'>,
  contactIds: string[],
  ids: number[],
): Promise<Map<string, number>> {
  return firstPendingElsewhereQuery(db, contactIds, ids).then(
    (rows) =>
      new Map(rows.flatMap((row) => (row.first === null ? [] : [[row.contactId, Number(row.first)]]))),
  );
}

/** The statement of `firstPendingElsewhere`: per contact, the first pending row's id (null when none). */
export function firstPendingElsewhereQuery(db: Pick<Db, 'select'>, contactIds: string[], ids: number[]) {
  return db
    .select({
      contactId: outbox.contactId,
      first: sql<number | string | null>`min(${outbox.id}) filter (where ${outbox.status} = 'pending')`,
    })
    .from(outbox)
    .where(
      and(
        sql`${outbox.status} <> 'delivered'`,
        anyOf(outbox.contactId, [...new Set(contactIds)], 'uuid'),
        sql`not (${anyOf(outbox.id, ids, 'bigint')})`,
      ),
    )
    .groupBy(outbox.contactId);
}

/**
 * Keeps claimed rows leased while their delivery outlasts half the lease (a large batch of
 * enrolments on a busy machine): without it another claimer takes them again and delivers them
 * a second time. Rows no longer pending are left alone.
 */
export async function extendLease(db: Db, ids: number[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ nextAttemptAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where(and(anyOf(outbox.id, ids, 'bigint'), eq(outbox.status, 'pending'), commitsWithoutFlush));
}

/**
 * Marks rows delivered. Like the claim's lease, the extension and the retry, it commits without
 * waiting for the disk (`commitsWithoutFlush`): lost in a crash, the rows are pending again and
 * delivered again, as when a process dies between delivering them and marking them, and the
 * ingest requests' commits no longer queue behind the dispatcher's flushes.
 */
export async function markDelivered(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ status: 'delivered', deliveredAt: new Date(), lastError: null })
    .where(and(anyOf(outbox.id, ids, 'bigint'), commitsWithoutFlush));
}

/**
 * Deletes delivered rows with ids up to `upToId` that were delivered before `deliveredBefore`,
 * at most `limit` of them, oldest first; how many it deleted. The range keeps it a read of the
 * primary key's front (where the oldest rows are) instead of the whole outbox; rows another
 * pruner holds are skipped. Pending and dead rows stay.
 */
export async function pruneDelivered(
  db: Db,
  options: { upToId: number; deliveredBefore: Date; limit: number },
): Promise<number> {
  const deleted = await db
    .delete(outbox)
    .where(
      inArray(
        outbox.id,
        db
          .select({ id: outbox.id })
          .from(outbox)
          .where(
            and(
              lte(outbox.id, options.upToId),
              eq(outbox.status, 'delivered'),
              lt(outbox.deliveredAt, options.deliveredBefore),
            ),
          )
          .orderBy(asc(outbox.id))
          .limit(options.limit)
          .for('update', { skipLocked: true }),
      ),
    )
    .returning({ id: outbox.id });
  return deleted.length;
}

/**
 * The newest outbox row's id among those created before `before` (0 when there is none): a
 * binary search over the primary key, each step the first row at or after an id, since ids grow
 * with the rows' creation (give or take the length of the transactions that wrote them). A few
 * dozen index lookups whatever the outbox holds, and no state: any process finds the same bound.
 */
export async function newestOutboxIdBefore(db: Db, before: Date): Promise<number> {
  const [range] = await db
    .select({
      low: sql<number | string | null>`min(${outbox.id})`,
      high: sql<number | string | null>`max(${outbox.id})`,
    })
    .from(outbox);
  if (range?.low == null || range.high == null) return 0;
  const firstFrom = async (id: number) => {
    const [row] = await db
      .select({ id: outbox.id, createdAt: outbox.createdAt })
      .from(outbox)
      .where(gte(outbox.id, id))
      .orderBy(asc(outbox.id))
      .limit(1);
    return row && { id: Number(row.id), old: row.createdAt < before };
  };
  // Invariant: no row after `high` is old enough; the row at `low`, if any, is.
  let low = Number(range.low);
  let high = Number(range.high);
  const first = await firstFrom(low);
  if (!first?.old) return 0;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const probe = await firstFrom(middle);
    if (probe?.old && probe.id <= high) low = probe.id;
    else high = middle - 1;
  }
  return low;
}

/** Puts a row back for a later attempt, or gives up on it (`dead`) when retrying cannot help. */
export async function markRetry(
  db: Db,
  id: number,
  options: { delayMs: number; error: string; dead?: boolean },
): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: options.dead ? 'dead' : 'pending',
      lastError: options.error.slice(0, 2000),
      nextAttemptAt: sql`now() + ${`${Math.max(0, Math.round(options.delayMs))} milliseconds`}::interval`,
    })
    .where(and(eq(outbox.id, id), commitsWithoutFlush));
}

import { and, asc, count, eq, gte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, rowsOf } from '../../../db';
import { contacts, segmentMembers, segmentSizes, segments } from '../../../db/schema';
import { Conflict, DomainError, NotFound } from '../../errors';
import { segmentMatchesSql } from './compile-sql';
import { type SegmentGroup, segmentDefinitionSchema } from './definition';

export type SegmentRow = typeof segments.$inferSelect;

export const segmentInputSchema = z.object({
  name: z.string().min(1).max(200),
  definition: segmentDefinitionSchema,
});

export type SegmentInput = z.infer<typeof segmentInputSchema>;

/** Something that uses a segment: a journey (trigger or condition), a campaign or a broadcast. */
export interface SegmentUser {
  type: 'journey' | 'campaign' | 'broadcast';
  id: string;
  name: string;
  status: string;
}

export class SegmentInUse extends DomainError {
  constructor(id: string, users: SegmentUser[]) {
    super(
      'segment_in_use',
      `Segment ${id} is used by ${users.map((u) => `${u.type} "${u.name}"`).join(', ')}`,
      'conflict',
      'id',
      { journeyIds: users.filter((u) => u.type === 'journey').map((u) => u.id), users },
    );
  }
}

export function definitionOf(row: Pick<SegmentRow, 'definition'>): SegmentGroup | undefined {
  const parsed = segmentDefinitionSchema.safeParse(row.definition);
  return parsed.success ? parsed.data : undefined;
}

export async function createSegment(db: Db, workspaceId: string, input: SegmentInput): Promise<SegmentRow> {
  const [row] = await db
    .insert(segments)
    .values({
      workspaceId,
      name: input.name,
      definition: input.definition as unknown as Record<string, unknown>,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new Conflict('segment_exists', `A segment named ${input.name} already exists`, 'name');
  return row;
}

export async function getSegment(db: Db, workspaceId: string, segmentId: string): Promise<SegmentRow> {
  const [row] = await db
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, segmentId)));
  if (!row) throw new NotFound('Segment', segmentId);
  return row;
}

export async function listSegments(db: Db, workspaceId: string) {
  const sizes = db
    .select({ segmentId: segmentMembers.segmentId, members: count().as('members') })
    .from(segmentMembers)
    .where(eq(segmentMembers.workspaceId, workspaceId))
    .groupBy(segmentMembers.segmentId)
    .as('sizes');
  const rows = await db
    .select({ segment: segments, members: sizes.members })
    .from(segments)
    .leftJoin(sizes, eq(sizes.segmentId, segments.id))
    .where(eq(segments.workspaceId, workspaceId))
    .orderBy(asc(segments.name));
  return rows.map((r) => ({ ...r.segment, members: Number(r.members ?? 0) }));
}

export async function updateSegment(
  db: Db,
  workspaceId: string,
  segmentId: string,
  input: Partial<SegmentInput>,
): Promise<SegmentRow> {
  await getSegment(db, workspaceId, segmentId);
  const [row] = await db
    .update(segments)
    .set({
      ...(input.name ? { name: input.name } : {}),
      ...(input.definition ? { definition: input.definition as unknown as Record<string, unknown> } : {}),
      updatedAt: new Date(),
    })
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, segmentId)))
    .returning()
    .catch((error) => {
      if (String((error as { code?: string }).code ?? error.cause?.code) === '23505')
        throw new Conflict('segment_exists', `A segment named ${input.name} already exists`, 'name');
      throw error;
    });
  return row;
}

export async function deleteSegment(
  db: Db,
  workspaceId: string,
  segmentId: string,
  users: SegmentUser[],
): Promise<void> {
  await getSegment(db, workspaceId, segmentId);
  if (users.length > 0) throw new SegmentInUse(segmentId, users);
  await db.delete(segments).where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, segmentId)));
}

/** How many contacts match a definition now, with a few of them, without storing anything. */
export async function previewSegment(
  db: Db,
  workspaceId: string,
  definition: SegmentGroup,
  now = new Date(),
) {
  const matching = segmentMatchesSql(definition, now, workspaceId);
  const n = await countSegmentMatches(db, workspaceId, definition, now);
  const where = and(eq(contacts.workspaceId, workspaceId), sql`${contacts.id} in (${matching})`);
  const sample = await db
    .select({ id: contacts.id, userId: contacts.externalId, email: contacts.email })
    .from(contacts)
    .where(where)
    .orderBy(asc(contacts.createdAt), asc(contacts.id))
    .limit(10);
  return { count: n, sample };
}

/** How many contacts of the workspace meet the rules now (one pass, see `segmentMatchesSql`). */
export async function countSegmentMatches(
  db: Db,
  workspaceId: string,
  definition: SegmentGroup,
  now = new Date(),
): Promise<number> {
  const result = await db.execute(
    sql`select count(*)::int as n from (${segmentMatchesSql(definition, now, workspaceId)}) as matching`,
  );
  return Number(rowsOf<{ n: number }>(result)[0].n);
}

/** Members in id order after `afterId`; with `enteredSince`, only those who entered since then. */
export async function segmentMemberIds(
  db: Db,
  workspaceId: string,
  segmentId: string,
  afterId: string | null,
  limit: number,
  enteredSince?: Date,
): Promise<string[]> {
  const rows = await db
    .select({ id: segmentMembers.contactId })
    .from(segmentMembers)
    .where(
      and(
        eq(segmentMembers.workspaceId, workspaceId),
        eq(segmentMembers.segmentId, segmentId),
        afterId ? sql`${segmentMembers.contactId} > ${afterId}::uuid` : undefined,
        enteredSince ? gte(segmentMembers.enteredAt, enteredSince) : undefined,
      ),
    )
    .orderBy(asc(segmentMembers.contactId))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** How many contacts are in a segment; with `enteredSince`, how many entered since then. */
export async function countSegmentMembers(
  db: Db,
  workspaceId: string,
  segmentId: string,
  enteredSince?: Date,
): Promise<number> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(segmentMembers)
    .where(
      and(
        eq(segmentMembers.workspaceId, workspaceId),
        eq(segmentMembers.segmentId, segmentId),
        enteredSince ? gte(segmentMembers.enteredAt, enteredSince) : undefined,
      ),
    );
  return Number(n);
}

/**
 * Brings the stored membership of one segment in line with its rules for every contact of the
 * workspace; returns the contacts that entered.
 */
export async function refreshSegmentMembers(
  db: Db,
  segment: SegmentRow,
  now = new Date(),
): Promise<{ entered: string[]; left: number }> {
  const definition = definitionOf(segment);
  if (!definition) return { entered: [], left: 0 };
  const matching = segmentMatchesSql(definition, now, segment.workspaceId);
  const left = await db
    .delete(segmentMembers)
    .where(
      and(eq(segmentMembers.segmentId, segment.id), sql`${segmentMembers.contactId} not in (${matching})`),
    )
    .returning({ contactId: segmentMembers.contactId });
  const entered = await db
    .insert(segmentMembers)
    .select(
      db
        .select({
          workspaceId: contacts.workspaceId,
          segmentId: sql<string>`${segment.id}::uuid`.as('segment_id'),
          contactId: contacts.id,
          enteredAt: sql<Date>`now()`.as('entered_at'),
        })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, segment.workspaceId), sql`${contacts.id} in (${matching})`)),
    )
    .onConflictDoNothing()
    .returning({ contactId: segmentMembers.contactId });
  await recordSegmentSize(db, segment.workspaceId, segment.id, now);
  return { entered: entered.map((r) => r.contactId), left: left.length };
}

/** Keeps the day's size of a segment (the last count of the UTC day wins). */
export async function recordSegmentSize(db: Db, workspaceId: string, segmentId: string, now = new Date()) {
  const members = await countSegmentMembers(db, workspaceId, segmentId);
  const day = now.toISOString().slice(0, 10);
  await db
    .insert(segmentSizes)
    .values({ workspaceId, segmentId, day, members })
    .onConflictDoUpdate({
      target: [segmentSizes.segmentId, segmentSizes.day],
      set: { members, recordedAt: new Date() },
    });
}

/** A segment's size per day, oldest first, over the last `days` days. */
export async function segmentSizeHistory(db: Db, workspaceId: string, segmentId: string, days = 90) {
  await getSegment(db, workspaceId, segmentId);
  const since = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  return db
    .select({ day: segmentSizes.day, members: segmentSizes.members })
    .from(segmentSizes)
    .where(
      and(
        eq(segmentSizes.workspaceId, workspaceId),
        eq(segmentSizes.segmentId, segmentId),
        gte(segmentSizes.day, since),
      ),
    )
    .orderBy(asc(segmentSizes.day));
}

/** Undoes an entry whose enrollment failed, so the next evaluation enters (and enrolls) again. */
export async function forgetEntry(db: Db, segmentId: string, contactId: string): Promise<void> {
  await db
    .delete(segmentMembers)
    .where(and(eq(segmentMembers.segmentId, segmentId), eq(segmentMembers.contactId, contactId)));
}

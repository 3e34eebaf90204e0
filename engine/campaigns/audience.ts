import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db';
import { type AudienceSelection, lists, segments } from '../../db/schema';
import { InvalidInput } from '../errors';

export const audienceSchema = z.object({
  segmentIds: z.array(z.uuid()).max(50).default([]),
  listIds: z.array(z.uuid()).max(50).default([]),
  excludeSegmentIds: z.array(z.uuid()).max(50).default([]),
  excludeListIds: z.array(z.uuid()).max(50).default([]),
});

export function isEmptySelection(audience: AudienceSelection): boolean {
  return audience.segmentIds.length === 0 && audience.listIds.length === 0;
}

/** Every segment and list the selection names must exist in the workspace. */
export async function assertAudienceExists(
  db: Db,
  workspaceId: string,
  audience: AudienceSelection,
  field = 'audience',
): Promise<void> {
  const segmentIds = [...audience.segmentIds, ...audience.excludeSegmentIds];
  const listIds = [...audience.listIds, ...audience.excludeListIds];
  if (segmentIds.length > 0) {
    const found = await db
      .select({ id: segments.id })
      .from(segments)
      .where(and(eq(segments.workspaceId, workspaceId), inArray(segments.id, segmentIds)));
    const missing = segmentIds.find((id) => !found.some((f) => f.id === id));
    if (missing)
      throw new InvalidInput('segment_not_found', `segment ${missing} does not exist`, `${field}.segmentIds`);
  }
  if (listIds.length > 0) {
    const found = await db
      .select({ id: lists.id })
      .from(lists)
      .where(and(eq(lists.workspaceId, workspaceId), inArray(lists.id, listIds)));
    const missing = listIds.find((id) => !found.some((f) => f.id === id));
    if (missing)
      throw new InvalidInput('list_not_found', `list ${missing} does not exist`, `${field}.listIds`);
  }
}

const uuidArray = (ids: string[]) =>
  sql`array[${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`;

/**
 * The contact ids of a selection as a subquery: members of any included segment or list, not in
 * any excluded one, test contacts left out.
 */
export function audienceContactIds(workspaceId: string, audience: AudienceSelection): SQL {
  const included: SQL[] = [];
  if (audience.segmentIds.length > 0) {
    included.push(
      sql`select contact_id from segment_members where workspace_id = ${workspaceId} and segment_id = any(${uuidArray(audience.segmentIds)})`,
    );
  }
  if (audience.listIds.length > 0) {
    included.push(
      sql`select contact_id from list_members where workspace_id = ${workspaceId} and list_id = any(${uuidArray(audience.listIds)})`,
    );
  }
  if (included.length === 0) return sql`select null::uuid as contact_id where false`;
  const excluded: SQL[] = [];
  if (audience.excludeSegmentIds.length > 0) {
    excluded.push(
      sql`select contact_id from segment_members where workspace_id = ${workspaceId} and segment_id = any(${uuidArray(audience.excludeSegmentIds)})`,
    );
  }
  if (audience.excludeListIds.length > 0) {
    excluded.push(
      sql`select contact_id from list_members where workspace_id = ${workspaceId} and list_id = any(${uuidArray(audience.excludeListIds)})`,
    );
  }
  const union = sql.join(included, sql` union `);
  const minus = excluded.length > 0 ? sql` except (${sql.join(excluded, sql` union `)})` : sql``;
  return sql`select a.contact_id from ((${union})${minus}) a join contacts c on c.id = a.contact_id and c.is_test = false`;
}

/**
 * A selection's contacts in the order a broadcast freezes them: by a hash of broadcast and contact
 * (random-like, yet the same on every database), with `seq` from 1 and the `total`; the first
 * `floor(total × holdoutShare)` are the control group.
 */
export function rankedAudience(workspaceId: string, broadcastId: string, audience: AudienceSelection): SQL {
  return sql`select contact_id, row_number() over (order by md5(${broadcastId}::text || contact_id::text)) as seq,
                 count(*) over () as total
          from (${audienceContactIds(workspaceId, audience)}) a`;
}

/** Whether a ranked contact (see `rankedAudience`) falls in the control group. */
export const inHoldout = (holdoutShare: number) => sql`seq <= floor(total * ${holdoutShare}::float8)`;

/** How many contacts a selection holds now. */
export async function audienceSize(
  db: Db,
  workspaceId: string,
  audience: AudienceSelection,
): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from (${audienceContactIds(workspaceId, audience)}) x`,
  );
  return Number(row?.n ?? 0);
}

import { eq, type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../../db';
import { contacts, segmentMembers, segments } from '../../../db/schema';
import { BoundedCache } from '../../bounded-cache';
import { segmentWhere } from './compile-sql';
import type { SegmentGroup } from './definition';
import { type ContactChange, canChange, type SegmentReads, segmentReads } from './dependencies';
import { definitionOf } from './segments';

interface KnownSegment {
  id: string;
  definition: SegmentGroup;
  reads: SegmentReads;
}

/** A workspace's segments as last read, with the fingerprint of the rows they were read from. */
interface KnownSegments {
  fingerprint: string;
  segments: KnownSegment[];
}

/**
 * Identifies the exact set of a workspace's segment rows (ids and last update times): any
 * create, update or delete, by any process, changes it.
 */
const fingerprintOf = (workspaceId: string) =>
  sql`(select coalesce(md5(string_agg(${segments.id}::text || '@' || ${segments.updatedAt}::text, ',' order by ${segments.id})), '')
    from ${segments} where ${segments.workspaceId} = ${workspaceId})`;

const MAX_WORKSPACES = 1_000;
/** Per database handle: parsed definitions and what their rules read, checked before each use. */
const known = new WeakMap<Db, BoundedCache<string, KnownSegments>>();

async function readSegments(db: Db, workspaceId: string): Promise<KnownSegments> {
  const rows = await db
    .select({
      id: segments.id,
      definition: segments.definition,
      fingerprint: sql<string>`${fingerprintOf(workspaceId)}`,
    })
    .from(segments)
    .where(eq(segments.workspaceId, workspaceId));
  const entry: KnownSegments = {
    fingerprint: rows[0]?.fingerprint ?? '',
    segments: rows.flatMap((row) => {
      const definition = definitionOf(row);
      return definition ? [{ id: row.id, definition, reads: segmentReads(definition) }] : [];
    }),
  };
  const byWorkspace = known.get(db) ?? new BoundedCache<string, KnownSegments>(MAX_WORKSPACES);
  known.set(db, byWorkspace);
  byWorkspace.set(workspaceId, entry);
  return entry;
}

/**
 * Recomputes these contacts' memberships of the segments that can answer differently after
 * `change` (every segment when it is not given), in one statement over the contacts' rows: the
 * rules evaluated, the memberships they left removed and those they entered added (membership
 * rows of contacts still in a segment stay as they were, with their entry time). The segments'
 * parsed rules are kept between calls; the statement itself checks they are still the stored
 * ones and, when not, changes nothing, and the refresh reads them again and repeats. Answers
 * the segments each contact entered.
 */
export async function refreshContactSegments(
  db: Db,
  workspaceId: string,
  contactIds: string[],
  change?: ContactChange,
  now = new Date(),
): Promise<Map<string, string[]>> {
  const entered = new Map<string, string[]>();
  if (contactIds.length === 0) return entered;
  const cached = known.get(db)?.get(workspaceId);
  // Rules just read are used as read (as a separate read always was); kept ones are checked.
  let rows = cached ? await refresh(db, workspaceId, contactIds, cached, change, now, true) : [];
  if (!rows.some((row) => row.fresh)) {
    rows = await refresh(
      db,
      workspaceId,
      contactIds,
      await readSegments(db, workspaceId),
      change,
      now,
      false,
    );
  }
  for (const row of rows) {
    if (!row.segment_id || !row.contact_id) continue;
    entered.set(row.contact_id, [...(entered.get(row.contact_id) ?? []), row.segment_id]);
  }
  return entered;
}

async function refresh(
  db: Db,
  workspaceId: string,
  contactIds: string[],
  current: KnownSegments,
  change: ContactChange | undefined,
  now: Date,
  checked: boolean,
) {
  const affected = current.segments.filter((segment) => canChange(segment.reads, change));
  // Rules just read need no check: with none affected there is nothing to ask the database.
  if (!checked && affected.length === 0) return [];
  const fingerprint = checked ? current.fingerprint : undefined;
  return rowsOf<{ segment_id: string | null; contact_id: string | null; fresh: boolean }>(
    await db.execute(refreshStatement(workspaceId, contactIds, affected, fingerprint, now)),
  );
}

function refreshStatement(
  workspaceId: string,
  contactIds: string[],
  affected: KnownSegment[],
  fingerprint: string | undefined,
  now: Date,
): SQL {
  const fresh = fingerprint === undefined ? sql`true` : sql`(${fingerprintOf(workspaceId)} = ${fingerprint})`;
  if (affected.length === 0)
    return sql`select null::uuid as segment_id, null::uuid as contact_id, ${fresh} as fresh`;
  const rules = affected.map(
    (segment) => sql`(${segment.id}::uuid, (${segmentWhere(segment.definition, now)}))`,
  );
  // Rows are added in one order (segment, then contact), so concurrent refreshes never deadlock.
  return sql`with fresh as (select ${fresh} as ok), evaluated as (
      select ${contacts.id} as contact_id, s.segment_id, s.member
      from ${contacts} cross join lateral (values ${sql.join(rules, sql`, `)}) as s(segment_id, member)
      where (select ok from fresh) and ${contacts.workspaceId} = ${workspaceId}
        and ${contacts.id} = any(${sql.param(contactIds)}::uuid[])
    ), removed as (
      delete from ${segmentMembers} m using evaluated e
      where e.member is not true and m.segment_id = e.segment_id and m.contact_id = e.contact_id
    ), added as (
      insert into ${segmentMembers} (workspace_id, segment_id, contact_id)
      select ${workspaceId}::uuid, e.segment_id, e.contact_id from evaluated e where e.member
      order by e.segment_id, e.contact_id
      on conflict do nothing
      returning segment_id, contact_id
    )
    select null::uuid as segment_id, null::uuid as contact_id, (select ok from fresh) as fresh
    union all select segment_id, contact_id, true from added`;
}

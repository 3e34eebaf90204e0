import { and, eq, ne, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { broadcasts, campaigns, socialAccounts, socialPosts } from '../../db/schema';
import { audienceContactIds } from './audience';
import type { BroadcastRow } from './broadcasts';

export interface CalendarItem {
  kind: 'campaign' | 'broadcast' | 'social-post';
  id: string;
  name: string;
  status: string;
  /** ISO date (YYYY-MM-DD) the item starts on; a campaign may span to `end`. */
  start: string;
  end: string | null;
  campaignId: string | null;
  /** A social post's content item (its page), null otherwise. */
  itemId?: string | null;
  audience: number | null;
  overlaps: { id: string; name: string; contacts: number }[];
}

/** The day a broadcast goes out: its scheduled time or local date, else when it was launched or drafted. */
export function broadcastDay(row: BroadcastRow): string {
  if (row.schedule.kind === 'at') return row.schedule.at.slice(0, 10);
  if (row.schedule.kind === 'local') return row.schedule.date;
  return (row.launchedAt ?? row.createdAt).toISOString().slice(0, 10);
}

/**
 * Campaigns, broadcasts and social posts (scheduled or published) between two dates (inclusive),
 * with the contacts shared by broadcasts on the same day flagged: a frozen audience is compared as
 * frozen, a draft by its selection now.
 */
export async function marketingCalendar(
  db: Db,
  workspaceId: string,
  range: { from: string; to: string },
): Promise<CalendarItem[]> {
  const items: CalendarItem[] = [];
  const campaignRows = await db.select().from(campaigns).where(eq(campaigns.workspaceId, workspaceId));
  for (const c of campaignRows) {
    const start = (c.startsAt ?? c.createdAt).toISOString().slice(0, 10);
    const end = c.endsAt ? c.endsAt.toISOString().slice(0, 10) : null;
    if (start > range.to || (end ?? start) < range.from) continue;
    items.push({
      kind: 'campaign',
      id: c.id,
      name: c.name,
      status: c.status,
      start,
      end,
      campaignId: null,
      audience: null,
      overlaps: [],
    });
  }
  const broadcastRows = (
    await db.select().from(broadcasts).where(eq(broadcasts.workspaceId, workspaceId))
  ).filter((b) => b.status !== 'cancelled');
  const inRange = broadcastRows
    .map((b) => ({ row: b, day: broadcastDay(b) }))
    .filter(({ day }) => day >= range.from && day <= range.to);
  for (const { row, day } of inRange) {
    const overlaps: CalendarItem['overlaps'] = [];
    for (const other of inRange) {
      if (other.row.id === row.id || other.day !== day) continue;
      const contacts = await sharedContacts(db, workspaceId, row, other.row);
      if (contacts > 0) overlaps.push({ id: other.row.id, name: other.row.name, contacts });
    }
    items.push({
      kind: 'broadcast',
      id: row.id,
      name: row.name,
      status: row.status,
      start: day,
      end: null,
      campaignId: row.campaignId,
      audience: row.audienceSize,
      overlaps,
    });
  }
  items.push(...(await socialPostItems(db, workspaceId, range)));
  return items.sort((a, b) => a.start.localeCompare(b.start) || a.name.localeCompare(b.name));
}

/** Social posts by the day they go out (scheduled) or went out (published), named after their account. */
async function socialPostItems(
  db: Db,
  workspaceId: string,
  range: { from: string; to: string },
): Promise<CalendarItem[]> {
  const rows = await db
    .select({
      id: socialPosts.id,
      text: socialPosts.text,
      status: socialPosts.status,
      at: sql<Date | string | null>`coalesce(${socialPosts.scheduledAt}, ${socialPosts.publishedAt})`,
      campaignId: socialPosts.campaignId,
      itemId: socialPosts.itemId,
      account: socialAccounts.name,
    })
    .from(socialPosts)
    .innerJoin(socialAccounts, eq(socialAccounts.id, socialPosts.accountId))
    .where(and(eq(socialPosts.workspaceId, workspaceId), ne(socialPosts.status, 'canceled')));
  return rows.flatMap((post) => {
    if (!post.at) return [];
    const day = new Date(post.at).toISOString().slice(0, 10);
    if (day < range.from || day > range.to) return [];
    const text = post.text.length > 40 ? `${post.text.slice(0, 39)}…` : post.text;
    return [
      {
        kind: 'social-post' as const,
        id: post.id,
        name: `${post.account}: ${text}`,
        status: post.status,
        start: day,
        end: null,
        campaignId: post.campaignId,
        itemId: post.itemId,
        audience: null,
        overlaps: [],
      },
    ];
  });
}

function membersOf(workspaceId: string, row: BroadcastRow) {
  return row.status === 'draft'
    ? audienceContactIds(workspaceId, row.audience)
    : sql`select contact_id from broadcast_recipients where broadcast_id = ${row.id}`;
}

async function sharedContacts(
  db: Db,
  workspaceId: string,
  a: BroadcastRow,
  b: BroadcastRow,
): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ((${membersOf(workspaceId, a)}) intersect (${membersOf(workspaceId, b)})) x`,
  );
  return Number(row?.n ?? 0);
}

import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../db';
import { contentPath, getContentItem } from './library';

export interface ContentPerformance {
  itemId: string;
  /** All time: views of the public page, clicks of tracked message links to it, and social engagement. */
  views: number;
  clicks: number;
  likes: number;
  shares: number;
  comments: number;
  posts: number;
  /** Per UTC day over the window, oldest first, days without activity included as zeros. */
  daily: { date: string; views: number; clicks: number }[];
}

const DAY = 86_400_000;

/**
 * How a content item does: views of its public page, clicks of tracked links (in any message)
 * that lead to it, and likes, shares and comments its social posts collected.
 */
export async function contentPerformance(
  db: Db,
  workspaceId: string,
  id: string,
  days = 30,
  now = new Date(),
): Promise<ContentPerformance> {
  await getContentItem(db, workspaceId, id);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(today - (days - 1) * DAY);
  const pattern = `%${contentPath(id)}%`;
  const views = rowsOf<{ day: string | null; n: number }>(
    await db.execute(sql`
      select case when viewed_at >= ${since.toISOString()}::timestamptz
               then to_char(viewed_at at time zone 'UTC', 'YYYY-MM-DD') end as day,
             count(*)::int as n
        from content_views
       where workspace_id = ${workspaceId} and item_id = ${id}
       group by 1`),
  );
  const clicks = rowsOf<{ day: string | null; n: number }>(
    await db.execute(sql`
      select case when timestamp >= ${since.toISOString()}::timestamptz
               then to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD') end as day,
             count(*)::int as n
        from events
       where workspace_id = ${workspaceId} and name like '%Link Clicked'
         and properties ->> 'url' like ${pattern}
       group by 1`),
  );
  const [social] = rowsOf<{ likes: number; shares: number; comments: number; posts: number }>(
    await db.execute(sql`
      select coalesce(sum(likes), 0)::int as likes, coalesce(sum(shares), 0)::int as shares,
             coalesce(sum(comments), 0)::int as comments,
             count(*) filter (where status = 'published')::int as posts
        from social_posts where workspace_id = ${workspaceId} and item_id = ${id}`),
  );
  const byDay = (rows: { day: string | null; n: number }[]) =>
    new Map(rows.filter((r) => r.day !== null).map((r) => [r.day as string, Number(r.n)]));
  const viewDays = byDay(views);
  const clickDays = byDay(clicks);
  const daily = Array.from({ length: days }, (_, i) => {
    const date = new Date(since.getTime() + i * DAY).toISOString().slice(0, 10);
    return { date, views: viewDays.get(date) ?? 0, clicks: clickDays.get(date) ?? 0 };
  });
  const total = (rows: { n: number }[]) => rows.reduce((sum, r) => sum + Number(r.n), 0);
  return {
    itemId: id,
    views: total(views),
    clicks: total(clicks),
    likes: social.likes,
    shares: social.shares,
    comments: social.comments,
    posts: social.posts,
    daily,
  };
}

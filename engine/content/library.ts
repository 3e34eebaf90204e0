import { and, arrayContains, desc, eq, ilike, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db';
import { assets, CONTENT_KINDS, CONTENT_STATUSES, contentItems, contentViews } from '../../db/schema';
import { InvalidInput, NotFound } from '../errors';

export type ContentItemRow = typeof contentItems.$inferSelect;

const tag = z.string().trim().min(1).max(60);

export const contentItemInput = z.object({
  kind: z.enum(CONTENT_KINDS).describe('article, image, video, offer or coupon'),
  title: z.string().trim().min(1).max(300),
  body: z.string().max(200_000).default('').describe('Text or HTML of an article; description of the others'),
  assetId: z.uuid().nullable().default(null).describe('The uploaded file (image, video) of the item'),
  category: z.string().trim().min(1).max(100).nullable().default(null),
  tags: z.array(tag).max(50).default([]),
  status: z.enum(CONTENT_STATUSES).default('draft'),
  details: z
    .object({
      url: z.url().optional().describe('Where an offer leads'),
      code: z.string().trim().min(1).max(100).optional().describe("A coupon's code"),
      discount: z.string().trim().max(100).optional().describe('e.g. "20%" or "5 EUR"'),
      expiresAt: z.iso.datetime({ offset: true }).optional(),
    })
    .default({}),
});

export type ContentItemInput = z.input<typeof contentItemInput>;

export const contentFilter = z.object({
  kind: z.enum(CONTENT_KINDS).optional(),
  status: z.enum(CONTENT_STATUSES).optional(),
  category: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  q: z.string().min(1).max(200).optional().describe('Words in the title or body'),
});

export type ContentFilter = z.infer<typeof contentFilter>;

async function checkInput(db: Db, workspaceId: string, raw: ContentItemInput) {
  const input = contentItemInput.parse(raw);
  if (input.assetId) {
    const [asset] = await db
      .select({ id: assets.id, contentType: assets.contentType })
      .from(assets)
      .where(and(eq(assets.workspaceId, workspaceId), eq(assets.id, input.assetId)));
    if (!asset) throw new InvalidInput('asset_unknown', `Asset ${input.assetId} does not exist`, 'assetId');
    const family = asset.contentType.split('/')[0];
    if ((input.kind === 'image' && family !== 'image') || (input.kind === 'video' && family !== 'video')) {
      throw new InvalidInput(
        'asset_kind_mismatch',
        `An ${input.kind} item needs an ${input.kind} file; asset ${input.assetId} is ${asset.contentType}`,
        'assetId',
      );
    }
  } else if (input.kind === 'image' || input.kind === 'video') {
    throw new InvalidInput('asset_required', `An ${input.kind} item needs an uploaded file`, 'assetId');
  }
  if (input.kind === 'coupon' && !input.details.code) {
    throw new InvalidInput('coupon_code_required', 'A coupon needs its code', 'details.code');
  }
  return { ...input, tags: [...new Set(input.tags)].sort() };
}

export async function createContentItem(
  db: Db,
  workspaceId: string,
  raw: ContentItemInput,
  ownerId: string | null,
): Promise<ContentItemRow> {
  const input = await checkInput(db, workspaceId, raw);
  const [row] = await db
    .insert(contentItems)
    .values({ ...input, workspaceId, ownerId })
    .returning();
  return row;
}

export async function updateContentItem(
  db: Db,
  workspaceId: string,
  id: string,
  raw: ContentItemInput,
): Promise<ContentItemRow> {
  await getContentItem(db, workspaceId, id);
  const input = await checkInput(db, workspaceId, raw);
  const [row] = await db
    .update(contentItems)
    .set({ ...input, updatedAt: new Date() })
    .where(and(eq(contentItems.workspaceId, workspaceId), eq(contentItems.id, id)))
    .returning();
  return row;
}

export async function getContentItem(db: Db, workspaceId: string, id: string): Promise<ContentItemRow> {
  const [row] = await db
    .select()
    .from(contentItems)
    .where(and(eq(contentItems.workspaceId, workspaceId), eq(contentItems.id, id)));
  if (!row) throw new NotFound('Content item', id);
  return row;
}

export async function listContentItems(
  db: Db,
  workspaceId: string,
  filter: ContentFilter = {},
): Promise<ContentItemRow[]> {
  const where: SQL[] = [eq(contentItems.workspaceId, workspaceId)];
  if (filter.kind) where.push(eq(contentItems.kind, filter.kind));
  if (filter.status) where.push(eq(contentItems.status, filter.status));
  if (filter.category) where.push(eq(contentItems.category, filter.category));
  if (filter.tag) where.push(arrayContains(contentItems.tags, [filter.tag]));
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(contentItems.title, pattern), ilike(contentItems.body, pattern)) as SQL);
  }
  return db
    .select()
    .from(contentItems)
    .where(and(...where))
    .orderBy(desc(contentItems.updatedAt))
    .limit(500);
}

export async function deleteContentItem(db: Db, workspaceId: string, id: string): Promise<void> {
  const removed = await db
    .delete(contentItems)
    .where(and(eq(contentItems.workspaceId, workspaceId), eq(contentItems.id, id)))
    .returning({ id: contentItems.id });
  if (removed.length === 0) throw new NotFound('Content item', id);
}

/** The public page of a published item; unpublished ones do not exist for the public. */
export async function publishedItem(db: Db, id: string): Promise<ContentItemRow> {
  const [row] = await db
    .select()
    .from(contentItems)
    .where(and(eq(contentItems.id, id), eq(contentItems.status, 'published')));
  if (!row) throw new NotFound('Content item', id);
  return row;
}

export async function recordContentView(db: Db, item: ContentItemRow, at = new Date()): Promise<void> {
  await db.insert(contentViews).values({ workspaceId: item.workspaceId, itemId: item.id, viewedAt: at });
}

/** The path of an item's public page; tracked links to it count as the item's clicks. */
export const contentPath = (id: string) => `/p/content/${id}`;

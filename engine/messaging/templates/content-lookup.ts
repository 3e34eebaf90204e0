import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db';
import { assets, contentItems } from '../../../db/schema';
import { contentPath } from '../../content/library';

/**
 * What the `asset_url`, `content_item` and `content_url` filters read: assets and items of one
 * workspace by id, loaded at render time and kept for the render. An id that is not the
 * workspace's (or not a published item) is an error naming it; liquidjs adds the line.
 */
export interface ContentLookup {
  assetUrl(id: unknown, variant: 'original' | 'thumbnail'): Promise<string>;
  item(id: unknown): Promise<ContentItemScope>;
}

/** A content item as templates read it (`{% assign offer = 'id' | content_item %}{{ offer.title }}`). */
export interface ContentItemScope {
  id: string;
  kind: string;
  title: string;
  body: string;
  category: string | null;
  tags: string[];
  /** The item's public page; a tracked link to it counts as the item's click. */
  url: string;
  /** The item's file (an image, a video), or null. */
  asset_url: string | null;
  /** Where an offer leads, a coupon's code and discount and expiry, when set. */
  link: string | null;
  code: string | null;
  discount: string | null;
  expires_at: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function idOf(kind: string, value: unknown): string {
  const id = typeof value === 'string' ? value.trim() : String(value ?? '');
  if (!UUID.test(id)) throw new Error(`${kind} “${id}” does not exist in the content library (not an id)`);
  return id.toLowerCase();
}

export function contentLookup(db: Db, workspaceId: string, publicUrl: string): ContentLookup {
  const base = publicUrl.replace(/\/$/, '');
  const assetRows = new Map<string, Promise<{ id: string; thumbnailKey: string | null } | undefined>>();
  const itemRows = new Map<string, Promise<ContentItemScope>>();
  const asset = (id: string) => {
    let row = assetRows.get(id);
    if (!row) {
      row = db
        .select({ id: assets.id, thumbnailKey: assets.thumbnailKey })
        .from(assets)
        .where(and(eq(assets.workspaceId, workspaceId), eq(assets.id, id)))
        .then((rows) => rows[0]);
      assetRows.set(id, row);
    }
    return row;
  };
  const loadItem = async (id: string): Promise<ContentItemScope> => {
    const [row] = await db
      .select()
      .from(contentItems)
      .where(and(eq(contentItems.workspaceId, workspaceId), eq(contentItems.id, id)));
    if (!row) throw new Error(`content item “${id}” does not exist in the content library`);
    if (row.status !== 'published') {
      throw new Error(
        `content item “${id}” (${row.title}) is ${row.status}; publish it to use it in messages`,
      );
    }
    const details = row.details as Record<string, unknown>;
    const text = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : null);
    return {
      id: row.id,
      kind: row.kind,
      title: row.title,
      body: row.body,
      category: row.category,
      tags: row.tags,
      url: `${base}${contentPath(row.id)}`,
      asset_url: row.assetId ? `${base}/p/assets/${row.assetId}` : null,
      link: text('url'),
      code: text('code'),
      discount: text('discount'),
      expires_at: text('expiresAt'),
    };
  };
  return {
    async assetUrl(value, variant) {
      const id = idOf('asset', value);
      const row = await asset(id);
      if (!row) throw new Error(`asset “${id}” does not exist in the content library`);
      if (variant === 'thumbnail') {
        if (!row.thumbnailKey) throw new Error(`asset “${id}” has no thumbnail (not an image)`);
        return `${base}/p/assets/${id}/thumbnail`;
      }
      return `${base}/p/assets/${id}`;
    },
    item(value) {
      const id = idOf('content item', value);
      let item = itemRows.get(id);
      if (!item) {
        item = loadItem(id);
        itemRows.set(id, item);
      }
      return item;
    },
  };
}

import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { assets } from '../../db/schema';
import { DomainError, NotFound } from '../errors';
import type { AssetStorage } from './storage';

export type AssetRow = typeof assets.$inferSelect;

/** What an upload may be: images (thumbnailed), videos and PDFs. SVG is refused (it can carry script). */
export const ASSET_TYPES: Record<string, 'image' | 'video' | 'document'> = {
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'video/mp4': 'video',
  'video/webm': 'video',
  'application/pdf': 'document',
};

export const DEFAULT_MAX_ASSET_BYTES = 10 * 1024 * 1024;
const THUMBNAIL_WIDTH = 320;

export class AssetTooLarge extends DomainError {
  constructor(limit: number) {
    super('asset_too_large', `The file is larger than the limit of ${limit} bytes`, 'too_large', 'file');
  }
}

export class AssetTypeRefused extends DomainError {
  constructor(contentType: string, reason?: string) {
    super(
      'asset_type_refused',
      reason ??
        `Files of type ${contentType || '(none)'} cannot be uploaded; one of ${Object.keys(ASSET_TYPES).join(', ')}`,
      'unsupported',
      'file',
    );
  }
}

export interface AssetUpload {
  filename: string;
  contentType: string;
  data: Buffer;
  uploadedBy?: string | null;
}

const cleanName = (name: string) =>
  name
    .replace(/[\\/]/g, '_')
    .replace(/[^\p{L}\p{N}._ -]/gu, '')
    .slice(0, 200) || 'file';

/**
 * Stores an upload and its thumbnail. The declared type must be one of `ASSET_TYPES`, and an
 * image must decode as one (a renamed file of another kind is refused, not stored).
 */
export async function uploadAsset(
  db: Db,
  storage: AssetStorage,
  workspaceId: string,
  upload: AssetUpload,
  maxBytes = DEFAULT_MAX_ASSET_BYTES,
): Promise<AssetRow> {
  const kind = ASSET_TYPES[upload.contentType];
  if (!kind) throw new AssetTypeRefused(upload.contentType);
  if (upload.data.length > maxBytes) throw new AssetTooLarge(maxBytes);
  if (upload.data.length === 0) throw new AssetTypeRefused(upload.contentType, 'The file is empty');
  const id = randomUUID();
  const key = `${workspaceId}/${id}/original`;
  let thumbnail: { key: string; data: Buffer } | undefined;
  let size: { width: number | null; height: number | null } = { width: null, height: null };
  if (kind === 'image') {
    try {
      // sharp (a native image library) is loaded on the first image upload, not at start.
      const { default: sharp } = await import('sharp');
      const image = sharp(upload.data, { animated: false });
      const meta = await image.metadata();
      const expected = upload.contentType.split('/')[1].replace('jpg', 'jpeg');
      if (meta.format !== expected) throw new Error(`it decodes as ${meta.format}`);
      size = { width: meta.width ?? null, height: meta.height ?? null };
      thumbnail = {
        key: `${workspaceId}/${id}/thumbnail`,
        data: await image
          .rotate()
          .resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: true })
          .webp({ quality: 80 })
          .toBuffer(),
      };
    } catch (error) {
      throw new AssetTypeRefused(
        upload.contentType,
        `The file is not a valid ${upload.contentType} image (${(error as Error).message})`,
      );
    }
  }
  await storage.put(key, upload.data, upload.contentType);
  if (thumbnail) await storage.put(thumbnail.key, thumbnail.data, 'image/webp');
  const [row] = await db
    .insert(assets)
    .values({
      id,
      workspaceId,
      filename: cleanName(upload.filename),
      contentType: upload.contentType,
      size: upload.data.length,
      storageKey: key,
      thumbnailKey: thumbnail?.key ?? null,
      ...size,
      uploadedBy: upload.uploadedBy ?? null,
    })
    .returning();
  return row;
}

export async function listAssets(db: Db, workspaceId: string): Promise<AssetRow[]> {
  return db.select().from(assets).where(eq(assets.workspaceId, workspaceId)).orderBy(desc(assets.createdAt));
}

export async function getAsset(db: Db, workspaceId: string, id: string): Promise<AssetRow> {
  const [row] = await db
    .select()
    .from(assets)
    .where(and(eq(assets.workspaceId, workspaceId), eq(assets.id, id)));
  if (!row) throw new NotFound('Asset', id);
  return row;
}

/** The bytes of an asset or of its thumbnail (images only), with their type. */
export async function readAssetFile(
  db: Db,
  storage: AssetStorage,
  workspaceId: string,
  id: string,
  variant: 'original' | 'thumbnail',
): Promise<{ data: Buffer; contentType: string; filename: string }> {
  const asset = await getAsset(db, workspaceId, id);
  const key = variant === 'thumbnail' ? asset.thumbnailKey : asset.storageKey;
  if (!key) throw new NotFound('Thumbnail of asset', id);
  const data = await storage.get(key);
  if (!data) throw new NotFound('File of asset', id);
  return {
    data,
    contentType: variant === 'thumbnail' ? 'image/webp' : asset.contentType,
    filename: asset.filename,
  };
}

export async function deleteAsset(
  db: Db,
  storage: AssetStorage,
  workspaceId: string,
  id: string,
): Promise<void> {
  const asset = await getAsset(db, workspaceId, id);
  await db.delete(assets).where(and(eq(assets.workspaceId, workspaceId), eq(assets.id, id)));
  await storage.delete(asset.storageKey);
  if (asset.thumbnailKey) await storage.delete(asset.thumbnailKey);
}

/** An asset's file by id alone, for the public links templates and posts embed. */
export async function readPublicAssetFile(
  db: Db,
  storage: AssetStorage,
  id: string,
  variant: 'original' | 'thumbnail',
): Promise<{ data: Buffer; contentType: string; filename: string }> {
  const [row] = await db.select({ workspaceId: assets.workspaceId }).from(assets).where(eq(assets.id, id));
  if (!row) throw new NotFound('Asset', id);
  return readAssetFile(db, storage, row.workspaceId, id, variant);
}

import { z } from 'zod';
import { assets, contentItems, deviceTokens, socialAccounts, socialPosts } from '../../../db/schema';
import { rowSchema } from './common';

export const deviceTokenSchema = rowSchema(deviceTokens);

export const assetSchema = rowSchema(assets).extend({
  url: z.string().describe('Public URL of the file, for templates and posts'),
  thumbnailUrl: z.string().nullable().describe('Public URL of the 320-pixel WebP thumbnail (images)'),
});

export const contentItemSchema = rowSchema(contentItems).extend({
  url: z.string().describe('Public page of the item (once published); tracked links to it count as clicks'),
});

export const contentPerformanceSchema = z.object({
  itemId: z.string(),
  views: z.number().int(),
  clicks: z.number().int(),
  likes: z.number().int(),
  shares: z.number().int(),
  comments: z.number().int(),
  posts: z.number().int(),
  daily: z.array(z.object({ date: z.string(), views: z.number().int(), clicks: z.number().int() })),
});

export const socialAccountSchema = rowSchema(socialAccounts).omit({ secrets: true });

export const socialPostSchema = rowSchema(socialPosts);

export const socialPostViewSchema = socialPostSchema.extend({
  accountName: z.string(),
  provider: z.string(),
});

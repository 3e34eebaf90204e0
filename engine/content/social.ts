import { and, desc, eq, gte, inArray, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { type AnySocialPublisher, ConnectorError, findSocialPublisher } from '../../connectors';
import type { Db } from '../../db';
import { campaigns, SOCIAL_PROVIDERS, socialAccounts, socialEngagement, socialPosts } from '../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../errors';
import type { SecretBox } from '../identity/secret-box';
import { contentPath, getContentItem } from './library';

export type SocialAccountRow = typeof socialAccounts.$inferSelect;
export type SocialPostRow = typeof socialPosts.$inferSelect;
export type SocialAccountView = Omit<SocialAccountRow, 'secrets'>;

export const socialAccountInput = z.object({
  provider: z.enum(SOCIAL_PROVIDERS).describe('x, facebook or webhook'),
  name: z.string().trim().min(1).max(100).describe('How the account is shown, e.g. "@acme on X"'),
  settings: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), z.unknown()).default({}).describe('Stored encrypted; never returned'),
});

export type SocialAccountInput = z.input<typeof socialAccountInput>;

function publisherOf(provider: string): AnySocialPublisher {
  const publisher = findSocialPublisher(provider);
  if (!publisher)
    throw new InvalidInput('provider_unknown', `Unknown social provider ${provider}`, 'provider');
  return publisher;
}

function parseOrThrow(schema: z.ZodType, value: unknown, prefix: string) {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = [prefix, ...issue.path.map(String)].join('.');
    throw new InvalidInput('social_account_invalid', `${field}: ${issue.message}`, field);
  }
  return parsed.data as Record<string, unknown>;
}

const view = ({ secrets: _sealed, ...rest }: SocialAccountRow): SocialAccountView => rest;

/** Connects an account: settings and credentials validated by the network's schemas, credentials sealed. */
export async function createSocialAccount(
  db: Db,
  box: SecretBox,
  workspaceId: string,
  raw: SocialAccountInput,
): Promise<SocialAccountView> {
  const input = socialAccountInput.parse(raw);
  const publisher = publisherOf(input.provider);
  const settings = parseOrThrow(publisher.settingsSchema, input.settings, 'settings');
  const credentials = parseOrThrow(publisher.credentialsSchema, input.credentials, 'credentials');
  const [taken] = await db
    .select({ id: socialAccounts.id })
    .from(socialAccounts)
    .where(and(eq(socialAccounts.workspaceId, workspaceId), eq(socialAccounts.name, input.name)));
  if (taken) throw new Conflict('social_account_exists', `An account named ${input.name} exists`, 'name');
  const [row] = await db
    .insert(socialAccounts)
    .values({
      workspaceId,
      provider: input.provider,
      name: input.name,
      settings,
      secrets: box.encrypt(JSON.stringify(credentials)),
    })
    .returning();
  return view(row);
}

export async function listSocialAccounts(db: Db, workspaceId: string): Promise<SocialAccountView[]> {
  const rows = await db
    .select()
    .from(socialAccounts)
    .where(eq(socialAccounts.workspaceId, workspaceId))
    .orderBy(socialAccounts.name);
  return rows.map(view);
}

export async function deleteSocialAccount(db: Db, workspaceId: string, id: string): Promise<void> {
  const removed = await db
    .delete(socialAccounts)
    .where(and(eq(socialAccounts.workspaceId, workspaceId), eq(socialAccounts.id, id)))
    .returning({ id: socialAccounts.id });
  if (removed.length === 0) throw new NotFound('Social account', id);
}

export const publishInput = z.object({
  accountIds: z.array(z.uuid()).min(1).max(20).describe('The connected accounts to post to'),
  text: z
    .string()
    .trim()
    .min(1)
    .max(5000)
    .optional()
    .describe("The post's text; the item's title and link by default"),
  at: z.iso.datetime({ offset: true }).optional().describe('When to publish (ISO time); at once when absent'),
  campaignId: z.uuid().optional().describe('The campaign the posts serve; its page lists them'),
});

export type PublishInput = z.input<typeof publishInput>;

/**
 * Creates one post per account for a published item, due at `at` (or now). The caller
 * schedules them (`schedulePublication`); nothing is sent here.
 */
export async function createSocialPosts(
  db: Db,
  workspaceId: string,
  itemId: string,
  raw: PublishInput,
  publicUrl: string,
  now = new Date(),
): Promise<SocialPostRow[]> {
  const input = publishInput.parse(raw);
  const item = await getContentItem(db, workspaceId, itemId);
  if (item.status !== 'published') {
    throw new InvalidInput(
      'content_not_published',
      'Only a published item can be posted; publish it first',
      'status',
    );
  }
  const at = input.at ? new Date(input.at) : now;
  if (at.getTime() < now.getTime() - 60_000) {
    throw new InvalidInput('publish_time_past', 'The publishing time is in the past', 'at');
  }
  const accounts = await db
    .select({ id: socialAccounts.id })
    .from(socialAccounts)
    .where(and(eq(socialAccounts.workspaceId, workspaceId), inArray(socialAccounts.id, input.accountIds)));
  const missing = input.accountIds.find((id) => !accounts.some((a) => a.id === id));
  if (missing)
    throw new InvalidInput(
      'social_account_unknown',
      `Social account ${missing} does not exist`,
      'accountIds',
    );
  if (input.campaignId) await assertCampaign(db, workspaceId, input.campaignId);
  const text = input.text ?? itemPostText(item, publicUrl);
  return db
    .insert(socialPosts)
    .values(
      [...new Set(input.accountIds)].map((accountId) => ({
        workspaceId,
        itemId,
        accountId,
        campaignId: input.campaignId ?? null,
        text,
        status: 'scheduled' as const,
        scheduledAt: at,
      })),
    )
    .returning();
}

/** A post's default text: the item's title and the link to its public page. */
function itemPostText(item: { id: string; title: string }, publicUrl: string): string {
  return `${item.title} ${publicUrl.replace(/\/$/, '')}${contentPath(item.id)}`;
}

async function assertCampaign(db: Db, workspaceId: string, campaignId: string): Promise<void> {
  const [campaign] = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, campaignId)));
  if (!campaign)
    throw new InvalidInput('campaign_unknown', `Campaign ${campaignId} does not exist`, 'campaignId');
}

export interface StepPostInput {
  workspaceId: string;
  accountId: string;
  /** A published content item: its title and link are the text unless `text` is given. */
  itemId?: string;
  text?: string;
  journeyId?: string;
  campaignId?: string;
  /** The journey step's key (run, node, visit): the same key never makes a second post. */
  idempotencyKey: string;
}

/**
 * The post of one journey step: created once per idempotency key (a retried or replayed step
 * finds its row) and published at once through the account's network. A row already published,
 * failed or in flight is returned as it is, so the network is called at most once per step;
 * a retryable failure is thrown (the row stays scheduled) for Temporal to retry.
 */
export async function publishStepPost(
  db: Db,
  box: SecretBox,
  input: StepPostInput,
  publicUrl: string,
): Promise<SocialPostRow> {
  const { workspaceId } = input;
  const [existing] = await db
    .select()
    .from(socialPosts)
    .where(
      and(eq(socialPosts.workspaceId, workspaceId), eq(socialPosts.idempotencyKey, input.idempotencyKey)),
    );
  if (existing) return publishSocialPost(db, box, existing.id);
  const [account] = await db
    .select({ id: socialAccounts.id })
    .from(socialAccounts)
    .where(and(eq(socialAccounts.workspaceId, workspaceId), eq(socialAccounts.id, input.accountId)));
  if (!account)
    throw new InvalidInput(
      'social_account_unknown',
      `Social account ${input.accountId} does not exist`,
      'socialAccountId',
    );
  let text = input.text?.trim();
  if (input.itemId) {
    const item = await getContentItem(db, workspaceId, input.itemId);
    if (item.status !== 'published') {
      throw new InvalidInput(
        'content_not_published',
        `Content item “${item.title}” is ${item.status}; only a published item can be posted`,
        'contentItemId',
      );
    }
    text ||= itemPostText(item, publicUrl);
  }
  if (!text) throw new InvalidInput('social_text_missing', 'A post needs a text or a content item', 'text');
  if (input.campaignId) await assertCampaign(db, workspaceId, input.campaignId);
  await db
    .insert(socialPosts)
    .values({
      workspaceId,
      itemId: input.itemId ?? null,
      accountId: input.accountId,
      campaignId: input.campaignId ?? null,
      journeyId: input.journeyId ?? null,
      idempotencyKey: input.idempotencyKey,
      text: text.slice(0, 5000),
      status: 'scheduled',
      scheduledAt: new Date(),
    })
    .onConflictDoNothing({ target: [socialPosts.workspaceId, socialPosts.idempotencyKey] });
  const [row] = await db
    .select({ id: socialPosts.id })
    .from(socialPosts)
    .where(
      and(eq(socialPosts.workspaceId, workspaceId), eq(socialPosts.idempotencyKey, input.idempotencyKey)),
    );
  return publishSocialPost(db, box, row.id);
}

export interface SocialPostView extends SocialPostRow {
  accountName: string;
  provider: string;
}

export async function listSocialPosts(
  db: Db,
  workspaceId: string,
  itemId?: string,
): Promise<SocialPostView[]> {
  const rows = await db
    .select({ post: socialPosts, accountName: socialAccounts.name, provider: socialAccounts.provider })
    .from(socialPosts)
    .innerJoin(socialAccounts, eq(socialAccounts.id, socialPosts.accountId))
    .where(and(eq(socialPosts.workspaceId, workspaceId), itemId ? eq(socialPosts.itemId, itemId) : undefined))
    .orderBy(desc(socialPosts.createdAt));
  return rows.map((r) => ({ ...r.post, accountName: r.accountName, provider: r.provider }));
}

export async function getSocialPost(db: Db, workspaceId: string, id: string): Promise<SocialPostRow> {
  const [row] = await db
    .select()
    .from(socialPosts)
    .where(and(eq(socialPosts.workspaceId, workspaceId), eq(socialPosts.id, id)));
  if (!row) throw new NotFound('Social post', id);
  return row;
}

/** Cancels a post that has not gone out yet. */
export async function cancelSocialPost(db: Db, workspaceId: string, id: string): Promise<SocialPostRow> {
  const [row] = await db
    .update(socialPosts)
    .set({ status: 'canceled', updatedAt: new Date() })
    .where(
      and(
        eq(socialPosts.workspaceId, workspaceId),
        eq(socialPosts.id, id),
        eq(socialPosts.status, 'scheduled'),
      ),
    )
    .returning();
  if (row) return row;
  const current = await getSocialPost(db, workspaceId, id);
  throw new Conflict('social_post_not_scheduled', `The post is ${current.status}, not scheduled`, 'status');
}

async function accountContext(db: Db, box: SecretBox, accountId: string) {
  const [account] = await db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
  if (!account) throw new NotFound('Social account', accountId);
  const publisher = publisherOf(account.provider);
  return {
    publisher,
    ctx: {
      settings: publisher.settingsSchema.parse(account.settings),
      credentials: publisher.credentialsSchema.parse(JSON.parse(box.decrypt(account.secrets))),
    },
  };
}

/**
 * Publishes one due post. The row is claimed `publishing` first, so a second run (a retried
 * workflow, a duplicate schedule action) never posts twice. A retryable failure (5xx, network)
 * returns the post to `scheduled` and is thrown for Temporal to retry; any other failure is
 * final (`failed`, with the network's reason).
 */
export async function publishSocialPost(db: Db, box: SecretBox, postId: string): Promise<SocialPostRow> {
  const [claimed] = await db
    .update(socialPosts)
    .set({ status: 'publishing', updatedAt: new Date() })
    .where(and(eq(socialPosts.id, postId), eq(socialPosts.status, 'scheduled')))
    .returning();
  if (!claimed) {
    const [current] = await db.select().from(socialPosts).where(eq(socialPosts.id, postId));
    if (!current) throw new NotFound('Social post', postId);
    return current;
  }
  try {
    const { publisher, ctx } = await accountContext(db, box, claimed.accountId);
    const published = await publisher.publish({ postId: claimed.id, text: claimed.text }, ctx);
    const [row] = await db
      .update(socialPosts)
      .set({
        status: 'published',
        externalId: published.externalId,
        url: published.url,
        publishedAt: new Date(),
        error: null,
        updatedAt: new Date(),
      })
      .where(eq(socialPosts.id, postId))
      .returning();
    return row;
  } catch (error) {
    const retryable = error instanceof ConnectorError ? error.retryable : !(error instanceof InvalidInput);
    const [row] = await db
      .update(socialPosts)
      .set({
        status: retryable ? 'scheduled' : 'failed',
        error: (error as Error).message,
        updatedAt: new Date(),
      })
      .where(eq(socialPosts.id, postId))
      .returning();
    if (retryable) throw error;
    return row;
  }
}

/**
 * Fetches likes, shares and comments of the posts published in the last `days` from the
 * networks that report them; keeps each fetch as history. A network that fails is skipped this
 * round (its error kept on nothing: the next round tries again).
 */
export async function refreshSocialEngagement(
  db: Db,
  box: SecretBox,
  options: { days?: number; now?: Date; workspaceId?: string } = {},
): Promise<{ refreshed: number; failed: number }> {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - (options.days ?? 30) * 86_400_000);
  const posts = await db
    .select()
    .from(socialPosts)
    .where(
      and(
        eq(socialPosts.status, 'published'),
        isNotNull(socialPosts.externalId),
        gte(socialPosts.publishedAt, since),
        options.workspaceId ? eq(socialPosts.workspaceId, options.workspaceId) : undefined,
      ),
    );
  let refreshed = 0;
  let failed = 0;
  for (const post of posts) {
    try {
      const { publisher, ctx } = await accountContext(db, box, post.accountId);
      if (!publisher.engagement) continue;
      const counts = await publisher.engagement(post.externalId as string, ctx);
      await db.transaction(async (tx) => {
        await tx
          .update(socialPosts)
          .set({ ...counts, engagementAt: now, updatedAt: new Date() })
          .where(eq(socialPosts.id, post.id));
        await tx
          .insert(socialEngagement)
          .values({ workspaceId: post.workspaceId, postId: post.id, ...counts, fetchedAt: now });
      });
      refreshed++;
    } catch {
      failed++;
    }
  }
  return { refreshed, failed };
}

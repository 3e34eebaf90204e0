import type { z } from 'zod';

/** A post ready for a social network: its text and an optional link and image URL. */
export interface SocialPostMessage {
  /** Stable across retries; networks that accept an idempotency key get it. */
  postId: string;
  text: string;
  link?: string;
  imageUrl?: string;
}

export interface PublishedPost {
  externalId: string;
  /** Where people see the post. */
  url: string | null;
}

export interface Engagement {
  likes: number;
  shares: number;
  comments: number;
}

export interface SocialContext<Settings, Credentials> {
  settings: Settings;
  credentials: Credentials;
}

/**
 * A social network (or a webhook standing in for one). `settings` are plain (page id, API base
 * URL), `credentials` are stored sealed and never returned. Failures are `ConnectorError`s.
 */
export interface SocialPublisher<S extends z.ZodType = z.ZodType, C extends z.ZodType = z.ZodType> {
  id: 'x' | 'facebook' | 'webhook';
  title: string;
  settingsSchema: S;
  credentialsSchema: C;
  publish(post: SocialPostMessage, ctx: SocialContext<z.infer<S>, z.infer<C>>): Promise<PublishedPost>;
  /** Likes, shares and comments of a published post, where the network reports them. */
  engagement?(externalId: string, ctx: SocialContext<z.infer<S>, z.infer<C>>): Promise<Engagement>;
}

export type AnySocialPublisher = SocialPublisher<z.ZodType, z.ZodType>;

export function defineSocialPublisher<S extends z.ZodType, C extends z.ZodType>(
  publisher: SocialPublisher<S, C>,
): SocialPublisher<S, C> {
  return publisher;
}

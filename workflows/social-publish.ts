import { proxyActivities } from '@temporalio/workflow';
import type { SocialActivities } from '../engine/activities/social';

const { publishSocialPost, refreshSocialEngagement } = proxyActivities<SocialActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 8 },
});

/** Publishes one social post when it is due (started at once, or by the post's Temporal Schedule). */
export async function socialPublish(input: {
  postId: string;
}): Promise<{ status: string; url: string | null }> {
  return publishSocialPost(input);
}

/** Fetches back likes, shares and comments of recent posts (a Temporal Schedule starts it hourly). */
export async function socialEngagementRefresh(): Promise<{ refreshed: number; failed: number }> {
  return refreshSocialEngagement();
}

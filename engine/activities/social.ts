import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../../connectors';
import type { Db } from '../../db';
import { publishSocialPost, refreshSocialEngagement } from '../content/social';
import type { SecretBox } from '../identity/secret-box';

/** Activities of the social publishing workflows (`workflows/social-publish.ts`). */
export function createSocialActivities({ db, secretBox }: { db: Db; secretBox: SecretBox }) {
  return {
    async publishSocialPost(input: { postId: string }): Promise<{ status: string; url: string | null }> {
      try {
        const post = await publishSocialPost(db, secretBox, input.postId);
        return { status: post.status, url: post.url };
      } catch (error) {
        // Retryable network trouble goes back to Temporal's retry policy; anything else is final.
        if (error instanceof ConnectorError && error.retryable) throw error;
        throw ApplicationFailure.nonRetryable((error as Error).message);
      }
    },
    async refreshSocialEngagement(): Promise<{ refreshed: number; failed: number }> {
      return refreshSocialEngagement(db, secretBox);
    },
  };
}

export type SocialActivities = ReturnType<typeof createSocialActivities>;

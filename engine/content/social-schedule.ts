import { type Client, MONTHS, ScheduleAlreadyRunning, ScheduleNotFoundError } from '@temporalio/client';
import type { Db } from '../../db';
import { cancelSocialPost, createSocialPosts, type PublishInput, type SocialPostRow } from './social';

export const socialPostScheduleId = (postId: string) => `wayline:social-post:${postId}`;
export const SOCIAL_ENGAGEMENT_SCHEDULE_ID = 'wayline:social-engagement';
const workflowId = (postId: string) => `wl-social:${postId}`;

/**
 * Hands a post to Temporal: due now, the `socialPublish` workflow starts at once; due later, a
 * Temporal Schedule with one calendar entry at that UTC second starts it then (one action).
 */
export async function schedulePublication(
  client: Client,
  taskQueue: string,
  post: Pick<SocialPostRow, 'id' | 'scheduledAt'>,
  now = new Date(),
): Promise<'started' | 'scheduled'> {
  // Calendars count whole seconds: round up, so a post never goes out before its time.
  const at = new Date(Math.ceil((post.scheduledAt ?? now).getTime() / 1000) * 1000);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'socialPublish',
    workflowId: workflowId(post.id),
    taskQueue,
    args: [{ postId: post.id }],
  };
  if (at.getTime() <= now.getTime() + 1000) {
    await client.workflow.start('socialPublish', {
      workflowId: action.workflowId,
      taskQueue,
      args: action.args,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return 'started';
  }
  try {
    await client.schedule.create({
      scheduleId: socialPostScheduleId(post.id),
      spec: {
        calendars: [
          {
            year: at.getUTCFullYear(),
            month: MONTHS[at.getUTCMonth()],
            dayOfMonth: at.getUTCDate(),
            hour: at.getUTCHours(),
            minute: at.getUTCMinutes(),
            second: at.getUTCSeconds(),
          },
        ],
      },
      action,
      state: { remainingActions: 1 },
      policies: { catchupWindow: '1 day', overlap: 'SKIP' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  return 'scheduled';
}

/** Removes a canceled post's schedule (nothing to do when it already ran or never existed). */
export async function unschedulePublication(client: Client, postId: string): Promise<void> {
  try {
    await client.schedule.getHandle(socialPostScheduleId(postId)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** The periodic engagement fetch (likes, shares, comments of recent posts). */
export async function ensureSocialEngagementSchedule(
  client: Client,
  taskQueue: string,
  every = '1h',
): Promise<void> {
  const options = {
    scheduleId: SOCIAL_ENGAGEMENT_SCHEDULE_ID,
    spec: { intervals: [{ every }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'socialEngagementRefresh',
      workflowId: 'wayline-social-engagement',
      taskQueue,
      args: [],
    },
    policies: { overlap: 'SKIP' as const, catchupWindow: '1h' },
  };
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
    }));
  }
}

/** Posts a published item to the chosen accounts, now or at `at`: the rows, then Temporal. */
export async function publishContentItem(
  db: Db,
  temporal: { client: Client; taskQueue: string },
  workspaceId: string,
  itemId: string,
  input: PublishInput,
  publicUrl: string,
): Promise<SocialPostRow[]> {
  const posts = await createSocialPosts(db, workspaceId, itemId, input, publicUrl);
  for (const post of posts) await schedulePublication(temporal.client, temporal.taskQueue, post);
  return posts;
}

/** Cancels a scheduled post and removes its schedule. */
export async function cancelPublication(
  db: Db,
  client: Client,
  workspaceId: string,
  postId: string,
): Promise<SocialPostRow> {
  const post = await cancelSocialPost(db, workspaceId, postId);
  await unschedulePublication(client, postId);
  return post;
}

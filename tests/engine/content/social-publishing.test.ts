import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../../connectors/webhook';
import type { Database } from '../../../db';
import { socialAccounts, socialEngagement } from '../../../db/schema';
import { buildApp } from '../../../engine/api/app';
import { refreshSocialEngagement } from '../../../engine/content/social';
import {
  ensureSocialEngagementSchedule,
  SOCIAL_ENGAGEMENT_SCHEDULE_ID,
  socialPostScheduleId,
} from '../../../engine/content/social-schedule';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { json, startHttpPeer } from '../../connectors/peers';
import { startXPeer, xCredentials } from '../../connectors/social-peers';
import { appDeps } from '../../helpers/app';
import { testChannelDeps, testSecretBox } from '../../helpers/channels';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';

const secret = `whsec_${Buffer.from('social-webhook-secret').toString('base64')}`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.each(databaseKinds())(
  'social publishing (%s, Temporal dev server and worker, local X and webhook peers)',
  (kind) => {
    let database: Database;
    let temporal: TemporalHarness;
    let app: FastifyInstance;
    let stopWorker: () => Promise<void>;
    let x: Awaited<ReturnType<typeof startXPeer>>;
    let hook: Awaited<ReturnType<typeof startHttpPeer>>;

    beforeAll(async () => {
      database = await openTestDb(kind);
      temporal = await devServerTemporal();
      x = await startXPeer();
      hook = await startHttpPeer((request, response) => {
        const id = String(request.headers['webhook-id']);
        const timestamp = Number(request.headers['webhook-timestamp']);
        if (request.headers['webhook-signature'] !== signStandardWebhook(secret, id, timestamp, request.body))
          return json(response, 401, { error: 'bad signature' });
        json(response, 200, {
          id: `wh-${JSON.parse(request.body).postId.slice(0, 8)}`,
          url: 'https://social.example/p/1',
        });
      });
      ({ stop: stopWorker } = await startWorker(temporal, database.db));
      app = await buildApp(
        appDeps(database, temporal, { channels: testChannelDeps(database.db, 'http://wayline.test') }),
      );
    });
    afterAll(async () => {
      await app?.close();
      await stopWorker?.();
      await temporal?.close();
      await database?.close();
      await x?.close();
      await hook?.close();
    });

    async function setup(name: string) {
      const ws = await createWorkspace(database.db, name);
      const headers = { authorization: `Bearer ${ws.secretKey}` };
      const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
        app.inject({ method, url, headers, payload: payload as never });
      const xAccount = (
        await call('POST', '/v1/social/accounts', {
          provider: 'x',
          name: '@acme on X',
          settings: { username: '@acme', apiUrl: x.url },
          credentials: xCredentials,
        })
      ).json();
      const hookAccount = (
        await call('POST', '/v1/social/accounts', {
          provider: 'webhook',
          name: 'Community site',
          settings: { url: `${hook.url}/posts` },
          credentials: { signingSecret: secret },
        })
      ).json();
      const item = (
        await call('POST', '/v1/content', { kind: 'article', title: 'Spring guide', status: 'published' })
      ).json();
      const posts = async () => (await call('GET', `/v1/social/posts?itemId=${item.id}`)).json().data;
      return { ws, call, xAccount, hookAccount, item, posts };
    }

    it('connects accounts with sealed credentials and refuses bad ones by field', async () => {
      const { ws, call, xAccount } = await setup('Accounts');
      expect(xAccount).toMatchObject({ provider: 'x', name: '@acme on X', settings: { username: 'acme' } });
      const listed = await call('GET', '/v1/social/accounts');
      expect(listed.body).not.toContain(xCredentials.consumerSecret);
      expect(listed.json().providers.map((p: { id: string }) => p.id)).toEqual(['x', 'facebook', 'webhook']);
      const [row] = await database.db.select().from(socialAccounts).where(eq(socialAccounts.id, xAccount.id));
      expect(row.secrets).not.toContain(xCredentials.accessToken);
      expect(JSON.parse(testSecretBox.decrypt(row.secrets))).toEqual(xCredentials);

      const bad = await call('POST', '/v1/social/accounts', {
        provider: 'facebook',
        name: 'Page',
        settings: { pageId: 'acme-page' },
        credentials: {},
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toBe('settings.pageId');
      const twice = await call('POST', '/v1/social/accounts', {
        provider: 'webhook',
        name: 'Community site',
        settings: { url: 'https://x.test' },
        credentials: { signingSecret: secret },
      });
      expect(twice.statusCode).toBe(409);
      expect(ws.id).toBeTruthy();
    });

    it('publishes at once, and on a Temporal Schedule at a near time, with status and link', async () => {
      const { call, xAccount, hookAccount, item, posts } = await setup('Publish');
      const now = await call('POST', `/v1/content/${item.id}/publish`, {
        accountIds: [xAccount.id],
        text: 'Read our spring guide',
      });
      expect(now.statusCode).toBe(201);
      const done = await until(posts, (p) => p[0]?.status === 'published');
      expect(done[0]).toMatchObject({ status: 'published', accountName: '@acme on X', provider: 'x' });
      expect(done[0].url).toBe(`https://x.com/acme/status/${done[0].externalId}`);
      expect(x.posts.get(done[0].externalId)).toBe('Read our spring guide');

      const at = new Date(Date.now() + 4000).toISOString();
      const later = await call('POST', `/v1/content/${item.id}/publish`, {
        accountIds: [xAccount.id, hookAccount.id],
        at,
      });
      expect(later.statusCode).toBe(201);
      const scheduled = later.json().data;
      expect(scheduled.map((p: { status: string }) => p.status)).toEqual(['scheduled', 'scheduled']);
      const description = await temporal.client.schedule
        .getHandle(socialPostScheduleId(scheduled[0].id))
        .describe();
      expect(description.action).toMatchObject({ workflowType: 'socialPublish' });
      expect(description.state.remainingActions).toBe(1);
      // Not before its time.
      expect((await posts()).filter((p: { status: string }) => p.status === 'published')).toHaveLength(1);

      const all = await until(
        posts,
        (p) => p.every((post: { status: string }) => post.status === 'published'),
        40_000,
      );
      const viaHook = all.find((p: { provider: string }) => p.provider === 'webhook');
      expect(viaHook).toMatchObject({ status: 'published', url: 'https://social.example/p/1' });
      expect(new Date(viaHook.publishedAt).getTime()).toBeGreaterThanOrEqual(new Date(at).getTime());
      // The default text is the title and the item's public page.
      expect(JSON.parse(hook.requests.at(-1)!.body).text).toBe(
        `Spring guide http://wayline.test/p/content/${item.id}`,
      );
    });

    it('refuses a draft item, a past time or an unknown account, and cancels a scheduled post', async () => {
      const { call, xAccount, item } = await setup('Refusals');
      const draft = (await call('POST', '/v1/content', { kind: 'article', title: 'Not yet' })).json();
      const refusals: [string, unknown, string][] = [
        [draft.id, { accountIds: [xAccount.id] }, 'status'],
        [item.id, { accountIds: [xAccount.id], at: '2020-01-01T00:00:00Z' }, 'at'],
        [item.id, { accountIds: ['00000000-0000-4000-8000-000000000000'] }, 'accountIds'],
        [item.id, { accountIds: [] }, 'body.accountIds'],
      ];
      for (const [id, body, field] of refusals) {
        const res = await call('POST', `/v1/content/${id}/publish`, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().error.field).toBe(field);
      }
      const at = new Date(Date.now() + 3_600_000).toISOString();
      const [post] = (
        await call('POST', `/v1/content/${item.id}/publish`, { accountIds: [xAccount.id], at })
      ).json().data;
      const canceled = await call('POST', `/v1/social/posts/${post.id}/cancel`);
      expect(canceled.json()).toMatchObject({ status: 'canceled' });
      await expect(
        temporal.client.schedule.getHandle(socialPostScheduleId(post.id)).describe(),
      ).rejects.toThrow();
      expect((await call('POST', `/v1/social/posts/${post.id}/cancel`)).statusCode).toBe(409);
    });

    it('fetches engagement back and shows it in the item’s performance', async () => {
      const { ws, call, xAccount, hookAccount, item, posts } = await setup('Engagement');
      await call('POST', `/v1/content/${item.id}/publish`, { accountIds: [xAccount.id, hookAccount.id] });
      await until(
        posts,
        (p) => p.length === 2 && p.every((post: { status: string }) => post.status === 'published'),
      );
      // X reports like 17, reposts 4 + quotes 1, replies 3; the webhook target reports nothing.
      expect(await refreshSocialEngagement(database.db, testSecretBox, { workspaceId: ws.id })).toEqual({
        refreshed: 1,
        failed: 0,
      });
      const perf = (await call('GET', `/v1/content/${item.id}/performance`)).json();
      expect(perf).toMatchObject({ likes: 17, shares: 5, comments: 3, posts: 2 });
      const history = await database.db
        .select()
        .from(socialEngagement)
        .where(eq(socialEngagement.workspaceId, ws.id));
      expect(history.map((h) => [h.likes, h.shares, h.comments])).toEqual([[17, 5, 3]]);
    });

    it('fetches engagement on its Temporal Schedule (triggered here rather than waiting an hour)', async () => {
      const { call, xAccount, item, posts } = await setup('Engagement schedule');
      await call('POST', `/v1/content/${item.id}/publish`, { accountIds: [xAccount.id] });
      await until(posts, (p) => p[0]?.status === 'published');
      await ensureSocialEngagementSchedule(temporal.client, temporal.taskQueue);
      // Idempotent: a second worker start updates the same schedule.
      await ensureSocialEngagementSchedule(temporal.client, temporal.taskQueue);
      const handle = temporal.client.schedule.getHandle(SOCIAL_ENGAGEMENT_SCHEDULE_ID);
      try {
        const description = await handle.describe();
        expect(description.spec.intervals?.[0]?.every).toBe(3_600_000);
        expect(description.action).toMatchObject({ workflowType: 'socialEngagementRefresh' });
        await handle.trigger();
        const counted = await until(posts, (p) => p[0]?.engagementAt !== null, 30_000);
        expect(counted[0]).toMatchObject({ likes: 17, shares: 5, comments: 3 });
      } finally {
        await handle.delete();
      }
    });
  },
);

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socialPosts } from '../../../db/schema';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { campaignSocialPosts, createCampaign, linkJourney } from '../../../engine/campaigns/campaigns';
import { createContentItem } from '../../../engine/content/library';
import { createSocialAccount, publishStepPost } from '../../../engine/content/social';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { startXPeer, xCredentials } from '../../connectors/social-peers';
import { testSecretBox } from '../../helpers/channels';
import { line, pathOf, publishGraph, runToEnd } from '../../helpers/fixtures';
import { journeyStack } from '../../helpers/stack';

describe('social.publish journey node (Temporal dev server and worker, PGlite, local X API peer with OAuth 1.0a)', () => {
  const stack = journeyStack('dev-server');
  let x: Awaited<ReturnType<typeof startXPeer>>;

  beforeAll(async () => {
    x = await startXPeer();
  });
  afterAll(async () => {
    await x?.close();
  });

  async function setup(name: string) {
    const ws = await createWorkspace(stack.db, name);
    const account = await createSocialAccount(stack.db, testSecretBox, ws.id, {
      provider: 'x',
      name: '@acme on X',
      settings: { username: '@acme', apiUrl: x.url },
      credentials: xCredentials,
    });
    const contact = await createContact(stack.db, ws.id, { userId: `buyer-${name}`, email: 'b@example.com' });
    return { ws, account, contact };
  }

  const launch = (id: string) => ({
    id,
    name: 'Product Launched',
    properties: { product: 'Trail shoe' },
    timestamp: new Date().toISOString(),
  });

  it('posts a Liquid text for a run, once, and the campaign of the journey lists the post', async () => {
    const { ws, account, contact } = await setup('Social node');
    const campaign = await createCampaign(stack.db, ws.id, {
      name: 'Spring launch',
      objective: { event: 'Order Completed' },
      channels: ['social'],
    });
    const { journey } = await publishGraph(
      stack.db,
      ws.id,
      line('Launch announcement', [
        { id: 'start', type: 'trigger.manual', config: {} },
        {
          id: 'post',
          type: 'social.publish',
          config: { socialAccountId: account.id, text: 'New: {{ event.product }} is here' },
        },
      ]),
    );
    await linkJourney(stack.db, ws.id, campaign.id, journey.id);
    const before = x.posts.size;
    const { workflowId, result } = await runToEnd(stack.db, stack.temporal, {
      workspaceId: ws.id,
      journeyId: journey.id,
      contactId: contact.id,
      trigger: launch('launch-1'),
    });
    expect(result.status).toBe('completed');
    expect(await pathOf(stack.db, workflowId)).toEqual(['start:next', 'post:next']);
    expect(x.posts.size).toBe(before + 1);
    const [post] = await stack.db.select().from(socialPosts).where(eq(socialPosts.workspaceId, ws.id));
    expect(post).toMatchObject({
      status: 'published',
      text: 'New: Trail shoe is here',
      journeyId: journey.id,
      itemId: null,
      idempotencyKey: `${workflowId}:post:1`,
    });
    expect(x.posts.get(post.externalId as string)).toBe('New: Trail shoe is here');
    expect(post.url).toBe(`https://x.com/acme/status/${post.externalId}`);

    // The same step again (a retried activity) finds its post: X is not called a second time.
    const again = await publishStepPost(
      stack.db,
      testSecretBox,
      {
        workspaceId: ws.id,
        accountId: account.id,
        text: 'other',
        idempotencyKey: post.idempotencyKey as string,
      },
      'http://wayline.test',
    );
    expect(again.id).toBe(post.id);
    expect(x.posts.size).toBe(before + 1);

    const listed = await campaignSocialPosts(stack.db, ws.id, campaign.id);
    expect(listed.map((p) => [p.id, p.accountName, p.status])).toEqual([
      [post.id, '@acme on X', 'published'],
    ]);
  });

  it("posts a content item's title and page, and takes the error port with X's reason when refused", async () => {
    const { ws, account, contact } = await setup('Social node item');
    const item = await createContentItem(
      stack.db,
      ws.id,
      { kind: 'article', title: 'Trail guide', status: 'published' },
      null,
    );
    const { journey } = await publishGraph(stack.db, ws.id, {
      name: 'Item and refusal',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        {
          id: 'item',
          type: 'social.publish',
          config: { socialAccountId: account.id, contentItemId: item.id },
        },
        {
          id: 'dup',
          type: 'social.publish',
          config: { socialAccountId: account.id, text: 'a duplicate post' },
        },
        { id: 'failed', type: 'exit', config: {} },
        { id: 'done', type: 'exit', config: {} },
      ],
      edges: [
        { id: 'a', source: 'start', sourceHandle: 'next', target: 'item' },
        { id: 'b', source: 'item', sourceHandle: 'next', target: 'dup' },
        { id: 'c', source: 'dup', sourceHandle: 'error', target: 'failed' },
        { id: 'd', source: 'dup', sourceHandle: 'next', target: 'done' },
      ],
    });
    const { workflowId } = await runToEnd(stack.db, stack.temporal, {
      workspaceId: ws.id,
      journeyId: journey.id,
      contactId: contact.id,
      trigger: launch('launch-2'),
    });
    expect(await pathOf(stack.db, workflowId)).toEqual(['start:next', 'item:next', 'dup:error', 'failed']);
    const rows = await stack.db.select().from(socialPosts).where(eq(socialPosts.workspaceId, ws.id));
    const byNode = Object.fromEntries(rows.map((r) => [String(r.idempotencyKey).split(':').at(-2), r]));
    // The worker's channel deps point public links at http://127.0.0.1:1 (tests/helpers/channels.ts).
    expect(byNode.item).toMatchObject({
      status: 'published',
      itemId: item.id,
      text: `Trail guide http://127.0.0.1:1/p/content/${item.id}`,
    });
    expect(byNode.dup).toMatchObject({ status: 'failed' });
    expect(byNode.dup.error).toContain('duplicate content');
  });

  it('refuses a node without a text or an item when the journey is published', async () => {
    const { ws, account } = await setup('Social node invalid');
    await expect(
      publishGraph(
        stack.db,
        ws.id,
        line('No text', [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'post', type: 'social.publish', config: { socialAccountId: account.id } },
        ]),
      ),
    ).rejects.toMatchObject({ code: expect.stringMatching(/invalid/) });
  });
});

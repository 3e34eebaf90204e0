import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { saveChannelSettings } from '../../../../engine/messaging/channels/channel-settings';
import { json, type ReceivedRequest, startHttpPeer } from '../../../connectors/peers';
import { type ChannelStack, channelStack } from '../../../helpers/channel-stack';
import { line, pathOf, publishGraph, runToEnd } from '../../../helpers/fixtures';

const secret = `whsec_${Buffer.from('journey-signing-key-of-32-bytes!').toString('base64')}`;

describe('webhook.call, slack.post and wechat.send in a journey (real Temporal test server, PGlite, node:http peers)', () => {
  const stack = channelStack('time-skipping', { api: false });
  // The tests below use the stack's parts by name.
  let { database, temporal, channels, registry } = {} as ChannelStack;
  let receiver: Awaited<ReturnType<typeof startHttpPeer>>;
  let slackPeer: Awaited<ReturnType<typeof startHttpPeer>>;
  let wechatPeer: Awaited<ReturnType<typeof startHttpPeer>>;
  /** 500s the webhook receiver still answers before it recovers. */
  let failuresLeft = 0;
  /** What the receiver accepted, keyed by webhook-id as a deduplicating receiver keeps it. */
  const accepted = new Map<string, unknown>();
  const answered: { id: string; status: number }[] = [];

  beforeAll(async () => {
    ({ database, temporal, channels, registry } = stack);
    receiver = await startHttpPeer((request, response) => {
      const id = String(request.headers['webhook-id']);
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        answered.push({ id, status: 500 });
        return json(response, 500, { error: 'down for a moment' });
      }
      try {
        const payload = new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
        if (!accepted.has(id)) accepted.set(id, payload);
        answered.push({ id, status: 200 });
        json(response, 200, { ok: true });
      } catch {
        answered.push({ id, status: 401 });
        json(response, 401, { error: 'bad signature' });
      }
    });
    slackPeer = await startHttpPeer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    wechatPeer = await startHttpPeer((request, response) => {
      const url = new URL(request.path, 'http://x');
      if (url.pathname === '/cgi-bin/token') {
        if (url.searchParams.get('appid') !== 'wx1' || url.searchParams.get('secret') !== 's3cret')
          return json(response, 200, { errcode: 40013, errmsg: 'invalid appid' });
        return json(response, 200, { access_token: 'token-1', expires_in: 7200 });
      }
      if (
        url.pathname === '/cgi-bin/message/template/send' &&
        url.searchParams.get('access_token') === 'token-1'
      )
        return json(response, 200, { errcode: 0, errmsg: 'ok', msgid: 700001 });
      json(response, 200, { errcode: 40001, errmsg: 'invalid credential' });
    });
  });
  afterAll(async () => {
    await Promise.all([receiver?.close(), slackPeer?.close(), wechatPeer?.close()]);
  });

  async function workspaceWithProviders(attempts: number) {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Integrations');
    await saveChannelSettings(db, channels.box, workspace.id, 'webhook', {
      provider: 'webhook',
      config: { signingSecret: secret, attempts, backoffMs: 0 },
    });
    await saveChannelSettings(db, channels.box, workspace.id, 'slack', {
      provider: 'slack',
      config: { webhookUrl: `${slackPeer.url}/services/T0/B0/xyz` },
    });
    await saveChannelSettings(db, channels.box, workspace.id, 'wechat', {
      provider: 'wechat',
      config: { appId: 'wx1', appSecret: 's3cret', baseUrl: wechatPeer.url },
    });
    const contact = await createContact(db, workspace.id, {
      userId: `lin-${Math.random()}`,
      email: 'lin@example.com',
      attributes: { first_name: 'Lin', plan: 'pro', wechatOpenId: 'oLin123' },
    });
    return { workspace, contact };
  }

  const webhookNode = {
    id: 'hook',
    type: 'webhook.call',
    config: {
      url: '', // set per test: the receiver's address
      body: '{"email": {{ contact.email | json }}, "plan": {{ contact.plan | json }}}',
    },
  };

  async function messagesOf(workflowId: string) {
    const rows = await database.db.select().from(messages).where(eq(messages.workflowId, workflowId));
    return Object.fromEntries(rows.map((r) => [r.nodeId, r]));
  }

  const lastTo = (peer: { requests: ReceivedRequest[] }) => peer.requests.at(-1)!;

  it('sends the rendered payloads to each peer and records them with provider ids', async () => {
    const { workspace, contact } = await workspaceWithProviders(3);
    const { journey } = await publishGraph(
      database.db,
      workspace.id,
      line('Integrations', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { ...webhookNode, config: { ...webhookNode.config, url: `${receiver.url}/hooks/wayline` } },
        {
          id: 'slack',
          type: 'slack.post',
          config: { text: 'New {{ contact.plan }} signup: {{ contact.first_name }}' },
        },
        {
          id: 'wechat',
          type: 'wechat.send',
          config: {
            templateId: 'TPL-WELCOME',
            url: 'https://acme.test/welcome',
            data: { first: 'Hi {{ contact.first_name }}', keyword1: '{{ contact.plan | upcase }}' },
          },
        },
      ]),
      registry,
    );
    const { workflowId, result } = await runToEnd(database.db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });

    expect(result.status).toBe('completed');
    expect(await pathOf(database.db, workflowId)).toEqual([
      'start:next',
      'hook:next',
      'slack:next',
      'wechat:next',
    ]);

    const hookRequest = lastTo(receiver);
    expect(hookRequest.path).toBe('/hooks/wayline');
    const webhookId = String(hookRequest.headers['webhook-id']);
    expect(accepted.get(webhookId)).toEqual({ email: 'lin@example.com', plan: 'pro' });

    const slackRequest = lastTo(slackPeer);
    expect(slackRequest.path).toBe('/services/T0/B0/xyz');
    expect(JSON.parse(slackRequest.body)).toEqual({ text: 'New pro signup: Lin' });

    const wechatRequest = lastTo(wechatPeer);
    expect(wechatRequest.path).toBe('/cgi-bin/message/template/send?access_token=token-1');
    expect(JSON.parse(wechatRequest.body)).toEqual({
      touser: 'oLin123',
      template_id: 'TPL-WELCOME',
      url: 'https://acme.test/welcome',
      data: { first: { value: 'Hi Lin' }, keyword1: { value: 'PRO' } },
    });

    const rows = await messagesOf(workflowId);
    // A 2xx from a webhook or Slack is the receiver's own acknowledgement: delivered.
    expect(rows.hook).toMatchObject({
      status: 'delivered',
      provider: 'webhook',
      providerId: `${webhookId}:200`,
      recipient: `${receiver.url}/hooks/wayline`,
    });
    expect(rows.slack).toMatchObject({ status: 'delivered', provider: 'slack' });
    expect(rows.slack.providerId).toMatch(/^slack:[0-9a-f]{24}$/);
    expect(rows.wechat).toMatchObject({
      status: 'sent',
      provider: 'wechat',
      providerId: '700001',
      recipient: 'oLin123',
    });
  });

  it('retries a webhook answered 500 twice across activity attempts, always under the same webhook-id, delivering once', async () => {
    // One request per activity attempt: the retries are Temporal's, each a new activity try.
    const { workspace, contact } = await workspaceWithProviders(1);
    const { journey } = await publishGraph(
      database.db,
      workspace.id,
      line('Flaky receiver', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { ...webhookNode, config: { ...webhookNode.config, url: `${receiver.url}/hooks/flaky` } },
      ]),
      registry,
    );
    const before = receiver.requests.length;
    const answeredBefore = answered.length;
    failuresLeft = 2;
    const { workflowId, result } = await runToEnd(database.db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });

    expect(result.status).toBe('completed');
    expect(await pathOf(database.db, workflowId)).toEqual(['start:next', 'hook:next']);
    const requests = receiver.requests.slice(before);
    expect(requests).toHaveLength(3);
    const ids = new Set(requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const [webhookId] = [...ids] as string[];
    expect(answered.slice(answeredBefore)).toEqual([
      { id: webhookId, status: 500 },
      { id: webhookId, status: 500 },
      { id: webhookId, status: 200 },
    ]);
    expect(accepted.get(webhookId)).toEqual({ email: 'lin@example.com', plan: 'pro' });
    const rows = await messagesOf(workflowId);
    expect(Object.keys(rows)).toEqual(['hook']);
    expect(rows.hook).toMatchObject({ status: 'delivered', providerId: `${webhookId}:200`, reason: null });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slack } from '../../connectors/slack';
import { startHttpPeer } from './peers';

describe('Slack incoming-webhook connector (node:http server on 127.0.0.1)', () => {
  let peer: Awaited<ReturnType<typeof startHttpPeer>>;

  beforeAll(async () => {
    peer = await startHttpPeer((request, response) => {
      const body = JSON.parse(request.body);
      if (!body.text) {
        response.writeHead(400).end('no_text');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  afterAll(() => peer?.close());

  it('posts the text as JSON to the webhook URL', async () => {
    const config = slack.configSchema.parse({ webhookUrl: `${peer.url}/services/T000/B000/XXX` });
    const result = await slack.send(
      {
        messageId: 'm',
        idempotencyKey: 'wf:node:1',
        channel: 'slack',
        recipient: 'slack-webhook',
        text: 'New signup: Ada',
      },
      { config, cache: new Map() },
    );
    expect(result.status).toBe('delivered');
    expect(peer.requests.at(-1)).toMatchObject({ method: 'POST', path: '/services/T000/B000/XXX' });
    expect(JSON.parse(peer.requests.at(-1)!.body)).toEqual({ text: 'New signup: Ada' });
  });

  it('fails fatally when Slack refuses the payload', async () => {
    const config = slack.configSchema.parse({ webhookUrl: `${peer.url}/services/x` });
    await expect(
      slack.send(
        { messageId: 'm', idempotencyKey: 'k', channel: 'slack', recipient: 'slack-webhook', text: '' },
        { config, cache: new Map() },
      ),
    ).rejects.toMatchObject({ retryable: false, status: 400 });
  });
});

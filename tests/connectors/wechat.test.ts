import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechat } from '../../connectors/wechat';
import { json, startHttpPeer } from './peers';

describe('WeChat template-message connector (node:http server speaking the Official Account API)', () => {
  let peer: Awaited<ReturnType<typeof startHttpPeer>>;
  let issued = 0;
  let valid = '';

  beforeAll(async () => {
    peer = await startHttpPeer((request, response) => {
      const url = new URL(request.path, 'http://x');
      if (url.pathname === '/cgi-bin/token') {
        if (url.searchParams.get('appid') !== 'wx1' || url.searchParams.get('secret') !== 's3cret') {
          return json(response, 200, { errcode: 40013, errmsg: 'invalid appid' });
        }
        issued += 1;
        valid = `token-${issued}`;
        return json(response, 200, { access_token: valid, expires_in: 7200 });
      }
      if (url.pathname === '/cgi-bin/message/template/send') {
        if (url.searchParams.get('access_token') !== valid)
          return json(response, 200, { errcode: 42001, errmsg: 'access_token expired' });
        const body = JSON.parse(request.body);
        if (body.touser === 'not-a-follower')
          return json(response, 200, { errcode: 43004, errmsg: 'require subscribe' });
        return json(response, 200, { errcode: 0, errmsg: 'ok', msgid: 200000 + issued });
      }
      json(response, 404, {});
    });
  });
  afterAll(() => peer?.close());

  const message = (to: string) => ({
    messageId: 'm',
    idempotencyKey: 'k',
    channel: 'wechat' as const,
    recipient: to,
    data: { templateId: 'TPL1', url: 'https://acme.test/o/1', fields: { first: 'Hi Ada', amount: '¥42' } },
  });

  it('fetches an access token once, sends the template message, and refreshes an expired token', async () => {
    const cache = new Map<string, unknown>();
    const config = wechat.configSchema.parse({ appId: 'wx1', appSecret: 's3cret', baseUrl: peer.url });

    expect(await wechat.send(message('openid-ada'), { config, cache })).toEqual({
      providerId: '200001',
      status: 'sent',
    });
    const sent = JSON.parse(peer.requests.at(-1)!.body);
    expect(sent).toEqual({
      touser: 'openid-ada',
      template_id: 'TPL1',
      url: 'https://acme.test/o/1',
      data: { first: { value: 'Hi Ada' }, amount: { value: '¥42' } },
    });
    await wechat.send(message('openid-ada'), { config, cache });
    expect(issued).toBe(1);

    valid = 'rotated-elsewhere';
    expect(await wechat.send(message('openid-ada'), { config, cache })).toEqual({
      providerId: '200002',
      status: 'sent',
    });
    expect(issued).toBe(2);
  });

  it('fails fatally for a recipient who does not follow the account', async () => {
    const config = wechat.configSchema.parse({ appId: 'wx1', appSecret: 's3cret', baseUrl: peer.url });
    await expect(wechat.send(message('not-a-follower'), { config, cache: new Map() })).rejects.toMatchObject({
      retryable: false,
    });
  });
});

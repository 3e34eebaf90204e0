import { z } from 'zod';
import { ConnectorError, defineConnector } from './connector';
import { parseJson, request } from './http';

const config = z.object({
  appId: z.string().min(1),
  appSecret: z.string().min(1),
  baseUrl: z.url().default('https://api.weixin.qq.com').describe('WeChat API base URL'),
});

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Error codes meaning the access token is invalid or expired: fetch a new one and try again. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
/** "System busy": worth retrying later. */
const TRANSIENT_ERRORS = new Set([-1, 45009]);

async function accessToken(
  baseUrl: string,
  appId: string,
  appSecret: string,
  cache: Map<string, unknown>,
  force: boolean,
) {
  const key = `wechat-token:${baseUrl}:${appId}`;
  const cached = cache.get(key) as CachedToken | undefined;
  if (!force && cached && cached.expiresAt > Date.now()) return cached.token;
  const query = new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret });
  const { text } = await request('WeChat', `${baseUrl}/cgi-bin/token?${query}`, { method: 'GET' });
  const body = parseJson('WeChat', text);
  if (typeof body.access_token !== 'string') {
    throw new ConnectorError(
      `WeChat refused the access token request: ${body.errcode} ${body.errmsg}`,
      TRANSIENT_ERRORS.has(Number(body.errcode)),
    );
  }
  // Refresh five minutes early so a token never expires between the check and the call.
  const ttl = Math.max(60, Number(body.expires_in ?? 7200) - 300) * 1000;
  cache.set(key, { token: body.access_token, expiresAt: Date.now() + ttl } satisfies CachedToken);
  return body.access_token;
}

/** WeChat Official Account template messages, with the access token cached and refreshed. */
export const wechat = defineConnector({
  id: 'wechat',
  channel: 'wechat',
  title: 'WeChat Official Account',
  configSchema: config,
  secretFields: ['appSecret'],
  async send(message, ctx) {
    const { appId, appSecret } = ctx.config;
    const baseUrl = ctx.config.baseUrl.replace(/\/$/, '');
    const fields = (message.data?.fields as Record<string, string> | undefined) ?? {};
    const payload = JSON.stringify({
      touser: message.recipient,
      template_id: message.data?.templateId,
      url: message.data?.url,
      data: Object.fromEntries(Object.entries(fields).map(([k, value]) => [k, { value }])),
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await accessToken(baseUrl, appId, appSecret, ctx.cache, attempt > 0);
      const { text } = await request(
        'WeChat',
        `${baseUrl}/cgi-bin/message/template/send?access_token=${encodeURIComponent(token)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payload,
        },
      );
      const body = parseJson('WeChat', text);
      const code = Number(body.errcode ?? 0);
      if (code === 0) return { providerId: String(body.msgid), status: 'sent' };
      if (TOKEN_ERRORS.has(code) && attempt === 0) continue;
      throw new ConnectorError(
        `WeChat refused the message: ${code} ${body.errmsg}`,
        TRANSIENT_ERRORS.has(code),
      );
    }
    throw new ConnectorError('WeChat kept rejecting fresh access tokens', true);
  },
});

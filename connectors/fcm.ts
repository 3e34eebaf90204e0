import { z } from 'zod';
import { type ConnectorContext, ConnectorError, defineConnector, type OutboundMessage } from './connector';
import { signJwt } from './jwt';
import { type PushDevice, type PushOutcome, pushDevices, settlePush } from './push-devices';

const serviceAccountSchema = z.object({
  project_id: z.string().min(1),
  client_email: z.string().min(1),
  private_key: z.string().includes('PRIVATE KEY'),
  private_key_id: z.string().optional(),
  token_uri: z.url().default('https://oauth2.googleapis.com/token'),
});

type ServiceAccount = z.infer<typeof serviceAccountSchema>;

function parseServiceAccount(text: string): ServiceAccount | undefined {
  try {
    const parsed = serviceAccountSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const config = z.object({
  serviceAccount: z
    .string()
    .refine((text) => parseServiceAccount(text) !== undefined, {
      message: 'must be the service account key file (JSON with project_id, client_email, private_key)',
    })
    .describe('The Firebase service account key file (JSON), pasted whole'),
  apiUrl: z.url().default('https://fcm.googleapis.com').describe('FCM API base URL'),
});

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

/**
 * The OAuth 2.0 access token of the service account: a JWT signed with its key (RS256) is
 * exchanged at the token URI (RFC 7523 jwt-bearer grant); kept until a minute before expiry.
 */
async function accessToken(account: ServiceAccount, cache: Map<string, unknown>): Promise<string> {
  const key = `fcm-token:${account.client_email}:${account.token_uri}`;
  const cached = cache.get(key) as CachedToken | undefined;
  if (cached && cached.expiresAt > Date.now() + 60_000) return cached.accessToken;
  const now = Math.floor(Date.now() / 1000);
  const assertion = signJwt(
    'FCM',
    'RS256',
    account.private_key,
    account.private_key_id ? { kid: account.private_key_id } : {},
    { iss: account.client_email, scope: SCOPE, aud: account.token_uri, iat: now, exp: now + 3600 },
  );
  let response: Response;
  try {
    response = await fetch(account.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw ConnectorError.network('Google OAuth', error);
  }
  const text = await response.text();
  if (!response.ok) throw ConnectorError.fromStatus('Google OAuth', response.status, text);
  const body = JSON.parse(text) as { access_token?: string; expires_in?: number };
  if (!body.access_token) throw new ConnectorError('Google OAuth answered without an access_token', true);
  cache.set(key, {
    accessToken: body.access_token,
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
  });
  return body.access_token;
}

/** FCM's error code for a token, from `error.details[].errorCode` (v1 API). */
function fcmErrorCode(body: string): string | undefined {
  try {
    const error = (JSON.parse(body) as { error?: { details?: { errorCode?: string }[]; status?: string } })
      .error;
    return error?.details?.find((d) => d.errorCode)?.errorCode ?? error?.status;
  } catch {
    return undefined;
  }
}

export const fcmConfig = config;
export type FcmConfig = z.infer<typeof config>;

/** Sends one message to FCM devices (Android and web tokens, and iOS when APNs is not configured). */
export async function sendToFcm(
  message: OutboundMessage,
  devices: PushDevice[],
  cfg: FcmConfig,
  cache: Map<string, unknown>,
): Promise<PushOutcome> {
  const account = parseServiceAccount(cfg.serviceAccount);
  if (!account) throw new ConnectorError('FCM: the service account key is not valid JSON', false);
  const url = `${cfg.apiUrl.replace(/\/$/, '')}/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`;
  const data: Record<string, string> = { messageId: message.messageId };
  if (typeof message.data?.url === 'string') data.url = message.data.url;
  const outcome: PushOutcome = { sent: [], gone: [], failed: [] };
  for (const device of devices) {
    const token = await accessToken(account, cache);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          message: {
            token: device.token,
            notification: { title: message.subject ?? '', body: message.text ?? '' },
            data,
            android: { priority: 'high' },
            apns: { headers: { 'apns-push-type': 'alert' } },
          },
        }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      outcome.failed.push(ConnectorError.network('FCM', error));
      continue;
    }
    const text = await response.text();
    if (response.ok) {
      outcome.sent.push(String((JSON.parse(text) as { name?: string }).name ?? device.token.slice(0, 12)));
      continue;
    }
    const code = fcmErrorCode(text);
    if (response.status === 404 || code === 'UNREGISTERED') outcome.gone.push(device.token);
    else {
      // A rejected access token is dropped so the retry fetches a fresh one.
      if (response.status === 401) {
        cache.delete(`fcm-token:${account.client_email}:${account.token_uri}`);
        outcome.failed.push(new ConnectorError(`FCM answered 401: ${text.slice(0, 300)}`, true, 401));
      } else outcome.failed.push(ConnectorError.fromStatus('FCM', response.status, text));
    }
  }
  return outcome;
}

/** Firebase Cloud Messaging, HTTP v1 API: one request per device token, Android, web and iOS apps alike. */
export const fcm = defineConnector({
  id: 'fcm',
  channel: 'push',
  title: 'Firebase Cloud Messaging (mobile apps)',
  configSchema: config,
  secretFields: ['serviceAccount'],
  async send(message, ctx: ConnectorContext<FcmConfig>) {
    const devices = pushDevices('FCM', message.recipient, ['android', 'ios', 'web']);
    return settlePush('FCM', await sendToFcm(message, devices, ctx.config, ctx.cache), ctx.onRecipientGone);
  },
});

import { createHash } from 'node:crypto';
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import { z } from 'zod';
import { type ConnectorContext, ConnectorError, defineConnector, type OutboundMessage } from './connector';
import { signJwt } from './jwt';
import { type PushDevice, type PushOutcome, pushDevices, settlePush } from './push-devices';

const config = z.object({
  teamId: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character Apple team id'),
  keyId: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character key id of the p8 key'),
  privateKey: z
    .string()
    .includes('PRIVATE KEY', { message: 'must be the .p8 key file (-----BEGIN PRIVATE KEY-----)' })
    .describe('Contents of the AuthKey_<keyId>.p8 file'),
  topic: z.string().min(1).describe("The app's bundle id (apns-topic)"),
  environment: z.enum(['production', 'sandbox']).default('production'),
  apiUrl: z.url().optional().describe('Overrides the APNs host (default from the environment)'),
  caCertificate: z
    .string()
    .optional()
    .describe('PEM of a private CA to trust for apiUrl (a proxy or a test peer); Apple needs none'),
});

type ApnsConfig = z.infer<typeof config>;

const HOSTS = { production: 'https://api.push.apple.com', sandbox: 'https://api.sandbox.push.apple.com' };

/** The provider token: an ES256 JWT of team and key id, reused for 50 minutes (Apple refuses older than an hour). */
function providerToken(cfg: ApnsConfig, cache: Map<string, unknown>): string {
  const key = `apns-jwt:${cfg.teamId}:${cfg.keyId}`;
  const cached = cache.get(key) as { jwt: string; issuedAt: number } | undefined;
  if (cached && Date.now() - cached.issuedAt < 50 * 60_000) return cached.jwt;
  const issuedAt = Date.now();
  const jwt = signJwt(
    'APNs',
    'ES256',
    cfg.privateKey,
    { kid: cfg.keyId },
    {
      iss: cfg.teamId,
      iat: Math.floor(issuedAt / 1000),
    },
  );
  cache.set(key, { jwt, issuedAt });
  return jwt;
}

/** One HTTP/2 connection per APNs host and process, as Apple asks (many requests, one connection). */
function session(origin: string, cfg: ApnsConfig, cache: Map<string, unknown>): ClientHttp2Session {
  const key = `apns-session:${origin}`;
  const existing = cache.get(key) as ClientHttp2Session | undefined;
  if (existing && !existing.closed && !existing.destroyed) return existing;
  const created = connect(origin, cfg.caCertificate ? { ca: cfg.caCertificate } : {});
  created.on('error', () => cache.delete(key));
  created.on('close', () => cache.delete(key));
  created.unref();
  cache.set(key, created);
  return created;
}

/** apns-id must be a UUID: derived from the send's idempotency key and the device, so a retry reuses it. */
function apnsId(idempotencyKey: string, token: string): string {
  const hex = createHash('sha256').update(`${idempotencyKey}:${token}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function post(
  client: ClientHttp2Session,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string; apnsId?: string }> {
  return new Promise((resolve, reject) => {
    const stream = client.request({ ':method': 'POST', ':path': path, ...headers });
    stream.setTimeout(15_000, () => stream.close(constants.NGHTTP2_CANCEL));
    let status = 0;
    let apnsIdHeader: string | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      apnsIdHeader = h['apns-id'] as string | undefined;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () =>
      resolve({ status, body: Buffer.concat(chunks).toString('utf8'), apnsId: apnsIdHeader }),
    );
    stream.on('error', reject);
    stream.on('close', () => {
      if (status === 0) reject(new Error('the stream closed without an answer'));
    });
    stream.end(body);
  });
}

export const apnsConfig = config;
export type { ApnsConfig };

/** Sends one message to iOS devices through APNs, one HTTP/2 stream per device on one connection. */
export async function sendToApns(
  message: OutboundMessage,
  devices: PushDevice[],
  cfg: ApnsConfig,
  cache: Map<string, unknown>,
): Promise<PushOutcome> {
  const origin = (cfg.apiUrl ?? HOSTS[cfg.environment]).replace(/\/$/, '');
  const payload = JSON.stringify({
    aps: { alert: { title: message.subject ?? '', body: message.text ?? '' }, sound: 'default' },
    ...(typeof message.data?.url === 'string' ? { url: message.data.url } : {}),
    messageId: message.messageId,
  });
  const outcome: PushOutcome = { sent: [], gone: [], failed: [] };
  for (const device of devices) {
    const headers = {
      authorization: `bearer ${providerToken(cfg, cache)}`,
      'apns-topic': cfg.topic,
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-id': apnsId(message.idempotencyKey, device.token),
      'content-type': 'application/json',
    };
    let answer: Awaited<ReturnType<typeof post>>;
    try {
      answer = await post(
        session(origin, cfg, cache),
        `/3/device/${encodeURIComponent(device.token)}`,
        headers,
        payload,
      );
    } catch (error) {
      outcome.failed.push(ConnectorError.network('APNs', error));
      continue;
    }
    if (answer.status === 200) {
      outcome.sent.push(answer.apnsId ?? headers['apns-id']);
      continue;
    }
    let reason = '';
    try {
      reason = (JSON.parse(answer.body) as { reason?: string }).reason ?? '';
    } catch {
      reason = answer.body;
    }
    if (answer.status === 410 || reason === 'BadDeviceToken' || reason === 'Unregistered') {
      outcome.gone.push(device.token);
    } else {
      if (reason === 'ExpiredProviderToken') cache.delete(`apns-jwt:${cfg.teamId}:${cfg.keyId}`);
      const failure = ConnectorError.fromStatus('APNs', answer.status, reason || answer.body);
      outcome.failed.push(
        reason === 'ExpiredProviderToken'
          ? new ConnectorError(failure.message, true, answer.status)
          : failure,
      );
    }
  }
  return outcome;
}

/** Apple Push Notification service over HTTP/2 with token-based (p8 key) authentication. */
export const apns = defineConnector({
  id: 'apns',
  channel: 'push',
  title: 'Apple Push Notification service (iOS apps)',
  configSchema: config,
  secretFields: ['privateKey'],
  async send(message, ctx: ConnectorContext<ApnsConfig>) {
    const devices = pushDevices('APNs', message.recipient, ['ios']);
    return settlePush('APNs', await sendToApns(message, devices, ctx.config, ctx.cache), ctx.onRecipientGone);
  },
});

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createSecureServer, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { json, startHttpPeer } from './peers';
import { jwtPart } from './push-fixtures';

const google = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = google.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The service account key file of the local Google (`googlePeer`), as pasted into the FCM settings. */
export function serviceAccountKey(peerUrl: string): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'demo-project',
    private_key_id: 'key-1',
    private_key: privatePem,
    client_email: 'push@demo-project.iam.gserviceaccount.com',
    token_uri: `${peerUrl}/token`,
  });
}

/**
 * A local Google: the token endpoint checks the RS256 assertion against the service account's
 * public key (RFC 7523) and the FCM v1 endpoint checks the bearer token and the message shape;
 * `gone-*` tokens answer 404 UNREGISTERED as FCM documents for an uninstalled app.
 */
export async function googlePeer() {
  const issued: string[] = [];
  const peer = await startHttpPeer((request, response) => {
    if (request.path === '/token') {
      const form = new URLSearchParams(request.body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
        return json(response, 400, { error: 'unsupported_grant_type' });
      const [header, claims, signature] = (form.get('assertion') ?? '').split('.');
      const valid = verify(
        'sha256',
        Buffer.from(`${header}.${claims}`),
        google.publicKey,
        Buffer.from(signature ?? '', 'base64url'),
      );
      const c = jwtPart(claims);
      const now = Date.now() / 1000;
      if (
        !valid ||
        jwtPart(header).alg !== 'RS256' ||
        jwtPart(header).kid !== 'key-1' ||
        c.iss !== 'push@demo-project.iam.gserviceaccount.com' ||
        c.scope !== 'https://www.googleapis.com/auth/firebase.messaging' ||
        c.aud !== `${url}/token` ||
        Math.abs(c.iat - now) > 60 ||
        c.exp - c.iat !== 3600
      )
        return json(response, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      const token = `ya29.test-${issued.length + 1}`;
      issued.push(token);
      return json(response, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    if (request.path === '/v1/projects/demo-project/messages:send') {
      if (!issued.includes((request.headers.authorization ?? '').replace(/^Bearer /, '')))
        return json(response, 401, { error: { code: 401, status: 'UNAUTHENTICATED' } });
      const { message } = JSON.parse(request.body);
      if (typeof message?.token !== 'string' || typeof message.notification?.title !== 'string')
        return json(response, 400, { error: { code: 400, status: 'INVALID_ARGUMENT' } });
      if (Object.values(message.data ?? {}).some((v) => typeof v !== 'string'))
        return json(response, 400, {
          error: { code: 400, status: 'INVALID_ARGUMENT', message: 'data values must be strings' },
        });
      if (message.token.startsWith('gone-')) {
        return json(response, 404, {
          error: {
            code: 404,
            message: 'Requested entity was not found.',
            status: 'NOT_FOUND',
            details: [
              { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
            ],
          },
        });
      }
      return json(response, 200, { name: `projects/demo-project/messages/0:${message.token.slice(0, 6)}` });
    }
    json(response, 404, { error: 'no route' });
  });
  const url = peer.url;
  return { ...peer, issued };
}

const apple = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
/** The APNs auth key (.p8) the peer checks provider tokens against. */
export const p8 = apple.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI for this test run. */
export function selfSignedCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), 'wayline-apns-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
  };
}

export interface ApnsRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * A local APNs over HTTP/2 and TLS: it checks the provider token (ES256 over team and key id,
 * with the p8 key's public half), the apns-topic and apns-push-type headers and the payload; it
 * answers 410 Unregistered for `gone…` tokens and 400 BadDeviceToken for `bad…` ones, as Apple documents.
 */
export async function apnsPeer(cert: { key: string; cert: string }) {
  const requests: ApnsRequest[] = [];
  const server = createSecureServer({ key: cert.key, cert: cert.cert });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const reqPath = String(headers[':path']);
      requests.push({ path: reqPath, headers, body });
      const answer = (status: number, payload?: unknown) => {
        stream.respond({
          ':status': status,
          'apns-id': String(headers['apns-id'] ?? ''),
          'content-type': 'application/json',
        });
        stream.end(payload ? JSON.stringify(payload) : undefined);
      };
      const [scheme, jwt] = String(headers.authorization ?? '').split(' ');
      const [h, c, s] = (jwt ?? '').split('.');
      const signed = verify(
        'sha256',
        Buffer.from(`${h}.${c}`),
        { key: apple.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(s ?? '', 'base64url'),
      );
      if (
        scheme !== 'bearer' ||
        !signed ||
        jwtPart(h).alg !== 'ES256' ||
        jwtPart(h).kid !== 'KEY1234567' ||
        jwtPart(c).iss !== 'TEAM123456'
      )
        return answer(403, { reason: 'InvalidProviderToken' });
      if (headers['apns-topic'] !== 'com.acme.shop') return answer(400, { reason: 'DeviceTokenNotForTopic' });
      if (headers['apns-push-type'] !== 'alert') return answer(400, { reason: 'InvalidPushType' });
      if (headers[':method'] !== 'POST' || !reqPath.startsWith('/3/device/'))
        return answer(405, { reason: 'MethodNotAllowed' });
      const alert = (body.aps as { alert?: { title?: string } } | undefined)?.alert;
      if (typeof alert?.title !== 'string') return answer(400, { reason: 'PayloadEmpty' });
      const token = reqPath.slice('/3/device/'.length);
      if (token.startsWith('gone')) return answer(410, { reason: 'Unregistered', timestamp: Date.now() });
      if (token.startsWith('bad')) return answer(400, { reason: 'BadDeviceToken' });
      answer(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

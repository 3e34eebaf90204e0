import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSms } from '../../connectors/twilio-sms';
import { json, startHttpPeer } from './peers';

describe('Twilio-compatible SMS connector (node:http server speaking the Messages API on 127.0.0.1)', () => {
  let peer: Awaited<ReturnType<typeof startHttpPeer>>;
  const auth = `Basic ${Buffer.from('AC123:secret-token').toString('base64')}`;

  beforeAll(async () => {
    peer = await startHttpPeer((request, response) => {
      if (request.headers.authorization !== auth)
        return json(response, 401, { code: 20003, message: 'Authenticate' });
      const form = new URLSearchParams(request.body);
      if (form.get('To') === '+15550000000')
        return json(response, 400, { code: 21211, message: "The 'To' number is not valid" });
      if (form.get('To') === '+15559999999') return json(response, 503, { message: 'busy' });
      return json(response, 201, { sid: 'SM0001', status: 'queued', to: form.get('To') });
    });
  });
  afterAll(() => peer?.close());

  const config = (token = 'secret-token') =>
    twilioSms.configSchema.parse({
      accountSid: 'AC123',
      authToken: token,
      from: '+15551234567',
      baseUrl: peer.url,
    });
  const message = (to: string) => ({
    messageId: 'm1',
    idempotencyKey: 'k1',
    channel: 'sms' as const,
    recipient: to,
    text: 'Hi Ada',
  });

  it('posts a form-encoded message with Basic auth and the status callback, returning the message sid', async () => {
    const result = await twilioSms.send(message('+15550100'), {
      config: config(),
      cache: new Map(),
      statusCallbackUrl: 'http://wayline.test/t/status/abc',
    });

    expect(result).toEqual({ providerId: 'SM0001', status: 'sent' });
    const request = peer.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      To: '+15550100',
      Body: 'Hi Ada',
      From: '+15551234567',
      StatusCallback: 'http://wayline.test/t/status/abc',
    });
  });

  it('treats a rejected number as fatal and a 5xx as retryable', async () => {
    await expect(
      twilioSms.send(message('+15550000000'), { config: config(), cache: new Map() }),
    ).rejects.toMatchObject({
      retryable: false,
      status: 400,
    });
    await expect(
      twilioSms.send(message('+15559999999'), { config: config(), cache: new Map() }),
    ).rejects.toMatchObject({
      retryable: true,
      status: 503,
    });
    await expect(
      twilioSms.send(message('+15550100'), { config: config('wrong'), cache: new Map() }),
    ).rejects.toMatchObject({
      retryable: false,
      status: 401,
    });
  });
});

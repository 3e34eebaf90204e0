import { z } from 'zod';
import { ConnectorError, defineConnector } from './connector';
import { parseJson, request } from './http';

const config = z.object({
  accountSid: z.string().min(1),
  authToken: z.string().min(1),
  from: z.string().min(1).describe('Sender number (E.164) or messaging service sid (MG…)'),
  baseUrl: z.url().default('https://api.twilio.com').describe('Twilio-compatible API base URL'),
});

/** Twilio's Messages API: form-encoded POST with Basic auth; the status callback reports delivery. */
export const twilioSms = defineConnector({
  id: 'twilio',
  channel: 'sms',
  title: 'Twilio-compatible SMS',
  configSchema: config,
  secretFields: ['authToken'],
  async send(message, ctx) {
    const { accountSid, authToken, from, baseUrl } = ctx.config;
    const form = new URLSearchParams({ To: message.recipient, Body: message.text ?? '' });
    form.set(from.startsWith('MG') ? 'MessagingServiceSid' : 'From', from);
    if (ctx.statusCallbackUrl) form.set('StatusCallback', ctx.statusCallbackUrl);
    const url = `${baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
    const { text } = await request('Twilio', url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form.toString(),
    });
    const body = parseJson('Twilio', text);
    if (typeof body.sid !== 'string') throw new ConnectorError('Twilio answered without a message sid', true);
    return { providerId: body.sid, status: body.status === 'delivered' ? 'delivered' : 'sent' };
  },
});

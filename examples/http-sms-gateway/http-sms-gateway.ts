import { ConnectorError, defineConnector, z } from 'wayline/sdk';

/**
 * An SMS provider added by a plugin: posts each message as JSON to an HTTP gateway with a bearer
 * token. Once loaded it is offered for the SMS channel like the built-in Twilio connector, and
 * its sends pass the same policy (consent, suppression, quiet hours, caps) and ledger.
 */
export const httpSmsGateway = defineConnector({
  id: 'http-sms-gateway',
  channel: 'sms',
  title: 'HTTP SMS gateway',
  configSchema: z.object({
    url: z.url().describe('Gateway endpoint that accepts {to, text, reference} as JSON'),
    token: z.string().min(1).describe('Bearer token of the gateway'),
    sender: z.string().min(1).max(11).describe('Sender id shown on the phone'),
  }),
  secretFields: ['token'],
  async send(message, ctx) {
    let response: Response;
    try {
      response = await fetch(ctx.config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${ctx.config.token}`,
          'idempotency-key': message.idempotencyKey,
        },
        body: JSON.stringify({
          to: message.recipient,
          from: ctx.config.sender,
          text: message.text ?? '',
          reference: message.messageId,
        }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw ConnectorError.network('SMS gateway', error);
    }
    const body = await response.text();
    if (!response.ok) throw ConnectorError.fromStatus('SMS gateway', response.status, body);
    const id = (JSON.parse(body) as { id?: string }).id;
    return { providerId: id ?? message.messageId, status: 'sent' };
  },
});

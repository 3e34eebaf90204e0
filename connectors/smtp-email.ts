import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import { ConnectorError, defineConnector } from './connector';

const config = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z
    .boolean()
    .default(false)
    .describe('TLS from the start (port 465); otherwise STARTTLS when offered'),
  user: z.string().optional(),
  password: z.string().optional(),
  from: z.string().min(3).describe('From address, e.g. "Acme <news@acme.test>"'),
  replyTo: z.string().optional(),
  unsubscribeMailto: z
    .string()
    .optional()
    .describe('Address for mailto: unsubscribe requests (List-Unsubscribe)'),
  maxConnections: z.number().int().min(1).max(50).default(5),
});

/** SMTP responses 5xx are permanent (bad recipient, rejected); 4xx and connection trouble are not. */
function classify(error: unknown): ConnectorError {
  const e = error as { responseCode?: number; message: string; code?: string };
  if (e.responseCode && e.responseCode >= 500) {
    return new ConnectorError(`SMTP rejected the message: ${e.message}`, false, e.responseCode);
  }
  if (e.code === 'EAUTH') return new ConnectorError(`SMTP login failed: ${e.message}`, false);
  return new ConnectorError(`SMTP send failed: ${e.message}`, true, e.responseCode);
}

export const smtpEmail = defineConnector({
  id: 'smtp',
  channel: 'email',
  title: 'SMTP',
  configSchema: config,
  secretFields: ['password'],
  async send(message, ctx) {
    const settings = ctx.config;
    // One pooled transport per distinct configuration, kept for the life of the worker.
    const key = `smtp:${createHash('sha256').update(JSON.stringify(settings)).digest('hex')}`;
    let transport = ctx.cache.get(key) as Transporter | undefined;
    if (!transport) {
      transport = nodemailer.createTransport({
        pool: true,
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        maxConnections: settings.maxConnections,
        auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
        tls: { rejectUnauthorized: !['127.0.0.1', 'localhost', '::1'].includes(settings.host) },
      });
      ctx.cache.set(key, transport);
    }
    const domain = /@([^>\s]+)/.exec(settings.from)?.[1] ?? 'wayline.local';
    try {
      const info = await transport.sendMail({
        from: settings.from,
        replyTo: settings.replyTo,
        to: message.recipient,
        subject: message.subject ?? '',
        text: message.text,
        html: message.html,
        // Deterministic so a resend after a lost acknowledgement can be recognised downstream.
        messageId: `<${createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`,
        headers: (message.data?.headers as Record<string, string> | undefined) ?? {},
      });
      return { providerId: info.messageId, status: 'sent' };
    } catch (error) {
      throw classify(error);
    }
  },
});

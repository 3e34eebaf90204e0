import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  raw: Buffer;
}

/**
 * A real HTTP server on 127.0.0.1 speaking whatever provider shape `handle` implements
 * (Twilio, Slack, WeChat, a webhook receiver, a push service).
 */
export async function startHttpPeer(
  handle: (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>,
) {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const request = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: raw.toString('utf8'),
      raw,
    };
    requests.push(request);
    await handle(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** A real SMTP server (smtp-server) that parses every message it accepts with mailparser. */
export async function startSmtpSink() {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The raw value of a header line as the peer received it. */
export function headerLine(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n\s+/g, ' ')
    .trim();
}

/**
 * What Twilio does to sign a webhook, written from its documentation and independent of
 * Wayline's verifier: the full URL, then each POST field sorted by name with its value
 * appended, HMAC-SHA1 keyed with the auth token, base64.
 */
export function twilioSign(authToken: string, url: string, fields: Record<string, string>): string {
  const names = Object.keys(fields).sort();
  const data = names.reduce((acc, name) => `${acc}${name}${fields[name]}`, url);
  return createHmac('sha1', Buffer.from(authToken, 'utf8'))
    .update(Buffer.from(data, 'utf8'))
    .digest('base64');
}

/**
 * Posts a Twilio status callback as Twilio does: signed over the StatusCallback URL it was
 * given, delivered to `via` (the Wayline API's real address, as a reverse proxy would).
 * `signature` overrides the header (null: none at all).
 */
export async function postTwilioStatus(
  statusCallbackUrl: string,
  via: string,
  authToken: string,
  fields: Record<string, string>,
  signature?: string | null,
): Promise<{ status: number; body: string }> {
  const target = new URL(statusCallbackUrl);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const value = signature === undefined ? twilioSign(authToken, statusCallbackUrl, fields) : signature;
  if (value !== null) headers['x-twilio-signature'] = value;
  const response = await fetch(`${via}${target.pathname}${target.search}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: await response.text() };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChannelDeps } from '../../messaging/channels/deps';
import { bounceReport, recordBounce } from '../../messaging/tracking/bounces';
import {
  type Preferences,
  providerStatus,
  readPreferences,
  recordClick,
  recordOpen,
  savePreferences,
  unsubscribe,
} from '../../messaging/tracking/feedback';
import { errors, mediaResponse, noContent } from '../schemas/common';
import { bounceOutcomeSchema } from '../schemas/messaging';

// Wildcards, not `:token`: a click token carries its target URL and outgrows the router's parameter limit.
const tokenParams = z.object({ '*': z.string().min(10).max(8192) });
const tags = ['message tracking'];
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function preferencesPage(token: string, prefs: Preferences, notice?: string): string {
  const topics = prefs.topics
    .map(
      (t) =>
        `<label><input type="checkbox" name="topic" value="${escapeHtml(t.name)}"${t.subscribed ? ' checked' : ''}> ${escapeHtml(t.label)}${t.description ? ` <small>${escapeHtml(t.description)}</small>` : ''}</label><br>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Subscription preferences</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto">
<h1>Subscription preferences</h1>${notice ? `<p role="status">${escapeHtml(notice)}</p>` : ''}
<form method="post" action="/t/p/${escapeHtml(token)}">
<label><input type="checkbox" name="subscribed" value="on"${prefs.subscribed ? ' checked' : ''}> Receive ${escapeHtml(prefs.channel)} messages</label><br>
${topics}
<p><button type="submit">Save</button></p></form>
<form method="post" action="/t/u/${escapeHtml(token)}"><button type="submit">Unsubscribe from everything on ${escapeHtml(prefs.channel)}</button></form>
</body></html>`;
}

const formBody = z.object({
  subscribed: z.string().optional(),
  topic: z.union([z.string(), z.array(z.string())]).optional(),
});

/**
 * Public, token-signed routes under `/t/` (no API key): open pixel, click redirect, RFC 8058
 * one-click unsubscribe, the preferences page and provider status callbacks. A tampered token
 * is a 400, a valid one for a message that is gone a 404; a redirect only ever goes to the URL
 * signed into the token.
 */
export const messageTrackingRoutes: FastifyPluginAsyncZod<{ channels: ChannelDeps }> = async (
  app,
  { channels },
) => {
  // Mail clients post one-click unsubscribes as urlencoded or multipart; providers post forms.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const params = new URLSearchParams(body as string);
    const out: Record<string, string | string[]> = {};
    for (const key of new Set(params.keys())) {
      const values = params.getAll(key);
      out[key] = values.length > 1 ? values : values[0];
    }
    done(null, out);
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));

  app.get(
    '/t/o/*',
    {
      schema: {
        tags,
        summary: 'Open pixel',
        params: tokenParams,
        security: [],
        response: { 200: mediaResponse('image/gif', 'A 1×1 transparent GIF', true), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      await recordOpen(channels, request.params['*']);
      return reply.header('cache-control', 'no-store').type('image/gif').send(PIXEL);
    },
  );

  app.get(
    '/t/c/*',
    {
      schema: {
        tags,
        summary: 'Click redirect',
        params: tokenParams,
        security: [],
        response: { 302: noContent('Redirect to the URL signed into the token'), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const url = await recordClick(channels, request.params['*']);
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  );

  app.get(
    '/t/u/*',
    {
      schema: {
        tags,
        summary: 'Preferences page',
        params: tokenParams,
        security: [],
        response: { 200: mediaResponse('text/html', 'The preferences form'), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const prefs = await readPreferences(channels, request.params['*']);
      return reply.type('text/html; charset=utf-8').send(preferencesPage(request.params['*'], prefs));
    },
  );

  app.post(
    '/t/u/*',
    {
      schema: {
        tags,
        summary: 'One-click unsubscribe (RFC 8058)',
        params: tokenParams,
        security: [],
        response: {
          200: mediaResponse('text/plain', 'What the contact is now unsubscribed from'),
          ...errors(400, 404),
        },
      },
    },
    async (request, reply) => {
      const result = await unsubscribe(channels, request.params['*']);
      const what = result.topic ? `“${result.topic}”` : `${result.channel} messages`;
      return reply.type('text/plain; charset=utf-8').send(`You are unsubscribed from ${what}.`);
    },
  );

  app.post(
    '/t/p/*',
    {
      schema: {
        tags,
        summary: 'Save preferences',
        params: tokenParams,
        body: formBody,
        security: [],
        response: { 200: mediaResponse('text/html', 'The preferences form, saved'), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const topic = request.body.topic;
      const prefs = await savePreferences(channels, request.params['*'], {
        subscribed: request.body.subscribed === 'on',
        topics: topic === undefined ? [] : Array.isArray(topic) ? topic : [topic],
      });
      return reply
        .type('text/html; charset=utf-8')
        .send(preferencesPage(request.params['*'], prefs, 'Your preferences are saved.'));
    },
  );

  app.post(
    '/t/status/*',
    {
      schema: {
        tags,
        summary: 'Provider status callback (Twilio-style form, X-Twilio-Signature required)',
        params: tokenParams,
        body: z
          .object({
            MessageSid: z.string().optional(),
            MessageStatus: z.string().optional(),
            ErrorCode: z.string().optional(),
          })
          .loose(),
        security: [],
        response: { 204: noContent('Recorded'), ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      // Twilio signs the URL it was given: the public URL, whatever proxy stands in between.
      await providerStatus(channels, request.params['*'], request.body, {
        url: `${channels.publicUrl.replace(/\/$/, '')}${request.url}`,
        signature: request.headers['x-twilio-signature'] as string | undefined,
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/t/bounce/*',
    {
      schema: {
        tags,
        summary:
          'Email bounce and complaint intake (the workspace URL from GET /v1/channels/email/bounce-url)',
        params: tokenParams,
        body: bounceReport,
        security: [],
        response: { 200: bounceOutcomeSchema, ...errors(400, 404) },
      },
    },
    async (request) => recordBounce(channels, request.params['*'], request.body),
  );
};

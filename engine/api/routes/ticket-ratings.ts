import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ratingInputSchema, ratingSubject, recordRating } from '../../crm/tickets/ratings';
import type { AppDeps } from '../deps';
import { errors, mediaResponse } from '../schemas/common';

const tags = ['tickets'];
const tokenParams = z.object({ '*': z.string().min(10).max(2048) });

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const LABELS = ['', 'Very unhappy', 'Unhappy', 'Neutral', 'Happy', 'Very happy'];

function ratingPage(
  token: string,
  subject: string,
  chosen: number | null,
  comment: string | null,
  notice?: string,
): string {
  const options = [1, 2, 3, 4, 5]
    .map(
      (n) =>
        `<label><input type="radio" name="rating" value="${n}"${chosen === n ? ' checked' : ''} required> ${n} – ${LABELS[n]}</label><br>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>How did we do?</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto">
<h1>How did we do?</h1><p>Your request: <strong>${escapeHtml(subject)}</strong></p>${notice ? `<p role="status">${escapeHtml(notice)}</p>` : ''}
<form method="post" action="/t/r/${escapeHtml(token)}">
<fieldset><legend>Your rating</legend>${options}</fieldset>
<p><label>Comment (optional)<br><textarea name="comment" rows="4" cols="40">${escapeHtml(comment ?? '')}</textarea></label></p>
<p><button type="submit">Send rating</button></p></form></body></html>`;
}

/**
 * The public CSAT page a resolved ticket's email links to (`/t/r/<signed token>`, no sign-in):
 * `?rating=N` preselects a score (one link per star in the email); posting the form records the
 * rating and emits `CSAT Received`.
 */
export const ticketRatingRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db, secretBox } = deps;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(
    '/t/r/*',
    {
      schema: {
        tags,
        summary: 'The CSAT rating page of a resolved ticket (signed link, no sign-in)',
        params: tokenParams,
        querystring: z.object({ rating: z.coerce.number().int().min(1).max(5).optional() }),
        security: [],
        response: { 200: mediaResponse('text/html', 'The rating form'), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const token = request.params['*'];
      const current = await ratingSubject(db, secretBox, token);
      return reply
        .type('text/html; charset=utf-8')
        .send(ratingPage(token, current.subject, request.query.rating ?? current.rating, current.comment));
    },
  );

  app.post(
    '/t/r/*',
    {
      schema: {
        tags,
        summary: 'Record the rating (1–5) and comment of a resolved ticket',
        params: tokenParams,
        body: ratingInputSchema,
        security: [],
        response: {
          200: mediaResponse('text/html', 'Thank-you page with the form'),
          ...errors(400, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const token = request.params['*'];
      const rating = await recordRating(db, secretBox, token, request.body);
      deps.dispatcher?.kick();
      const { subject } = await ratingSubject(db, secretBox, token);
      return reply
        .type('text/html; charset=utf-8')
        .send(ratingPage(token, subject, rating.rating, rating.comment, 'Thank you for your rating!'));
    },
  );
};

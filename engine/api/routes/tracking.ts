import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PayloadTooLarge } from '../../audience/ingest/errors';
import { type IngestOutcome, ingestMessages } from '../../audience/ingest/ingest';
import {
  aliasBodySchema,
  batchBodySchema,
  groupBodySchema,
  identifyBodySchema,
  MAX_BATCH_BYTES,
  MAX_EVENT_BYTES,
  type MessageType,
  pageBodySchema,
  trackBodySchema,
} from '../../audience/ingest/messages';
import { workspaceOfWriteKey } from '../../audience/ingest/write-key';
import { dispatchAfterCommit } from '../../dispatch/after-commit';
import { InvalidInput } from '../../errors';
import { basicUsername } from '../basic-auth';
import { readJsonBody } from '../body';
import type { AppDeps } from '../deps';
import { errors } from '../schemas/common';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Largest decompressed body the route accepts. */
    maxBodyBytes?: number;
  }
}

const tags = ['tracking'];
// The write key is the HTTP Basic username (or `writeKey` in the body), not the secret bearer key.
const security: never[] = [];
const rejectedSchema = z.object({
  index: z.number(),
  code: z.string(),
  field: z.string(),
  message: z.string(),
});
const answerSchema = z
  .object({
    success: z.literal(true),
    accepted: z.number().describe('Events stored by this request'),
    duplicates: z.number().describe('Messages whose messageId was already stored: nothing changed'),
    rejected: z.array(rejectedSchema).describe('Batch only: events refused, by index and field'),
    cleaned: z
      .array(z.object({ index: z.number(), fields: z.array(z.string()) }))
      .describe('Events stored with NUL or unpaired surrogates removed from these fields'),
  })
  .meta({ id: 'IngestAnswer' });

/**
 * The Segment-compatible tracking API at the host root, in a scope of its own: write-key
 * authentication instead of the secret key, any Content-Type parsed as (optionally gzipped)
 * JSON, and `Retry-After` on transient failures.
 */
export const trackingRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; dispatchBudgetMs?: number }> = async (
  app,
  { deps, dispatchBudgetMs },
) => {
  registerBodyParsing(app);
  app.decorateRequest('writeWorkspaceId', '');
  app.addHook('preValidation', async (request: FastifyRequest) => {
    request.writeWorkspaceId = await workspaceOfWriteKey(
      deps.db,
      basicUsername(request.headers.authorization),
      (request.body as { writeKey?: unknown } | null)?.writeKey,
    );
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if ((reply.statusCode === 503 || reply.statusCode === 429) && !reply.hasHeader('retry-after')) {
      reply.header('retry-after', '5');
    }
    return payload;
  });

  const answer = async (outcomes: IngestOutcome[]) => {
    const stored = outcomes.filter((o) => o.status === 'stored');
    const dispatched = await dispatchAfterCommit(
      deps.dispatcher,
      stored.map((o) => o.outboxId),
      dispatchBudgetMs,
      stored.map((o) => o.event),
    );
    return {
      status: (dispatched === 'pending' ? 202 : 200) as 200 | 202,
      body: {
        success: true as const,
        accepted: stored.length,
        duplicates: outcomes.filter((o) => o.status === 'duplicate').length,
        rejected: outcomes.flatMap((o) =>
          o.status === 'rejected'
            ? [{ index: o.index, code: o.code, field: o.field, message: o.message }]
            : [],
        ),
        cleaned: stored.flatMap((o) => (o.cleaned.length ? [{ index: o.index, fields: o.cleaned }] : [])),
      },
    };
  };

  const single = (type: MessageType, path: string, body: z.ZodType, summary: string) => {
    app.post(
      path,
      {
        config: { maxBodyBytes: MAX_EVENT_BYTES },
        schema: {
          tags,
          summary,
          security,
          body,
          response: { 200: answerSchema, 202: answerSchema, ...errors(400, 401, 413, 429) },
        },
      },
      async (request, reply) => {
        const [outcome] = await ingestMessages(deps.db, {
          workspaceId: request.writeWorkspaceId,
          messages: [request.body],
          type,
          // The route's schema parsed the body already.
          parsed: true,
        });
        if (outcome.status === 'rejected') {
          if (outcome.code === 'event_too_large') throw new PayloadTooLarge(outcome.message);
          throw new InvalidInput(outcome.code, `${outcome.field}: ${outcome.message}`, outcome.field);
        }
        const { status, body: result } = await answer([outcome]);
        return reply.code(status).send(result);
      },
    );
  };

  single('track', '/v1/track', trackBodySchema, 'Record an event (Segment `track`)');
  single('identify', '/v1/identify', identifyBodySchema, 'Create or update a contact (Segment `identify`)');
  single('page', '/v1/page', pageBodySchema, 'Record a page view (Segment `page`)');
  single('screen', '/v1/screen', pageBodySchema, 'Record a screen view (Segment `screen`)');
  single('group', '/v1/group', groupBodySchema, 'Associate a contact with a group (Segment `group`)');
  single('alias', '/v1/alias', aliasBodySchema, 'Merge a previous id into a user (Segment `alias`)');

  app.post(
    '/v1/batch',
    {
      config: { maxBodyBytes: MAX_BATCH_BYTES },
      schema: {
        tags,
        summary: 'Up to 2,500 messages of any type in one request (Segment `batch`)',
        description:
          'Valid events are stored; the answer lists rejected ones by index and field. 202 when dispatch to journeys is pending.',
        security,
        body: batchBodySchema,
        response: { 200: answerSchema, 202: answerSchema, ...errors(400, 401, 413, 429) },
      },
    },
    async (request, reply) => {
      const outcomes = await ingestMessages(deps.db, {
        workspaceId: request.writeWorkspaceId,
        messages: request.body.batch,
        sentAt: request.body.sentAt,
        context: request.body.context,
      });
      const { status, body } = await answer(outcomes);
      return reply.code(status).send(body);
    },
  );
};

declare module 'fastify' {
  interface FastifyRequest {
    writeWorkspaceId: string;
  }
}

/**
 * Segment clients send gzip, and some send no or a wrong Content-Type: every body in this scope
 * is read as bytes, decompressed within the route's limit and parsed as JSON.
 */
function registerBodyParsing(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    request.headers['content-type'] = 'application/octet-stream';
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: 4 * MAX_BATCH_BYTES },
    (request, raw, done) => {
      try {
        const limit = request.routeOptions.config.maxBodyBytes ?? MAX_EVENT_BYTES;
        done(null, readJsonBody(raw as Buffer, request.headers['content-encoding'], limit));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * Where each message type is posted. The first path is Segment's HTTP API; the others take the
 * same messages at the paths Segment's own libraries use: analytics.js (the browser library)
 * posts each message to a one-letter path and its batches to `/v1/b`, as Segment's Swift and
 * Kotlin libraries do, and the Ruby, Java and PHP libraries post batches to `/v1/import`.
 */
export const TRACKING_PATHS = {
  track: ['/v1/track', '/v1/t'],
  identify: ['/v1/identify', '/v1/i'],
  page: ['/v1/page', '/v1/p'],
  screen: ['/v1/screen', '/v1/s'],
  group: ['/v1/group', '/v1/g'],
  alias: ['/v1/alias', '/v1/a'],
  batch: ['/v1/batch', '/v1/b', '/v1/import'],
} as const satisfies Record<MessageType | 'batch', readonly [string, ...string[]]>;

const ALIAS_USERS: Record<string, string> = {
  '/v1/b': "the path analytics.js's batching and Segment's mobile libraries post to",
  '/v1/import': "the path Segment's Ruby, Java and PHP libraries post to",
};
const aliasSummary = (path: string, alias: string) =>
  `The same as \`POST ${path}\`, at ${ALIAS_USERS[alias] ?? 'the path analytics.js posts to'}`;
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

  const single = (type: MessageType, body: z.ZodType, summary: string) => {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
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
    };
    const path = TRACKING_PATHS[type][0];
    for (const url of TRACKING_PATHS[type]) {
      app.post(
        url,
        {
          config: { maxBodyBytes: MAX_EVENT_BYTES },
          schema: {
            tags,
            summary: url === path ? summary : aliasSummary(path, url),
            security,
            body,
            response: { 200: answerSchema, 202: answerSchema, ...errors(400, 401, 413, 429) },
          },
        },
        handler,
      );
    }
  };

  single('track', trackBodySchema, 'Record an event (Segment `track`)');
  single('identify', identifyBodySchema, 'Create or update a contact (Segment `identify`)');
  single('page', pageBodySchema, 'Record a page view (Segment `page`)');
  single('screen', pageBodySchema, 'Record a screen view (Segment `screen`)');
  single('group', groupBodySchema, 'Associate a contact with a group (Segment `group`)');
  single('alias', aliasBodySchema, 'Merge a previous id into a user (Segment `alias`)');

  const batchPath = TRACKING_PATHS.batch[0];
  for (const url of TRACKING_PATHS.batch) {
    app.post(
      url,
      {
        config: { maxBodyBytes: MAX_BATCH_BYTES },
        schema: {
          tags,
          summary:
            url === batchPath
              ? 'Up to 2,500 messages of any type in one request (Segment `batch`)'
              : aliasSummary(batchPath, url),
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
  }
};

declare module 'fastify' {
  interface FastifyRequest {
    writeWorkspaceId: string;
  }
}

/** The settings analytics.js, Analytics-Swift and Analytics-Kotlin read when they load. */
export const ANALYTICS_SETTINGS_PATH = '/v1/projects/:writeKey/settings';

const analyticsSettingsSchema = z
  .object({
    integrations: z.object({
      'Segment.io': z.object({
        apiKey: z.string().describe('The write key'),
        apiHost: z.string().describe('Where the library posts its messages: this API, `<host>/v1`'),
        protocol: z.enum(['http', 'https']),
      }),
    }),
    plan: z.record(z.string(), z.unknown()),
    metrics: z.object({ sampleRate: z.number() }),
    remotePlugins: z.array(z.unknown()),
  })
  .meta({ id: 'AnalyticsSettings' });

/**
 * What Segment's CDN serves a library at load, served by Wayline for a valid write key: this API
 * as the one destination, at the host and protocol the library reached it by (`X-Forwarded-Host`
 * and `X-Forwarded-Proto` from a proxy in front; never stored by a cache), no other
 * destinations, no plugins, and the library's own usage metrics off. Pointing a library's CDN address at Wayline (`cdnURL` for
 * analytics.js) is then all it needs.
 */
export const analyticsSettingsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    ANALYTICS_SETTINGS_PATH,
    {
      schema: {
        tags,
        summary: "A write key's settings for Segment's client libraries (Segment's CDN `settings`)",
        security,
        params: z.object({ writeKey: z.string() }),
        response: { 200: analyticsSettingsSchema, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { writeKey } = request.params;
      await workspaceOfWriteKey(deps.db, undefined, writeKey);
      const forwardedProto = firstValue(request.headers['x-forwarded-proto']);
      const protocol =
        forwardedProto === 'https' || forwardedProto === 'http'
          ? forwardedProto
          : (request.protocol as 'http' | 'https');
      const host = firstValue(request.headers['x-forwarded-host']) ?? request.host;
      // The answer follows the request's headers: a shared cache must not hand it to others.
      reply.header('cache-control', 'no-store');
      return {
        integrations: { 'Segment.io': { apiKey: writeKey, apiHost: `${host}/v1`, protocol } },
        plan: { track: { __default: { enabled: true, integrations: {} } } },
        metrics: { sampleRate: 0 },
        remotePlugins: [],
      };
    },
  );
};

/** Where RudderStack's JavaScript library reads its source's configuration (`configUrl`). */
export const RUDDERSTACK_CONFIG_PATHS = ['/sourceConfig', '/sourceConfig/'] as const;

const rudderStackConfigSchema = z
  .object({
    isHosted: z.boolean(),
    source: z.object({
      id: z.string().describe('The workspace'),
      name: z.string(),
      writeKey: z.string(),
      workspaceId: z.string(),
      enabled: z.literal(true),
      config: z.record(z.string(), z.unknown()),
      destinations: z.array(z.unknown()),
    }),
  })
  .meta({ id: 'RudderStackSourceConfig' });

/**
 * What RudderStack's control plane serves its JavaScript library at load, for a valid write key
 * (the Basic username, as the library sends it, or `?writeKey=`): the workspace as the source, no
 * device-mode destinations and the library's own error and metrics reports off. Events then go
 * to its data plane URL, this API, at Segment's paths (`/v1/track`, …).
 */
export const rudderStackConfigRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  for (const url of RUDDERSTACK_CONFIG_PATHS) {
    app.get(
      url,
      {
        schema: {
          tags,
          summary: "A write key's source configuration for RudderStack's JavaScript library",
          security,
          querystring: z.object({ writeKey: z.string().optional() }),
          response: { 200: rudderStackConfigSchema, ...errors(400, 401, 429) },
        },
      },
      async (request) => {
        const header = basicUsername(request.headers.authorization);
        const workspaceId = await workspaceOfWriteKey(deps.db, header, request.query.writeKey);
        return {
          isHosted: false,
          source: {
            id: workspaceId,
            name: 'Wayline',
            writeKey: (header ?? request.query.writeKey) as string,
            workspaceId,
            enabled: true as const,
            config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
            destinations: [],
          },
        };
      },
    );
  }
};

/** The first of a proxy header's comma-separated values, trimmed; undefined when empty. */
function firstValue(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  return value || undefined;
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

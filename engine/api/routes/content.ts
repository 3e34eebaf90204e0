import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readPublicAssetFile } from '../../content/assets';
import {
  type ContentItemRow,
  contentFilter,
  contentItemInput,
  contentPath,
  createContentItem,
  deleteContentItem,
  getContentItem,
  listContentItems,
  publishedItem,
  recordContentView,
  updateContentItem,
} from '../../content/library';
import { contentPerformance } from '../../content/performance';
import type { ContentDeps } from '../../content/storage';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, mediaResponse, noContent } from '../schemas/common';
import { contentItemSchema, contentPerformanceSchema } from '../schemas/content';

const tags = ['content'];
const idParams = z.object({ id: z.uuid() });

export const itemView = (item: ContentItemRow, publicUrl: string) => ({
  ...item,
  url: `${publicUrl.replace(/\/$/, '')}${contentPath(item.id)}`,
});

/** The content library: articles, images, videos, offers and coupons, and how each performs. */
export const contentRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; publicUrl: string }> = async (
  app,
  { deps, publicUrl },
) => {
  app.get(
    '/content',
    {
      schema: {
        tags,
        summary: 'Content items, newest change first, filtered by kind, status, category, tag or words',
        querystring: contentFilter,
        response: { 200: listOf(contentItemSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: (await listContentItems(deps.db, request.workspaceId, request.query)).map((i) =>
        itemView(i, publicUrl),
      ),
    }),
  );

  app.post(
    '/content',
    {
      schema: {
        tags,
        summary: 'Create a content item (the caller is its owner)',
        body: contentItemInput,
        response: { 201: contentItemSchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      const owner = request.principal?.kind === 'user' ? request.principal.userId : null;
      const item = await createContentItem(deps.db, request.workspaceId, request.body, owner);
      await audit(request, deps, {
        action: 'content.create',
        objectType: 'content',
        objectId: item.id,
        change: { kind: item.kind, title: item.title, status: item.status },
      });
      return reply.code(201).send(itemView(item, publicUrl));
    },
  );

  app.get(
    '/content/:id',
    {
      schema: {
        tags,
        summary: 'One content item',
        params: idParams,
        response: { 200: contentItemSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      itemView(await getContentItem(deps.db, request.workspaceId, request.params.id), publicUrl),
  );

  app.put(
    '/content/:id',
    {
      schema: {
        tags,
        summary: 'Replace a content item (title, body, file, category, tags, status, details)',
        params: idParams,
        body: contentItemInput,
        response: { 200: contentItemSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const before = await getContentItem(deps.db, request.workspaceId, request.params.id);
      const item = await updateContentItem(deps.db, request.workspaceId, request.params.id, request.body);
      await audit(request, deps, {
        action: 'content.update',
        objectType: 'content',
        objectId: item.id,
        change: {
          before: { title: before.title, status: before.status },
          after: { title: item.title, status: item.status },
        },
      });
      return itemView(item, publicUrl);
    },
  );

  app.delete(
    '/content/:id',
    {
      schema: {
        tags,
        summary: 'Delete a content item (its social posts and views go with it)',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteContentItem(deps.db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'content.delete',
        objectType: 'content',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/content/:id/performance',
    {
      schema: {
        tags,
        summary: 'Views, clicks of tracked links, social engagement, and views and clicks per day',
        params: idParams,
        querystring: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
        response: { 200: contentPerformanceSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) =>
      contentPerformance(deps.db, request.workspaceId, request.params.id, request.query.days),
  );
};

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Public pages of published items and public asset files (no key: they are linked from messages
 * and posts). A page view is counted; an unpublished item does not exist here.
 */
export const contentPublicRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; content: ContentDeps }> = async (
  app,
  { deps, content },
) => {
  app.get(
    '/p/content/:id',
    {
      schema: {
        tags,
        summary: 'The public page of a published content item (counts a view)',
        params: idParams,
        response: { 200: mediaResponse('text/html', 'The item as a page'), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const item = await publishedItem(deps.db, request.params.id);
      await recordContentView(deps.db, item);
      const image = item.assetId ? `<img src="/p/assets/${item.assetId}" alt="" style="max-width:100%">` : '';
      const offer =
        typeof item.details.code === 'string'
          ? `<p>Code: <strong>${escapeHtml(item.details.code)}</strong></p>`
          : '';
      const link =
        typeof item.details.url === 'string' && /^https?:\/\//.test(item.details.url)
          ? `<p><a href="${escapeHtml(item.details.url)}">${escapeHtml(item.details.url)}</a></p>`
          : '';
      // The body is the marketer's own text, shown as text (HTML bodies are for messages).
      const body = escapeHtml(item.body).replace(/\n/g, '<br>');
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
        .send(
          `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(item.title)}</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto"><h1>${escapeHtml(item.title)}</h1>${image}<p>${body}</p>${offer}${link}</body></html>`,
        );
    },
  );

  for (const variant of ['original', 'thumbnail'] as const) {
    app.get(
      variant === 'original' ? '/p/assets/:id' : '/p/assets/:id/thumbnail',
      {
        schema: {
          tags,
          summary: variant === 'original' ? 'A public asset file' : "A public asset's thumbnail",
          params: idParams,
          response: {
            200: mediaResponse('application/octet-stream', 'The bytes, with their own Content-Type', true),
            ...errors(400, 404),
          },
        },
      },
      async (request, reply) => {
        const file = await readPublicAssetFile(deps.db, content.storage, request.params.id, variant);
        return reply
          .header('content-type', file.contentType)
          .header('cache-control', 'public, max-age=3600')
          .header('x-content-type-options', 'nosniff')
          .send(file.data);
      },
    );
  }
};

import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  type AssetRow,
  AssetTooLarge,
  deleteAsset,
  getAsset,
  listAssets,
  readAssetFile,
  uploadAsset,
} from '../../content/assets';
import type { ContentDeps } from '../../content/storage';
import { InvalidInput } from '../../errors';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, mediaResponse, noContent } from '../schemas/common';
import { assetSchema } from '../schemas/content';

const tags = ['content'];
const idParams = z.object({ id: z.uuid() });

export function assetView(asset: AssetRow, publicUrl: string) {
  const base = `${publicUrl.replace(/\/$/, '')}/p/assets/${asset.id}`;
  return { ...asset, url: base, thumbnailUrl: asset.thumbnailKey ? `${base}/thumbnail` : null };
}

/** Uploads (multipart), listing and files of the workspace's assets. */
export const assetRoutes: FastifyPluginAsyncZod<{
  deps: AppDeps;
  content: ContentDeps;
  publicUrl: string;
}> = async (app, { deps, content, publicUrl }) => {
  await app.register(multipart, { limits: { files: 1, fields: 5, fileSize: content.maxAssetBytes } });

  app.post(
    '/assets',
    {
      schema: {
        tags,
        summary: `Upload a file (multipart/form-data, field "file"); images get a thumbnail`,
        consumes: ['multipart/form-data'],
        response: { 201: assetSchema, ...authedErrors, ...errors(413, 415) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new InvalidInput(
          'multipart_required',
          'Send the file as multipart/form-data in the field "file"',
          'file',
        );
      }
      const part = await request.file();
      if (part?.fieldname !== 'file') {
        throw new InvalidInput('file_required', 'The form needs a file in the field "file"', 'file');
      }
      let data: Buffer;
      try {
        data = await part.toBuffer();
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new AssetTooLarge(content.maxAssetBytes);
        throw error;
      }
      if (part.file.truncated) throw new AssetTooLarge(content.maxAssetBytes);
      const principal = request.principal;
      const asset = await uploadAsset(
        deps.db,
        content.storage,
        request.workspaceId,
        {
          filename: part.filename,
          contentType: part.mimetype,
          data,
          uploadedBy: principal?.kind === 'user' ? principal.userId : null,
        },
        content.maxAssetBytes,
      );
      await audit(request, deps, {
        action: 'asset.upload',
        objectType: 'asset',
        objectId: asset.id,
        change: { filename: asset.filename, contentType: asset.contentType, size: asset.size },
      });
      return reply.code(201).send(assetView(asset, publicUrl));
    },
  );

  app.get(
    '/assets',
    {
      schema: {
        tags,
        summary: 'The uploaded files, newest first',
        response: { 200: listOf(assetSchema), ...authedErrors },
      },
    },
    async (request) => ({
      data: (await listAssets(deps.db, request.workspaceId)).map((a) => assetView(a, publicUrl)),
    }),
  );

  app.get(
    '/assets/:id',
    {
      schema: {
        tags,
        summary: 'One asset',
        params: idParams,
        response: { 200: assetSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => assetView(await getAsset(deps.db, request.workspaceId, request.params.id), publicUrl),
  );

  for (const variant of ['original', 'thumbnail'] as const) {
    app.get(
      variant === 'original' ? '/assets/:id/file' : '/assets/:id/thumbnail',
      {
        schema: {
          tags,
          summary: variant === 'original' ? 'The file' : 'The thumbnail (WebP, images only)',
          params: idParams,
          response: {
            200: mediaResponse('application/octet-stream', 'The bytes, with their own Content-Type', true),
            ...authedErrors,
            ...errors(404),
          },
        },
      },
      async (request, reply) => {
        const file = await readAssetFile(
          deps.db,
          content.storage,
          request.workspaceId,
          request.params.id,
          variant,
        );
        return reply
          .header('content-type', file.contentType)
          .header('cache-control', 'private, max-age=300')
          .send(file.data);
      },
    );
  }

  app.delete(
    '/assets/:id',
    {
      schema: {
        tags,
        summary: 'Delete an asset and its files (items that used it keep no file)',
        params: idParams,
        response: { 204: noContent('Deleted'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteAsset(deps.db, content.storage, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'asset.delete',
        objectType: 'asset',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );
};

import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Forbidden } from '../../errors';
import { recordAudit } from '../../identity/audit';
import { exportWorkspace, importWorkspace, linesOf } from '../../operations/workspace-archive';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, mediaResponse } from '../schemas/common';

const tags = ['workspaces'];
/** Archives are streamed out; coming in they are held whole, up to this size (compressed). */
export const ARCHIVE_IMPORT_LIMIT = 256 * 1024 * 1024;

const importedSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    counts: z.record(z.string(), z.number().int()).describe('Rows imported per table'),
  })
  .meta({ id: 'WorkspaceImport' });

/** Workspace backups: the whole workspace as a gzip-compressed JSON-lines archive, and back. */
export const workspaceArchiveRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.addContentTypeParser(
    ['application/gzip', 'application/x-ndjson'],
    { parseAs: 'buffer', bodyLimit: ARCHIVE_IMPORT_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.get(
    '/workspace/export',
    {
      schema: {
        tags,
        summary: 'Export the workspace as a streamed archive (gzip-compressed JSON lines)',
        description:
          'Journeys with their versions, templates, segments, lists, content, channel settings without credentials, CRM objects, campaigns, contacts and events. No secrets, accounts, audit log or run state; see docs/operations.md.',
        response: { 200: mediaResponse('application/gzip', 'The archive', true), ...authedErrors },
      },
    },
    async (request, reply) => {
      await audit(request, deps, {
        action: 'workspace.export',
        objectType: 'workspace',
        objectId: request.workspaceId,
      });
      const day = new Date().toISOString().slice(0, 10);
      reply
        .header('content-type', 'application/gzip')
        .header('content-disposition', `attachment; filename="wayline-workspace-${day}.ndjson.gz"`);
      // Streamed as it is read; the schema documents the bytes a client receives.
      const archive = Readable.from(exportWorkspace(deps.db, request.workspaceId)).pipe(createGzip());
      return reply.send(archive as unknown as Buffer);
    },
  );

  app.post(
    '/workspaces/import',
    {
      schema: {
        tags,
        summary: 'Create a workspace from an archive; the signed-in user becomes its owner',
        description:
          'Body: an archive from GET /v1/workspace/export (`application/gzip`, or uncompressed `application/x-ndjson`). All of it or nothing is imported; ids are renewed, journeys arrive paused.',
        querystring: z.object({
          name: z
            .string()
            .trim()
            .min(1)
            .max(200)
            .optional()
            .describe("The new workspace's name; the archive's when absent"),
        }),
        body: z.custom<Buffer>((value) => Buffer.isBuffer(value)).meta({ type: 'string', format: 'binary' }),
        response: { 201: importedSchema, ...errors(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      if (auth.kind !== 'user')
        throw new Forbidden(
          'session_required',
          'Workspaces are imported by signed-in users (or wayline workspace import)',
        );
      const body = request.body;
      const gzipped = body[0] === 0x1f && body[1] === 0x8b;
      const source = gzipped ? Readable.from([body]).pipe(createGunzip()) : Readable.from([body]);
      const imported = await importWorkspace(deps.db, linesOf(source), {
        name: request.query.name,
        ownerUserId: auth.user.id,
      });
      await recordAudit(deps.db, {
        workspaceId: imported.workspaceId,
        actor: { type: 'user', id: auth.user.id, label: auth.user.email },
        action: 'workspace.import',
        objectType: 'workspace',
        objectId: imported.workspaceId,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        change: { counts: imported.counts },
      });
      return reply.code(201).send({ id: imported.workspaceId, name: imported.name, counts: imported.counts });
    },
  );
};

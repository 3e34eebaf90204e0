import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditLog } from '../../../db/schema';
import { auditCsv, auditQuerySchema, queryAudit } from '../../identity/audit';
import { audit, requireKeyPermission } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, mediaResponse, rowSchema } from '../schemas/common';

const tags = ['audit-log'];

const auditRowSchema = rowSchema(auditLog, {
  change: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe(
      'Before/after of settings, versions of journeys, names of changed secrets; never secret values',
    ),
}).meta({ id: 'AuditLogRow' });

const auditPageSchema = z.object({
  data: z.array(auditRowSchema).describe('Newest first'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last one'),
});

const exportQuerySchema = auditQuerySchema.omit({ cursor: true, limit: true });

/** The workspace's audit log: filtered pages, and the same filters as a CSV download. */
export const auditLogRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get(
    '/audit-log',
    {
      schema: {
        tags,
        summary: 'Who did what, when and from where, newest first',
        querystring: auditQuerySchema,
        response: { 200: auditPageSchema, ...authedErrors },
      },
    },
    async (request) => {
      await requireKeyPermission(request, deps, 'audit:read');
      return queryAudit(db, request.workspaceId, request.query);
    },
  );

  app.get(
    '/audit-log.csv',
    {
      schema: {
        tags,
        summary: 'The audit log rows matching the filters as a CSV file; the export is itself logged',
        querystring: exportQuerySchema,
        response: {
          200: mediaResponse('text/csv', 'One header line, then one line per row, newest first'),
          ...authedErrors,
        },
      },
    },
    async (request, reply) => {
      await requireKeyPermission(request, deps, 'audit:read', {
        action: 'audit.export',
        objectType: 'audit-log',
      });
      const { csv, rows } = await auditCsv(db, request.workspaceId, request.query);
      await audit(request, deps, {
        action: 'audit.export',
        objectType: 'audit-log',
        change: { filters: request.query, rows },
      });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-log-${day}.csv"`)
        .send(csv);
    },
  );
};

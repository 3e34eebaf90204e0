import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contactInputSchema, contactUpdateSchema, getContact } from '../../audience/contacts/contacts';
import { contactsCsv } from '../../audience/contacts/export-csv';
import { importOptionsSchema, parseMapping, previewImport } from '../../audience/contacts/import';
import { contactFilterSchema, contactSearchSchema, searchContacts } from '../../audience/contacts/search';
import { contactTimeline, timelineQuerySchema } from '../../audience/contacts/timeline';
import { listsOfContact } from '../../audience/lists/lists';
import { runsOfContact } from '../../automation/runs/queries';
import { startContactBulk, startMappedImport } from '../../jobs/contact-bulk-job';
import { bulkRequestSchema } from '../../operations/contact-bulk';
import { createContact, mergeContactsByHand, updateContact } from '../../operations/contacts';
import { deleteContact } from '../../operations/erase-contact';
import { exportContact } from '../../operations/export-contact';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import {
  contactExportSchema,
  contactListsSchema,
  contactPageSchema,
  contactSchema,
  deleteOutcomeSchema,
  eventPageSchema,
  importPreviewSchema,
  jobSchema,
} from '../schemas/audience';
import { authedErrors, errors, listOf, mediaResponse } from '../schemas/common';
import { runSchema } from '../schemas/journeys';

const idParams = z.object({ id: z.uuid() });
const tags = ['contacts'];
const IMPORT_LIMIT = 50 * 1024 * 1024;

export const contactRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const temporalDeps = { db, temporal: deps.temporal, taskQueue: deps.taskQueue };

  // Import files arrive as they are; these parsers only exist inside this plugin.
  for (const type of ['text/csv', 'application/x-ndjson', 'application/ndjson']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: IMPORT_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
  }

  app.post(
    '/contacts',
    {
      schema: {
        tags,
        summary: 'Create a contact',
        body: contactInputSchema,
        response: { 201: contactSchema, ...authedErrors, ...errors(409) },
      },
    },
    async (request, reply) => {
      return reply.code(201).send(await createContact(temporalDeps, request.workspaceId, request.body));
    },
  );

  app.get(
    '/contacts',
    {
      schema: {
        tags,
        summary: 'List and search contacts, newest first',
        querystring: contactSearchSchema,
        response: { 200: contactPageSchema, ...authedErrors },
      },
    },
    async (request) => searchContacts(db, request.workspaceId, request.query),
  );

  app.get(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Get a contact',
        params: idParams,
        response: { 200: contactSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getContact(db, request.workspaceId, request.params.id),
  );

  app.patch(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Update a contact; attributes merge, segments are re-evaluated at once',
        params: idParams,
        body: contactUpdateSchema,
        response: { 200: contactSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      return updateContact(temporalDeps, request.workspaceId, request.params.id, request.body);
    },
  );

  app.delete(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a contact and cancel all its journey runs at once',
        params: idParams,
        response: { 200: deleteOutcomeSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => deleteContact(deps, request.workspaceId, request.params.id),
  );

  app.post(
    '/contacts/:id/erase',
    {
      schema: {
        tags,
        summary: 'GDPR erasure: cancel runs, wipe personal data of events and messages, delete the contact',
        params: idParams,
        response: { 200: deleteOutcomeSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const outcome = await deleteContact(deps, request.workspaceId, request.params.id, { erase: true });
      await audit(request, deps, {
        action: 'contact.erase',
        objectType: 'contact',
        objectId: request.params.id,
        change: { ...outcome },
      });
      return outcome;
    },
  );

  app.get(
    '/contacts/:id/export',
    {
      schema: {
        tags,
        summary: 'GDPR export: everything held about the contact',
        params: idParams,
        response: { 200: contactExportSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      const exported = await exportContact(db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'contact.export',
        objectType: 'contact',
        objectId: request.params.id,
      });
      return exported;
    },
  );

  app.get(
    '/contacts/:id/events',
    {
      schema: {
        tags,
        summary: "The contact's event timeline, newest first",
        params: idParams,
        querystring: timelineQuerySchema,
        response: { 200: eventPageSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      await getContact(db, request.workspaceId, request.params.id);
      return contactTimeline(db, request.workspaceId, request.params.id, request.query);
    },
  );

  app.get(
    '/contacts/:id/runs',
    {
      schema: {
        tags,
        summary: "The contact's journey runs with their paths",
        params: idParams,
        response: { 200: listOf(runSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      await getContact(db, request.workspaceId, request.params.id);
      return { data: await runsOfContact(db, request.workspaceId, request.params.id) };
    },
  );

  app.post(
    '/contacts/imports',
    {
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags,
        summary: 'Import contacts from CSV (text/csv) or NDJSON (application/x-ndjson) as a background job',
        description:
          'Answers 202 with the job; follow its progress at GET /v1/jobs/:id. Rows upsert by userId, else email.',
        querystring: importOptionsSchema,
        body: z.string().describe('The file'),
        response: { 202: jobSchema, ...authedErrors, ...errors(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const format = (request.headers['content-type'] ?? '').startsWith('text/csv') ? 'csv' : 'ndjson';
      const job = await startMappedImport(temporalDeps, request.workspaceId, format, request.body, {
        mapping: parseMapping(request.query.mapping),
        listId: request.query.listId,
      });
      return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
    },
  );

  app.post(
    '/contacts/imports/preview',
    {
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags,
        summary: 'Check an import file without writing anything: columns, first rows, rejected rows',
        querystring: importOptionsSchema,
        body: z.string().describe('The file'),
        response: { 200: importPreviewSchema, ...authedErrors, ...errors(404, 413, 415) },
      },
    },
    async (request) => {
      const format = (request.headers['content-type'] ?? '').startsWith('text/csv') ? 'csv' : 'ndjson';
      return previewImport(db, request.workspaceId, format, request.body, {
        mapping: parseMapping(request.query.mapping),
        listId: request.query.listId,
      });
    },
  );

  app.post(
    '/contacts/bulk',
    {
      schema: {
        tags,
        summary:
          'Tag, untag, add to or remove from a list, enroll or delete many contacts, as a background job',
        description:
          'The selection is a list of ids or the contacts table filter. Answers 202 with the job; follow it at GET /v1/jobs/:id.',
        body: bulkRequestSchema,
        response: { 202: jobSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      const job = await startContactBulk(
        temporalDeps,
        request.workspaceId,
        request.body.action,
        request.body.selection,
      );
      await audit(request, deps, {
        action: 'contact.bulk',
        objectType: 'job',
        objectId: job.id,
        change: { action: request.body.action.type, total: job.total },
      });
      return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
    },
  );

  app.get(
    '/contacts/export.csv',
    {
      schema: {
        tags,
        summary: 'The contacts the filters select, as CSV (up to 100,000)',
        querystring: contactFilterSchema,
        response: { 200: mediaResponse('text/csv', 'One row per contact'), ...authedErrors },
      },
    },
    async (request, reply) => {
      const csv = await contactsCsv(db, request.workspaceId, request.query);
      await audit(request, deps, {
        action: 'contact.export-csv',
        objectType: 'contact',
        objectId: 'filter',
        change: { ...request.query },
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="contacts.csv"')
        .send(csv);
    },
  );

  app.post(
    '/contacts/:id/merge',
    {
      schema: {
        tags,
        summary: 'Merge another contact into this one; the other is deleted',
        description:
          "This contact's values win, the other fills the gaps; events, messages, runs and lists move over. Refused when both have a userId.",
        params: idParams,
        body: z.object({ sourceId: z.uuid().describe('The contact merged in, then deleted') }),
        response: { 200: contactSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      const merged = await mergeContactsByHand(
        temporalDeps,
        request.workspaceId,
        request.params.id,
        request.body.sourceId,
      );
      await audit(request, deps, {
        action: 'contact.merge',
        objectType: 'contact',
        objectId: request.params.id,
        change: { sourceId: request.body.sourceId },
      });
      return merged;
    },
  );

  app.get(
    '/contacts/:id/lists',
    {
      schema: {
        tags,
        summary: 'The lists the contact is in',
        params: idParams,
        response: { 200: contactListsSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => {
      await getContact(db, request.workspaceId, request.params.id);
      return { data: await listsOfContact(db, request.workspaceId, request.params.id) };
    },
  );
};

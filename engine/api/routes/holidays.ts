import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { holidays } from '../../../db/schema';
import {
  addHoliday,
  applyHolidayPreset,
  deleteHoliday,
  holidayInputSchema,
  listHolidays,
} from '../../automation/holidays/holidays';
import { holidayPresets } from '../../automation/holidays/presets';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent, rowSchema } from '../schemas/common';

const tags = ['holidays'];
const holidaySchema = rowSchema(holidays).meta({ id: 'Holiday' });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, e.g. 2026-12-24');

/** The workspace's holiday calendar, which `trigger.holiday` journeys fire on. */
export const holidayRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get(
    '/holidays',
    {
      schema: {
        tags,
        summary: "The workspace's holidays in date order",
        querystring: z.object({ from: isoDate.optional(), to: isoDate.optional() }),
        response: { 200: listOf(holidaySchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listHolidays(db, request.workspaceId, request.query) }),
  );

  app.post(
    '/holidays',
    {
      schema: {
        tags,
        summary: 'Add a custom holiday (a name on a date)',
        body: holidayInputSchema,
        response: { 201: holidaySchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      const holiday = await addHoliday(db, request.workspaceId, request.body);
      await audit(request, deps, {
        action: 'holiday.add',
        objectType: 'holiday',
        objectId: holiday.id,
        change: request.body,
      });
      return reply.code(201).send(holiday);
    },
  );

  app.delete(
    '/holidays/:id',
    {
      schema: {
        tags,
        summary: 'Remove a holiday from the calendar',
        params: z.object({ id: z.uuid() }),
        response: { 204: noContent('Removed'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteHoliday(db, request.workspaceId, request.params.id);
      await audit(request, deps, {
        action: 'holiday.remove',
        objectType: 'holiday',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/holiday-presets',
    {
      schema: {
        tags,
        summary: 'Countries with a holiday preset',
        response: { 200: listOf(z.object({ country: z.string(), name: z.string() })), ...authedErrors },
      },
    },
    async () => ({ data: holidayPresets() }),
  );

  app.post(
    '/holidays/presets',
    {
      schema: {
        tags,
        summary: "Add a country's public holidays for some years to the calendar",
        body: z.object({
          country: z.string().min(2).max(2).describe('ISO country code with a preset, e.g. FR'),
          years: z
            .array(z.number().int().min(2000).max(2100))
            .min(1)
            .max(10)
            .optional()
            .describe('This year and the next when absent'),
        }),
        response: { 200: listOf(holidaySchema), ...authedErrors },
      },
    },
    async (request) => {
      const thisYear = new Date().getUTCFullYear();
      const years = request.body.years ?? [thisYear, thisYear + 1];
      const added = await applyHolidayPreset(db, request.workspaceId, request.body.country, years);
      await audit(request, deps, {
        action: 'holiday.preset',
        objectType: 'workspace',
        objectId: request.workspaceId,
        change: { country: request.body.country, years, added: added.length },
      });
      return { data: added };
    },
  );
};

import { z } from 'zod';
import {
  attributeDefinitions,
  contacts,
  events,
  jobs,
  lists,
  messages,
  savedViews,
  segments,
} from '../../../db/schema';
import type { previewImport } from '../../audience/contacts/import';
import type { searchContacts } from '../../audience/contacts/search';
import type { contactTimeline } from '../../audience/contacts/timeline';
import { viewQuerySchema } from '../../audience/contacts/views';
import type { HookView } from '../../audience/hooks/hooks';
import { hookMappingSchema } from '../../audience/hooks/mapping';
import { type SegmentGroup, segmentGroupSchema } from '../../audience/segments/definition';
import type { previewSegment, SegmentUser, segmentSizeHistory } from '../../audience/segments/segments';
import type { jobView } from '../../jobs/jobs';
import type { DeleteOutcome } from '../../operations/erase-contact';
import type { exportContact } from '../../operations/export-contact';
import type { createSegment, updateSegment } from '../../operations/segments';
import { describes, type Json, rowSchema, stored } from './common';
import { runSchema } from './journeys';

export const contactSchema = rowSchema(contacts, {
  subscriptions: z
    .record(z.string(), z.enum(['subscribed', 'unsubscribed']))
    .describe('Per channel, and per topic as `topic:<name>`'),
}).meta({ id: 'Contact' });

export const contactPageSchema = describes<Awaited<ReturnType<typeof searchContacts>>>()(
  z
    .object({
      data: z.array(
        contactSchema.extend({
          lastActivityAt: z.date().nullable().describe('When its latest event was received'),
        }),
      ),
      nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
      total: z.number().describe('Contacts matching the filters'),
    })
    .meta({ id: 'ContactPage' }),
);

export const eventSchema = rowSchema(events).meta({ id: 'Event' });

export const eventPageSchema = describes<Awaited<ReturnType<typeof contactTimeline>>>()(
  z
    .object({
      data: z.array(eventSchema),
      nextCursor: z.string().nullable(),
    })
    .meta({ id: 'EventPage' }),
);

export const deleteOutcomeSchema = describes<DeleteOutcome>()(
  z
    .object({
      id: z.guid(),
      cancelledRuns: z.number(),
      erasedEvents: z.number(),
      erasedMessages: z.number(),
    })
    .meta({ id: 'ContactDeleted' }),
);

export const contactExportSchema = describes<Awaited<ReturnType<typeof exportContact>>>()(
  z
    .object({
      exportedAt: z.iso.datetime(),
      contact: contactSchema,
      lists: z.array(z.object({ id: z.guid(), name: z.string(), addedAt: z.date() })),
      segments: z.array(z.object({ id: z.guid(), name: z.string(), enteredAt: z.date() })),
      events: z.array(eventSchema),
      messages: z.array(rowSchema(messages)),
      runs: z.array(runSchema),
    })
    .meta({ id: 'ContactExport' }),
);

export const segmentSchema = rowSchema(segments, {
  definition: stored(segmentGroupSchema, 'SegmentGroup'),
}).meta({
  id: 'Segment',
});

export const segmentWithSizeSchema = describes<Awaited<ReturnType<typeof createSegment>>>()(
  segmentSchema
    .extend({
      members: z.number().describe('Contacts in the segment now'),
    })
    .meta({ id: 'SegmentWithSize' }),
);

export const segmentChangeSchema = describes<Awaited<ReturnType<typeof updateSegment>>>()(
  segmentSchema
    .extend({
      membership: z.object({ entered: z.number(), left: z.number(), enrolled: z.number() }),
    })
    .meta({ id: 'SegmentChange' }),
);

export const segmentPreviewSchema = describes<Awaited<ReturnType<typeof previewSegment>>>()(
  z
    .object({
      count: z.number(),
      sample: z
        .array(z.object({ id: z.guid(), userId: z.string().nullable(), email: z.string().nullable() }))
        .describe('Up to 10 of the matching contacts'),
    })
    .meta({ id: 'SegmentPreview' }),
);

export const hookSchema = describes<HookView>()(
  z
    .object({
      id: z.guid(),
      name: z.string(),
      mapping: hookMappingSchema,
      path: z.string().describe('Where to POST deliveries, at the host root'),
      secrets: z.array(z.object({ id: z.guid(), createdAt: z.date(), expiresAt: z.date().nullable() })),
      createdAt: z.date(),
      updatedAt: z.date(),
    })
    .meta({ id: 'Hook' }),
);

export const hookWithSecretSchema = hookSchema
  .extend({
    secret: z.string().describe('The signing secret (`whsec_…`), shown only in this answer'),
  })
  .meta({ id: 'HookWithSecret' });

export const hookDeliverySchema = z
  .object({
    success: z.literal(true),
    duplicate: z.boolean().describe('The webhook-id was already delivered: nothing changed'),
    deals: z
      .array(z.guid())
      .optional()
      .describe("Deals the mapping's actions opened or updated (only when the mapping has actions)"),
    tickets: z
      .array(z.guid())
      .optional()
      .describe("Tickets the mapping's actions opened (only when the mapping has actions)"),
  })
  .meta({ id: 'HookDelivery' });

const jobRow = rowSchema(jobs);
/** A job as the API shows it: progress and errors, never the uploaded payload. */
export const jobSchema = describes<ReturnType<typeof jobView>>()(
  jobRow
    .omit({ payload: true })
    .extend({
      errors: z.array(
        z.object({
          line: z.number().optional(),
          contactId: z.string().optional(),
          field: z.string().optional(),
          message: z.string(),
        }),
      ),
      skipped: z.number().describe('Rows done that neither succeeded nor failed (e.g. duplicates)'),
      heldOut: z
        .number()
        .describe("Of the skipped, contacts a bulk enrollment left to the journey's control group (holdout)"),
    })
    .meta({ id: 'Job' }),
);

/** The answers as the builder receives them (JSON: dates are ISO strings). */
export type Contact = Json<z.output<typeof contactSchema>>;
export type ContactEvent = Json<z.output<typeof eventSchema>>;
export type Segment = Json<Omit<z.output<typeof segmentSchema>, 'definition'> & { definition: SegmentGroup }>;
export type Hook = Json<z.output<typeof hookSchema>>;
export type Job = Json<z.output<typeof jobSchema>>;

export const listSchema = rowSchema(lists).meta({ id: 'List' });
export const listWithSizeSchema = listSchema
  .extend({ members: z.number().describe('Contacts in the list') })
  .meta({ id: 'ListWithSize' });
export const listMembersChangeSchema = z
  .object({
    changed: z
      .number()
      .describe('Contacts added (or removed) by this call; the others already were (or were not)'),
    members: z.number(),
  })
  .meta({ id: 'ListMembersChange' });
export const contactListsSchema = z
  .object({ data: z.array(z.object({ id: z.guid(), name: z.string(), addedAt: z.date() })) })
  .meta({ id: 'ContactLists' });

export const attributeDefinitionSchema = rowSchema(attributeDefinitions).meta({ id: 'AttributeDefinition' });
export const savedViewSchema = rowSchema(savedViews, {
  query: stored(viewQuerySchema, 'ContactViewQuery'),
}).meta({ id: 'SavedView' });

export const segmentUserSchema = describes<SegmentUser>()(
  z
    .object({
      type: z.enum(['journey', 'campaign', 'broadcast']),
      id: z.guid(),
      name: z.string(),
      status: z.string(),
    })
    .meta({ id: 'SegmentUser' }),
);
export const segmentSizesSchema = describes<{ data: Awaited<ReturnType<typeof segmentSizeHistory>> }>()(
  z
    .object({ data: z.array(z.object({ day: z.string().describe('UTC date'), members: z.number() })) })
    .meta({ id: 'SegmentSizes' }),
);

export const importPreviewSchema = describes<Awaited<ReturnType<typeof previewImport>>>()(
  z
    .object({
      columns: z.array(z.object({ column: z.string(), target: z.string().describe('"" when skipped') })),
      total: z.number().describe('Rows in the file'),
      valid: z.number(),
      rejected: z.number(),
      rows: z
        .array(z.object({ line: z.number(), contact: z.record(z.string(), z.unknown()) }))
        .describe('The first rows as contacts'),
      errors: z
        .array(z.object({ line: z.number(), field: z.string().optional(), message: z.string() }))
        .describe('Rejected rows (the first 200) by line and field'),
    })
    .meta({ id: 'ImportPreview' }),
);

export type List = Json<z.output<typeof listWithSizeSchema>>;
export type AttributeDefinitionView = Json<z.output<typeof attributeDefinitionSchema>>;
export type SavedView = Json<
  Omit<z.output<typeof savedViewSchema>, 'query'> & { query: z.output<typeof viewQuerySchema> }
>;
export type ImportPreview = Json<z.output<typeof importPreviewSchema>>;
export type ContactListRow = Json<z.output<typeof contactPageSchema>['data'][number]>;

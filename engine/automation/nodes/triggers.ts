import { z } from 'zod';
import { propertyFilterSchema } from '../../audience/conditions/filter-schema';
import { defineNode, nextPort } from '../../sdk/define-node';

/** A property path of the entry event whose value (string or number) keys the run. */
export const entryKeyPath = z
  .string()
  .regex(/^(properties\.)?[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a property path, e.g. properties.cart_id');

export const eventTrigger = defineNode({
  type: 'trigger.event',
  version: 1,
  kind: 'trigger',
  title: 'Event received',
  category: 'Triggers',
  description: 'Enters a contact when it sends a matching event.',
  config: z.object({
    event: z.string().min(1).describe('Event name, e.g. "Cart Abandoned"'),
    where: propertyFilterSchema.optional(),
    key: entryKeyPath
      .optional()
      .describe(
        'Entry key, a property path such as "properties.cart_id": one run per contact and key, re-entry counted per key',
      ),
  }),
  ports: [nextPort],
  summary: (c) => `On “${c.event}”${c.key ? ` per ${c.key.replace(/^properties\./, '')}` : ''}`,
});

export const segmentTrigger = defineNode({
  type: 'trigger.segment',
  version: 1,
  kind: 'trigger',
  title: 'Enters segment',
  category: 'Triggers',
  description: 'Enters a contact when it starts matching a segment.',
  config: z.object({
    segmentId: z.string().min(1).describe('Segment'),
    reenterAtExit: z
      .boolean()
      .optional()
      .describe(
        "When a run ends and the contact is still in the segment, start a new one (after the journey's minimum re-entry interval)",
      ),
  }),
  ports: [nextPort],
  summary: (c) =>
    c.reenterAtExit ? 'On entering segment, again at exit while in it' : 'On entering segment',
});

export const dateTrigger = defineNode({
  type: 'trigger.date',
  version: 1,
  kind: 'trigger',
  title: 'Date attribute',
  category: 'Triggers',
  description:
    'Enters each contact once a year on a date attribute (birthday, anniversary), at a local hour.',
  config: z.object({
    attribute: z.string().min(1).describe('Date attribute, e.g. "birthday"'),
    offsetDays: z.number().int().min(-365).max(365).default(0).describe('Days before (negative) or after'),
    hour: z.number().int().min(0).max(23).default(9).describe('Local hour of the contact'),
    minute: z.number().int().min(0).max(59).default(0),
  }),
  ports: [nextPort],
  summary: (c) =>
    `On ${c.attribute} at ${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')}`,
});

export const holidayTrigger = defineNode({
  type: 'trigger.holiday',
  version: 1,
  kind: 'trigger',
  title: 'Holiday',
  category: 'Triggers',
  description:
    "Enters each contact once per holiday of the workspace's calendar, at a local hour in the contact's time zone.",
  config: z.object({
    holidays: z
      .array(z.string().min(1))
      .default([])
      .describe('Holiday names from the calendar; every holiday when empty'),
    hour: z.number().int().min(0).max(23).default(9).describe('Local hour of the contact'),
    minute: z.number().int().min(0).max(59).default(0),
  }),
  ports: [nextPort],
  summary: (c) =>
    `On ${c.holidays.length ? c.holidays.join(', ') : 'each holiday'} at ${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')}`,
});

export const scheduleTrigger = defineNode({
  type: 'trigger.schedule',
  version: 1,
  kind: 'trigger',
  title: 'Schedule',
  category: 'Triggers',
  description: 'Enters the members of a segment on a recurring schedule.',
  config: z.object({
    cron: z.string().min(9).describe('Cron expression in the workspace time zone, e.g. "0 9 * * 1"'),
    segmentId: z.string().optional().describe('Segment to enter; all contacts when empty'),
  }),
  ports: [nextPort],
  summary: (c) => `Every ${c.cron}`,
});

export const manualTrigger = defineNode({
  type: 'trigger.manual',
  version: 1,
  kind: 'trigger',
  title: 'Manual / API',
  category: 'Triggers',
  description: 'Enters contacts enrolled through the API or in bulk.',
  config: z.object({}),
  ports: [nextPort],
  summary: () => 'Enrolled by hand',
});

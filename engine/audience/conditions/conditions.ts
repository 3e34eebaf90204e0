import { z } from 'zod';
import { DEAL_STATUSES, TICKET_PRIORITIES, TICKET_STATUSES } from '../../../db/schema';
import { durationSchema } from '../../time/duration-schema';
import { analyticsConditionSchema } from './analytics';
import { propertyConditionSchema, propertyFilterSchema } from './filter-schema';

const comparison = propertyConditionSchema.shape.op;

/**
 * Engagement with messages sent to the contact: by any journey or one, by template name; "opened"
 * also holds for a clicked message (engagement only moves forward). Test sends never count.
 */
export const engagementConditionSchema = z.object({
  kind: z.literal('engagement'),
  status: z.enum(['sent', 'delivered', 'opened', 'clicked']),
  template: z.string().min(1).optional().describe('Template name; any when empty'),
  journeyId: z.string().min(1).optional().describe('Messages of this journey; any when empty'),
  within: durationSchema.optional().describe('Only messages this recent'),
  minCount: z.number().int().min(0).default(1).describe('At least this many messages (0 = none)'),
});

/** The contact's deals: one in a pipeline, a stage or a status (e.g. "has an open deal in stage Proposal"). */
export const dealConditionSchema = z.object({
  kind: z.literal('deal'),
  pipelineId: z.string().min(1).optional().describe('Deals of this pipeline; any when empty'),
  stageId: z.string().min(1).optional().describe('Deals in this stage now; any when empty'),
  status: z.enum(DEAL_STATUSES).optional().describe('open, won or lost; any when empty'),
  present: z.boolean().default(true).describe('True: has such a deal; false: has none'),
});

/** The contact's service tickets by status and priority (e.g. "has an open urgent ticket"). */
export const ticketConditionSchema = z.object({
  kind: z.literal('ticket'),
  status: z
    .array(z.enum(TICKET_STATUSES))
    .min(1)
    .optional()
    .describe('Tickets in any of these statuses; open ones are new, open and pending'),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  present: z.boolean().default(true).describe('True: has such a ticket; false: has none'),
});

/** One predicate a branch can test; evaluated against the database by an activity. */
export const conditionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('attribute'),
    path: z.string().min(1).describe('Attribute path, e.g. "plan" or "address.country"'),
    op: comparison,
    value: z.unknown().optional(),
  }),
  z.object({
    kind: z.literal('tag'),
    tag: z.string().min(1),
    present: z.boolean().default(true).describe('True: contact has the tag; false: it does not'),
  }),
  z.object({
    kind: z.literal('event'),
    event: z.string().min(1).describe('Event name'),
    where: propertyFilterSchema.optional(),
    within: durationSchema.optional().describe('Only count events this recent'),
    minCount: z.number().int().min(0).default(1).describe('At least this many times (0 = never)'),
  }),
  z.object({
    kind: z.literal('segment'),
    segmentId: z.string().min(1),
    member: z.boolean().default(true),
  }),
  z.object({
    kind: z.literal('list'),
    list: z.string().min(1),
    member: z.boolean().default(true),
  }),
  z.object({
    kind: z.literal('message'),
    nodeId: z.string().optional().describe('The send node of this journey; any of this run when empty'),
    status: z.enum(['sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'suppressed']),
  }),
  z.object({
    kind: z.literal('step'),
    nodeId: z.string().min(1).describe('An earlier action node of this journey'),
    path: z.string().min(1).describe("Field of that node's output"),
    op: comparison,
    value: z.unknown().optional(),
  }),
  analyticsConditionSchema,
  engagementConditionSchema,
  dealConditionSchema,
  ticketConditionSchema,
]);

export const conditionGroupSchema = z.object({
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(conditionSchema).min(1),
});

export type Condition = z.infer<typeof conditionSchema>;
export type ConditionGroup = z.infer<typeof conditionGroupSchema>;

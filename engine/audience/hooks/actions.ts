import { z } from 'zod';
import { TICKET_CHANNELS, TICKET_PRIORITIES } from '../../../db/schema';
import { jsonPath } from './json-path';

/**
 * What a delivery does besides storing its event, so a form or a shop can drive the CRM without a
 * journey in between. Only the shape lives here; the CRM carries the actions out.
 */
const oneOf = (fixed: string, path: string) => (action: Record<string, unknown>, ctx: z.RefinementCtx) => {
  if ((action[fixed] === undefined) === (action[path] === undefined)) {
    ctx.addIssue({ code: 'custom', path: [fixed], message: `give exactly one of ${fixed} or ${path}` });
  }
};

export const hookDealActionSchema = z
  .object({
    type: z.literal('deal'),
    pipelineId: z.uuid().describe('The pipeline the deal is in'),
    stageId: z
      .uuid()
      .optional()
      .describe("Stage of a new deal (the pipeline's first when absent); an updated deal moves there"),
    title: z.string().trim().min(1).max(200).optional().describe('A fixed deal title'),
    titlePath: jsonPath.optional().describe('Where the title is in the payload, e.g. "company"'),
    valuePath: jsonPath.optional().describe('Where the deal value (a number) is, e.g. "budget"'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. "EUR"')
      .optional()
      .describe('The deal currency (EUR when absent)'),
    ownerUserId: z.uuid().optional().describe('The owner of a new deal, a member of the workspace'),
    updateOpenDeal: z
      .boolean()
      .default(false)
      .describe(
        'When the sender already has an open deal in this pipeline, update it (title, value, stage) instead of opening another',
      ),
  })
  .superRefine(oneOf('title', 'titlePath'));

export const hookTicketActionSchema = z
  .object({
    type: z.literal('ticket'),
    subject: z.string().trim().min(1).max(300).optional().describe('A fixed subject'),
    subjectPath: jsonPath.optional().describe('Where the subject is in the payload, e.g. "subject"'),
    descriptionPath: jsonPath.optional().describe('Where the description is, e.g. "message"'),
    priority: z.enum(TICKET_PRIORITIES).default('normal'),
    priorityPath: jsonPath
      .optional()
      .describe(`Where the priority is (${TICKET_PRIORITIES.join(', ')}); \`priority\` when absent there`),
    channel: z.enum(TICKET_CHANNELS).default('webhook'),
    queue: z.string().trim().min(1).max(100).optional().describe('The team queue it lands in'),
    assigneeUserId: z.uuid().optional().describe('A member whose role works tickets, instead of a queue'),
    tags: z.array(z.string().trim().min(1).max(64)).max(20).default([]),
  })
  .superRefine(oneOf('subject', 'subjectPath'))
  .superRefine((action, ctx) => {
    if (action.queue && action.assigneeUserId) {
      ctx.addIssue({ code: 'custom', path: ['queue'], message: 'give a queue or an assignee, not both' });
    }
  });

export const hookActionSchema = z.discriminatedUnion('type', [hookDealActionSchema, hookTicketActionSchema]);

export type HookAction = z.infer<typeof hookActionSchema>;
export type HookDealAction = z.infer<typeof hookDealActionSchema>;
export type HookTicketAction = z.infer<typeof hookTicketActionSchema>;

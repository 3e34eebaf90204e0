import { z } from 'zod';
import {
  ROLES,
  slaPolicies,
  ticketComments,
  ticketEscalations,
  ticketRatings,
  tickets,
} from '../../../db/schema';
import { rowSchema } from './common';

export const ticketSchema = rowSchema(tickets).meta({ id: 'Ticket' });
export const ticketPageSchema = z
  .object({
    data: z.array(ticketSchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'TicketPage' });
export const ticketCommentSchema = rowSchema(ticketComments).meta({ id: 'TicketComment' });
export const slaPolicySchema = rowSchema(slaPolicies).meta({ id: 'SlaPolicy' });
export const ticketEscalationSchema = rowSchema(ticketEscalations).meta({ id: 'TicketEscalation' });
export const ticketRatingSchema = rowSchema(ticketRatings).meta({ id: 'TicketRating' });

export const ticketDetailSchema = ticketSchema
  .extend({
    contact: z.object({ id: z.guid(), email: z.string().nullable(), externalId: z.string().nullable() }),
    comments: z.array(ticketCommentSchema),
    escalations: z.array(ticketEscalationSchema),
    rating: ticketRatingSchema.nullable(),
  })
  .meta({ id: 'TicketDetail' });

export const ticketAgentSchema = z
  .object({ userId: z.guid(), name: z.string(), email: z.string(), role: z.enum(ROLES) })
  .meta({ id: 'TicketAgent' });

const durationStats = z.object({
  count: z.number().int(),
  medianMinutes: z.number().nullable(),
  p90Minutes: z.number().nullable(),
});
const attainment = z.object({
  met: z.number().int(),
  breached: z.number().int(),
  open: z.number().int(),
  attainment: z.number().nullable(),
});
const csat = z.object({
  count: z.number().int(),
  average: z.number().nullable(),
  satisfied: z.number().nullable(),
});

export const ticketReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    bucket: z.enum(['day', 'week', 'month']),
    volume: z.object({
      created: z.number().int(),
      resolved: z.number().int(),
      byStatus: z.record(z.string(), z.number().int()),
      byPriority: z.record(z.string(), z.number().int()),
      byPeriod: z.array(
        z.object({ period: z.string(), created: z.number().int(), resolved: z.number().int() }),
      ),
    }),
    firstResponse: durationStats,
    resolution: durationStats,
    sla: z.object({ firstResponse: attainment, resolution: attainment }),
    csat: csat.extend({
      byAgent: z.array(csat.extend({ agentUserId: z.guid().nullable(), agent: z.string() })),
      byPeriod: z.array(csat.extend({ period: z.string() })),
    }),
  })
  .meta({ id: 'TicketReport' });

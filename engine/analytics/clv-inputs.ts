import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db';
import { events } from '../../db/schema';
import { InvalidInput } from '../errors';
import { CLV_CONVENTIONS, type ClvConvention, customerLifetimeValue } from './clv';
import { inSegment } from './segment-filter';
import { getPurchaseSettings, orderAmount } from './settings';

export const clvFormulaRequestSchema = z
  .object({
    margin: z
      .union([z.number(), z.array(z.number()).min(1).max(1000)])
      .optional()
      .describe('Margin per period; when absent, the yearly revenue of the contact or segment'),
    contactId: z.uuid().optional().describe('M = this contact’s revenue of the last 365 days'),
    segmentId: z.uuid().optional().describe('M = the mean revenue of the last 365 days per member'),
    marginRate: z.number().min(0).max(1).default(1).describe('Share of revenue that is margin'),
    rate: z.number().min(0).max(10).describe('Discount rate per period (year), e.g. 0.1'),
    periods: z.number().int().min(1).max(1000).default(5).describe('T, in years'),
    convention: z.enum(CLV_CONVENTIONS).default('formula'),
  })
  .refine((r) => [r.margin, r.contactId, r.segmentId].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of margin, contactId, segmentId',
    path: ['margin'],
  });
export type ClvFormulaRequest = z.input<typeof clvFormulaRequestSchema>;

/**
 * The seed's CLTV for given inputs, for one contact or for a segment's average member: M is
 * then the revenue of the last 365 days (times the margin rate), the same every year.
 */
export async function clvFormula(db: Db, workspaceId: string, input: ClvFormulaRequest) {
  const request = clvFormulaRequestSchema.parse(input);
  let margin = request.margin;
  let contacts: number | null = null;
  if (margin === undefined) {
    const settings = await getPurchaseSettings(db, workspaceId);
    const since = new Date(Date.now() - 365 * 86_400_000).toISOString();
    const who = request.contactId
      ? sql`and ${events.contactId} = ${request.contactId}`
      : inSegment(workspaceId, request.segmentId as string, sql`${events.contactId}`);
    const [row] = await queryRows<{ revenue: number }>(
      db,
      sql`select coalesce(sum(${orderAmount(settings)}), 0)::double precision as revenue from ${events}
        where ${events.workspaceId} = ${workspaceId} and ${events.name} = ${settings.purchaseEvent}
          and ${events.timestamp} >= ${since}::timestamptz ${who}`,
    );
    if (request.contactId) contacts = 1;
    else {
      const [count] = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from segment_members where workspace_id = ${workspaceId} and segment_id = ${request.segmentId}`,
      );
      contacts = Number(count.n);
      if (contacts === 0) throw new InvalidInput('segment_empty', 'The segment has no members', 'segmentId');
    }
    margin = (Number(row.revenue) / contacts) * request.marginRate;
  }
  const clv = customerLifetimeValue({
    margin,
    rate: request.rate,
    periods: request.periods,
    convention: request.convention as ClvConvention,
  });
  return { clv, margin, periods: request.periods, convention: request.convention, contacts };
}

import { z } from 'zod';
import { dealNotes, dealStageHistory, dealStages, deals, pipelines, ROLES } from '../../../db/schema';
import type { DealView } from '../../crm/deals/deals';
import type { PipelineView } from '../../crm/deals/pipelines';
import type { DealReports } from '../../crm/deals/reports';
import { describes, rowSchema } from './common';

export const stageSchema = rowSchema(dealStages).meta({ id: 'DealStage' });

export const pipelineSchema = describes<PipelineView>()(
  rowSchema(pipelines)
    .extend({ stages: z.array(stageSchema).describe('In board order') })
    .meta({ id: 'Pipeline' }),
);

export const dealSchema = describes<DealView>()(
  rowSchema(deals)
    .extend({
      stageName: z.string(),
      contacts: z.array(
        z.object({ id: z.guid(), email: z.string().nullable(), externalId: z.string().nullable() }),
      ),
      owner: z.object({ userId: z.guid(), name: z.string(), email: z.string() }).nullable(),
    })
    .meta({ id: 'Deal' }),
);

export const dealNoteSchema = rowSchema(dealNotes)
  .extend({ authorName: z.string().nullable() })
  .meta({ id: 'DealNote' });

export const dealStaySchema = rowSchema(dealStageHistory)
  .extend({ stageName: z.string() })
  .meta({ id: 'DealStageStay' });

export const dealOwnerSchema = z.object({
  userId: z.guid(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
});

const rate = z.number().nullable().describe('0–1; null when nothing to divide by');

export const dealReportsSchema = describes<DealReports>()(
  z
    .object({
      pipelineId: z.guid(),
      from: z.string(),
      to: z.string(),
      currency: z.string(),
      funnel: z.array(
        z.object({ stageId: z.guid(), stage: z.string(), reached: z.number(), conversionFromPrevious: rate }),
      ),
      timeInStage: z.array(
        z.object({
          stageId: z.guid(),
          stage: z.string(),
          stays: z.number(),
          averageSeconds: z.number().nullable(),
        }),
      ),
      winRate: z.object({ won: z.number(), lost: z.number(), rate }),
      forecast: z.array(
        z.object({ month: z.string(), deals: z.number(), value: z.number(), weightedValue: z.number() }),
      ),
      owners: z.array(
        z.object({
          ownerUserId: z.guid().nullable(),
          name: z.string(),
          won: z.number(),
          lost: z.number(),
          open: z.number(),
          wonValue: z.number(),
          winRate: rate,
        }),
      ),
    })
    .meta({ id: 'DealReports' }),
);

import { z } from 'zod';
import { journeyMigrations, journeyRunMigrations } from '../../../db/schema';
import type { MigrationPreview } from '../../automation/runs/migration';
import type { JourneyTiming } from '../../automation/runs/timing';
import type { SplitReport } from '../../operations/journey-split-report';
import type { PushReport } from '../../operations/journeys-as-code';
import { describes, rowSchema } from './common';
import { problemSchema } from './journeys';

const action = z.enum(['created', 'updated', 'unchanged']);

export const pushReportSchema = describes<PushReport>()(
  z
    .object({
      applied: z.boolean().describe('False on a dry run or when problems refused the push'),
      journeys: z.array(
        z.object({
          name: z.string(),
          action,
          id: z.string().optional(),
          publishedVersion: z.number().optional(),
        }),
      ),
      templates: z.array(z.object({ name: z.string(), action })),
      segments: z.array(z.object({ name: z.string(), action })),
      problems: z.array(problemSchema.extend({ journey: z.string() })),
    })
    .meta({ id: 'CodePushReport' }),
);

export const migrationRequestSchema = z.object({
  toVersion: z
    .number()
    .int()
    .positive()
    .max(2_147_483_647)
    .optional()
    .describe('The active version when absent'),
  mapping: z
    .record(z.string().max(64), z.string().max(64).nullable())
    .optional()
    .describe('Old node id → node of the new version, or null to let its runs finish on their version'),
  keepAll: z.boolean().optional().describe('Every run finishes on its old version'),
  pastTimers: z
    .enum(['fire', 'restart'])
    .optional()
    .describe('A wait kept at the same node whose time is over: continue at once (fire) or restart it'),
});

const sendCount = z.object({ nodeId: z.string(), runs: z.number() });

export const migrationPreviewSchema = describes<MigrationPreview>()(
  z
    .object({
      journeyId: z.string(),
      toVersion: z.number(),
      pastTimers: z.enum(['fire', 'restart']),
      total: z.number().describe('Running runs of earlier versions'),
      moving: z.number(),
      staying: z.number(),
      groups: z.array(
        z.object({
          fromVersion: z.number(),
          fromNode: z.string().nullable(),
          fromType: z.string().nullable(),
          toNode: z.string().nullable(),
          how: z.enum(['same-node', 'mapped', 'unmapped', 'kept']),
          runs: z.number(),
          skipsSends: z.array(sendCount),
          repeatsSends: z.array(sendCount),
          pastTimers: z.number(),
          inAction: z.number(),
        }),
      ),
      unmappedNodes: z.array(z.string()),
    })
    .meta({ id: 'MigrationPreview' }),
);

export const migrationSchema = rowSchema(journeyMigrations).meta({ id: 'JourneyMigration' });

export const runMigrationSchema = rowSchema(journeyRunMigrations).meta({ id: 'JourneyRunMigration' });

const spread = z.object({ visits: z.number(), medianMs: z.number(), p95Ms: z.number() });

export const journeyTimingSchema = describes<JourneyTiming>()(
  z
    .object({
      version: z.number().nullable(),
      nodes: z.array(
        spread.extend({
          nodeId: z.string(),
          send: z
            .object({
              onTime: spread,
              deferred: spread,
              deferredBy: z
                .object({ quietHours: spread, frequencyCap: spread, other: spread })
                .describe(
                  'The deferred sends by what held them back first (rate limits and older visits: other)',
                ),
            })
            .optional()
            .describe('Sends: due → sent, with sends deferred by quiet hours or caps apart'),
        }),
      ),
    })
    .meta({ id: 'JourneyTiming' }),
);

const rate = z.number().min(0).max(1);

export const splitReportSchema = describes<SplitReport>()(
  z
    .object({
      journeyId: z.string(),
      nodeId: z.string(),
      metric: z.enum(['open', 'click', 'conversion']),
      branches: z.array(
        z.object({
          branch: z.string(),
          weight: z.number().nullable(),
          runs: z.number().describe('Runs that left the split by this branch'),
          sent: z.number().describe('Of those, runs sent a message after the split'),
          opened: z.number(),
          clicked: z.number(),
          converted: z.number().describe('Runs that reached the goal'),
          openRate: rate.describe('opened / sent'),
          clickRate: rate.describe('clicked / sent'),
          conversionRate: rate.describe('converted / runs'),
        }),
      ),
      winner: z.string().nullable(),
      significance: z
        .object({ z: z.number(), pValue: z.number(), significant: z.boolean(), runnerUp: z.string() })
        .nullable()
        .describe('The winner against the runner-up: two-proportion z-test, two-sided, p < 0.05'),
    })
    .meta({ id: 'SplitReport' }),
);

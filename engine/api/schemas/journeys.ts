import { z } from 'zod';
import { journeyRuns, journeys, journeyVersions, nodeVisits } from '../../../db/schema';
import { type JourneyGraph, journeyGraphSchema, journeyNodeSchema } from '../../automation/journeys/model';
import type { JourneyTemplate } from '../../automation/journeys/templates';
import type { UpgradeCheck, UpgradeProblem } from '../../automation/journeys/upgrade-node';
import { allProblemCodes, type Problem, type ValidationResult } from '../../automation/journeys/validate';
import type { VersionDiff } from '../../automation/journeys/version-diff';
import type { NodeTypeInfo } from '../../automation/nodes/registry';
import type { EnrollResult } from '../../automation/runs/enroll';
import type { JourneyCounts, PathStep, RunWithPath } from '../../automation/runs/queries';
import type { MessageStats } from '../../messaging/messages/node-stats';
import type { changeJourneyStatus } from '../../operations/journey-lifecycle';
import type { SimulationResult } from '../../simulate/simulator';
import { describes, type Json, rowSchema, stored } from './common';

export const journeySchema = rowSchema(journeys, { draft: stored(journeyGraphSchema, 'JourneyGraph') }).meta({
  id: 'Journey',
});

export const journeyVersionSchema = rowSchema(journeyVersions, {
  graph: stored(journeyGraphSchema, 'JourneyGraph'),
  plan: z.record(z.string(), z.unknown()).describe('The compiled execution plan'),
}).meta({ id: 'JourneyVersion' });

export const journeyTemplateSchema = describes<Omit<JourneyTemplate, 'graph'>>()(
  z
    .object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      graph: journeyGraphSchema.describe('A draft to create a journey from'),
      messageTemplates: z
        .array(
          z.object({
            name: z.string(),
            channel: z.enum(['email', 'sms']),
            subject: z.string().optional(),
            body: z.string(),
            html: z.string().optional(),
          }),
        )
        .optional()
        .describe('Message templates created with the journey in a workspace that lacks them'),
    })
    .meta({ id: 'JourneyTemplate' }),
);

/** Templates are written in the graph's input form; the answer shows them with defaults applied. */
export const withParsedGraph = (template: JourneyTemplate) => ({
  ...template,
  graph: journeyGraphSchema.parse(template.graph),
});

const nodeVisit = rowSchema(nodeVisits);
export const pathStepSchema = describes<PathStep>()(
  nodeVisit
    .pick({
      nodeId: true,
      visit: true,
      port: true,
      enteredAt: true,
      leftAt: true,
      outcome: true,
    })
    .extend({
      message: z
        .object({
          id: z.uuid(),
          channel: z.string(),
          status: z.string().describe('Its status now: sent, delivered, opened, clicked, bounced, failed...'),
          reason: z.string().nullable(),
        })
        .optional()
        .describe('The message a send node sent at this visit'),
    }),
);

export const runSchema = describes<RunWithPath>()(
  rowSchema(journeyRuns)
    .extend({ path: z.array(pathStepSchema).describe('The nodes the run visited, in order') })
    .meta({ id: 'Run' }),
);

const messageCounts = {
  delivered: z.number(),
  opened: z.number(),
  clicked: z.number(),
  unsubscribed: z.number(),
  bounced: z.number(),
  converted: z.number(),
};

export const messageStatsSchema = z
  .object({
    sent: z.number(),
    ...messageCounts,
    rates: z.object(messageCounts).describe('Each count divided by the messages sent'),
  })
  .meta({ id: 'MessageStats' }) satisfies z.ZodType<MessageStats>;

export const nodeCountsSchema = z.object({
  entered: z.number(),
  waiting: z.number(),
  ports: z.record(z.string(), z.number()),
  messages: messageStatsSchema.optional().describe("A send node's messages (test contacts left out)"),
});

export const journeyCountsSchema = describes<JourneyCounts>()(
  z
    .object({
      version: z.number().nullable(),
      entryKey: z.string().nullable().describe('The entry key the counts are narrowed to; null for all runs'),
      keys: z
        .number()
        .describe('Distinct entry keys among the counted runs; 0 when the trigger names no key'),
      entered: z.number(),
      running: z.number(),
      converted: z.number(),
      conversionRate: z.number(),
      nodes: z.record(z.string(), nodeCountsSchema),
    })
    .meta({ id: 'JourneyCounts' }),
);

export const problemSchema = describes<Problem>()(
  z.object({
    code: z.enum(allProblemCodes),
    severity: z.enum(['error', 'warning']),
    message: z.string(),
    nodeId: z.string().optional(),
    edgeId: z.string().optional(),
    field: z.string().optional(),
    link: z
      .object({
        kind: z.enum(['template', 'segment', 'journey']),
        id: z.string().optional(),
        name: z.string(),
      })
      .optional(),
  }),
);

export const validationResultSchema = describes<ValidationResult>()(
  z
    .object({
      valid: z.boolean(),
      errors: z.array(problemSchema),
      warnings: z.array(problemSchema),
    })
    .meta({ id: 'ValidationResult' }),
);

const enrolled = z.object({
  enrolled: z.literal(true),
  workflowId: z.string(),
  entry: z.number(),
  version: z.number(),
  entryKey: z.string().optional().describe('The trigger key the run is for, on keyed entry'),
});
const notEnrolled = z.object({
  enrolled: z.literal(false),
  reason: z.string(),
  workflowId: z.string().optional(),
  heldOut: z
    .literal(true)
    .optional()
    .describe("The contact fell in the journey's holdout (control group): recorded, no run started"),
});
export const enrollResultSchema = describes<EnrollResult>()(z.union([enrolled, notEnrolled]));

/** One line of `POST /v1/journeys/:id/enroll`: the contact and what enrolling it did. */
export const enrollOutcomeSchema = z
  .union([enrolled.extend({ contactId: z.guid() }), notEnrolled.extend({ contactId: z.guid() })])
  .meta({ id: 'EnrollOutcome' });

export const journeyStatusChangeSchema = describes<Awaited<ReturnType<typeof changeJourneyStatus>>>()(
  journeySchema
    .extend({
      runsSignalled: z.number().describe('Running runs told to pause, resume or exit'),
      missedEnrolled: z.number().describe('Segment entries made during the pause, enrolled on resume'),
      missedHeldOut: z
        .number()
        .describe("Segment entries made during the pause placed in the journey's holdout on resume"),
    })
    .meta({ id: 'JourneyStatusChange' }),
);

const portSpecSchema = z.object({
  id: z.string(),
  label: z.string(),
  whenUnconnected: z.enum(['exit', 'next']).optional(),
});

export const nodeTypeSchema = describes<NodeTypeInfo>()(
  z
    .object({
      type: z.string(),
      version: z.number(),
      kind: z.enum(['trigger', 'control', 'action']),
      title: z.string(),
      category: z.string(),
      description: z.string().optional(),
      ports: z.array(portSpecSchema),
      dynamicPorts: z.boolean(),
      configSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of the node config'),
      latest: z.boolean(),
    })
    .meta({ id: 'NodeType' }),
);

export const upgradeProblemSchema = describes<UpgradeProblem>()(
  z.object({
    code: z.enum(['config_invalid', 'port_removed']),
    message: z.string(),
    field: z.string().optional(),
  }),
);

export const upgradeCheckSchema = describes<Omit<UpgradeCheck, 'journey'>>()(
  z
    .object({
      nodeId: z.string(),
      type: z.string(),
      from: z.number(),
      to: z.number(),
      upgradable: z.boolean(),
      problems: z.array(upgradeProblemSchema),
      node: journeyNodeSchema,
      applied: z.boolean(),
      journey: journeySchema.optional().describe('The saved journey, when applied'),
    })
    .meta({ id: 'UpgradeCheck' }),
);

export const simulationResultSchema = describes<
  SimulationResult & { source: 'draft' | 'active'; version: number | null }
>()(
  z
    .object({
      status: z.enum([
        'completed',
        'converted',
        'exited',
        'failed',
        'cancelled',
        'not-entered',
        'unfinished',
      ]),
      reason: z.string(),
      source: z.enum(['draft', 'active']),
      version: z.number().nullable(),
      startedAt: z.string().nullable().describe('Simulated instant the contact entered'),
      durationMs: z.number(),
      steps: z.array(
        z.object({
          nodeId: z.string(),
          type: z.string(),
          label: z.string().optional(),
          visit: z.number(),
          port: z.string().nullable(),
          atMs: z.number(),
          leftAtMs: z.number().nullable(),
          outcome: z.record(z.string(), z.unknown()).nullable(),
        }),
      ),
      events: z.array(
        z.object({
          event: z.string(),
          atMs: z.number(),
          outcome: z.enum(['trigger', 'delivered', 'before-entry', 'after-end']),
        }),
      ),
      messages: z.array(
        z.object({
          nodeId: z.string().nullable(),
          channel: z.string(),
          recipient: z.string().nullable(),
          subject: z.string().nullable(),
          body: z.string().nullable(),
          status: z.string(),
          atMs: z.number(),
        }),
      ),
      contact: z.object({ attributes: z.record(z.string(), z.unknown()), tags: z.array(z.string()) }),
    })
    .meta({ id: 'SimulationResult' }),
);

/** The answers as the builder receives them (JSON: dates are ISO strings). */
export type Journey = Json<Omit<z.output<typeof journeySchema>, 'draft'> & { draft: JourneyGraph }>;
export type JourneyVersion = Json<
  Omit<z.output<typeof journeyVersionSchema>, 'graph'> & { graph: JourneyGraph }
>;
export type JourneyTemplateView = Json<z.output<typeof journeyTemplateSchema>>;
export type Run = Json<z.output<typeof runSchema>>;
export type PathStepView = Json<z.output<typeof pathStepSchema>>;
export type NodeType = Json<z.output<typeof nodeTypeSchema>>;
export type UpgradeCheckView = Json<
  Omit<z.output<typeof upgradeCheckSchema>, 'journey'> & { journey?: Journey }
>;
export type SimulationResultView = Json<z.output<typeof simulationResultSchema>>;

const fieldChangeSchema = z.object({
  path: z.string().describe('Dotted path, e.g. config.duration.amount'),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
const nodeSummarySchema = z.object({ id: z.string(), type: z.string(), label: z.string().optional() });
const edgeSummarySchema = z.object({ source: z.string(), port: z.string(), target: z.string() });
const versionRefSchema = z.union([z.number().int(), z.literal('draft')]);

export const versionDiffSchema = describes<VersionDiff>()(
  z
    .object({
      from: versionRefSchema,
      to: versionRefSchema,
      nodes: z.object({
        added: z.array(nodeSummarySchema),
        removed: z.array(nodeSummarySchema),
        changed: z.array(nodeSummarySchema.extend({ fields: z.array(fieldChangeSchema) })),
      }),
      edges: z.object({
        added: z.array(edgeSummarySchema),
        removed: z.array(edgeSummarySchema),
        rewired: z.array(
          z.object({ source: z.string(), port: z.string(), before: z.string(), after: z.string() }),
        ),
      }),
      settings: z.array(fieldChangeSchema),
      same: z.boolean().describe('Nothing differs but node positions'),
    })
    .meta({ id: 'VersionDiff' }),
);

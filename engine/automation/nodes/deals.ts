import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { dealContacts, deals, ROLES } from '../../../db/schema';
import { createDeal, updateDeal } from '../../crm/deals/deals';
import { assignOwnerInTurn } from '../../crm/deals/round-robin';
import { DomainError } from '../../errors';
import { defineNode, type NodeContext, nextPort } from '../../sdk/define-node';
import { NodeError } from '../../sdk/node-error';

const missingPort = { id: 'missing', label: 'No deal', whenUnconnected: 'exit' as const };

const dealSelector = z
  .enum(['trigger', 'latest'])
  .default('latest')
  .describe(
    'Which deal: the one of the entry event (a "Deal Created" or "Deal Stage Changed" trigger), or the contact\'s most recently changed open deal',
  );

/** The deal a node acts on, or undefined when the contact has none. */
async function findDeal(ctx: NodeContext, from: 'trigger' | 'latest', pipelineId?: string) {
  if (from === 'trigger') {
    const id = ctx.trigger?.properties?.dealId;
    if (typeof id !== 'string') return undefined;
    const [row] = await ctx.db
      .select({ id: deals.id })
      .from(deals)
      .where(and(eq(deals.workspaceId, ctx.workspaceId), eq(deals.id, id)));
    return row?.id;
  }
  const mine = ctx.db
    .select({ id: dealContacts.dealId })
    .from(dealContacts)
    .where(and(eq(dealContacts.workspaceId, ctx.workspaceId), eq(dealContacts.contactId, ctx.contact.id)));
  const [row] = await ctx.db
    .select({ id: deals.id })
    .from(deals)
    .where(
      and(
        eq(deals.workspaceId, ctx.workspaceId),
        eq(deals.status, 'open'),
        inArray(deals.id, mine),
        pipelineId ? eq(deals.pipelineId, pipelineId) : undefined,
      ),
    )
    .orderBy(desc(deals.updatedAt), desc(deals.createdAt))
    .limit(1);
  return row?.id;
}

/** Bad configuration (a stage of another pipeline, an owner who left) fails the node, never retries. */
async function asNodeError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.expected)
      throw NodeError.fatal(error.message, { code: error.code, field: error.field });
    throw error;
  }
}

export const dealCreate = defineNode({
  type: 'deal.create',
  version: 1,
  kind: 'action',
  title: 'Create deal',
  category: 'CRM',
  description: 'Opens a deal for the contact in a pipeline; a retried step creates it once.',
  config: z.object({
    pipelineId: z.uuid().describe('Pipeline'),
    stageId: z.uuid().optional().describe("Stage; the pipeline's first when absent"),
    title: z.string().min(1).max(200).describe('Deal title'),
    titleProperty: z
      .string()
      .min(1)
      .optional()
      .describe('Take the title from this property of the entry event when it has one, e.g. "company"'),
    value: z.number().min(0).default(0),
    valueProperty: z
      .string()
      .min(1)
      .optional()
      .describe('Take the value from this property of the entry event instead, e.g. "total"'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('EUR'),
    ownerUserId: z.uuid().optional().describe('Owner (a member)'),
  }),
  ports: [nextPort],
  summary: (c) => `Create deal “${c.title}”`,
  async execute(config, ctx) {
    const properties = ctx.trigger?.properties ?? {};
    const fromEvent = config.valueProperty ? Number(properties[config.valueProperty]) : Number.NaN;
    const title = config.titleProperty ? properties[config.titleProperty] : undefined;
    const deal = await asNodeError(() =>
      createDeal(
        ctx.db,
        ctx.workspaceId,
        {
          title: typeof title === 'string' && title.trim() ? title.trim().slice(0, 200) : config.title,
          pipelineId: config.pipelineId,
          stageId: config.stageId,
          value: Number.isFinite(fromEvent) && fromEvent >= 0 ? fromEvent : config.value,
          currency: config.currency,
          ownerUserId: config.ownerUserId ?? null,
          contactIds: [ctx.contact.id],
        },
        { userId: null },
        { sourceKey: `node:${ctx.idempotencyKey}` },
      ),
    );
    return { output: { dealId: deal.id, stageId: deal.stageId } };
  },
});

export const dealUpdate = defineNode({
  type: 'deal.update',
  version: 1,
  kind: 'action',
  title: 'Update deal',
  category: 'CRM',
  description: "Moves the contact's deal to a stage and/or gives it an owner.",
  config: z
    .object({
      deal: dealSelector,
      pipelineId: z.uuid().optional().describe('Only deals of this pipeline (for "latest")'),
      stageId: z.uuid().optional().describe('Move to this stage (of the deal’s pipeline)'),
      ownerUserId: z.uuid().optional().describe('New owner (a member)'),
    })
    .refine((c) => c.stageId || c.ownerUserId, { message: 'stageId or ownerUserId must change something' }),
  ports: [nextPort, missingPort],
  summary: (c) => [c.stageId && 'move stage', c.ownerUserId && 'set owner'].filter(Boolean).join(', '),
  async execute(config, ctx) {
    const dealId = await findDeal(ctx, config.deal, config.pipelineId);
    if (!dealId) return { port: 'missing' };
    const deal = await asNodeError(() =>
      updateDeal(
        ctx.db,
        ctx.workspaceId,
        dealId,
        { stageId: config.stageId, ownerUserId: config.ownerUserId },
        { userId: null },
      ),
    );
    return { output: { dealId: deal.id, stageId: deal.stageId, ownerUserId: deal.ownerUserId } };
  },
});

export const dealAssignOwner = defineNode({
  type: 'deal.assign-owner',
  version: 1,
  kind: 'action',
  title: 'Assign deal owner (round-robin)',
  category: 'CRM',
  description: "Gives the contact's deal to the next member with a role, in turn.",
  config: z.object({
    deal: dealSelector,
    pipelineId: z.uuid().optional().describe('Only deals of this pipeline (for "latest")'),
    role: z.enum(ROLES).default('sales').describe('Members with this role take turns'),
  }),
  ports: [nextPort, missingPort],
  summary: (c) => `Round-robin among ${c.role}`,
  async execute(config, ctx) {
    const dealId = await findDeal(ctx, config.deal, config.pipelineId);
    if (!dealId) return { port: 'missing' };
    const ownerUserId = await asNodeError(() =>
      assignOwnerInTurn(ctx.db, {
        workspaceId: ctx.workspaceId,
        dealId,
        role: config.role,
        contactId: ctx.contact.id,
        key: ctx.idempotencyKey,
      }),
    );
    return { output: { dealId, ownerUserId } };
  },
});

export const dealNodes = [dealCreate, dealUpdate, dealAssignOwner];

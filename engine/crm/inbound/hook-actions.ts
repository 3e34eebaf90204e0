import { createHash } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db';
import { dealContacts, deals, events, TICKET_PRIORITIES, type TicketPriority } from '../../../db/schema';
import type { HookAction, HookDealAction, HookTicketAction } from '../../audience/hooks/actions';
import { valueAt } from '../../audience/hooks/json-path';
import type { VerifiedDelivery } from '../../audience/hooks/receive';
import { DomainError, InvalidInput, NotFound } from '../../errors';
import { checkOwner, createDeal, updateDeal } from '../deals/deals';
import { getPipeline } from '../deals/pipelines';
import { checkAssignee } from '../tickets/assignees';
import type { SlaTemporal } from '../tickets/sla';
import { createTicket } from '../tickets/tickets';

/** What the actions of one delivery did: the deals opened or updated and the tickets opened. */
export interface HookActionResult {
  deals: string[];
  tickets: string[];
}

const fieldOf = (index: number, field: string) => `mapping.actions.${index}.${field}`;

/** Re-raises a domain refusal about an action's field as one naming that action in the mapping. */
async function naming<T>(index: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'invalid' && error.field) {
      throw new InvalidInput(error.code, error.message, fieldOf(index, error.field), error.details);
    }
    if (error instanceof NotFound && error.code === 'pipeline_not_found') {
      throw new InvalidInput('pipeline_not_found', error.message, fieldOf(index, 'pipelineId'));
    }
    throw error;
  }
}

/**
 * Checks what the actions point at in the workspace (pipeline, stage, owner, assignee), so a
 * mapping that cannot work is refused when it is saved, naming the field, not at the first lead.
 */
export async function checkHookActions(
  db: Db,
  workspaceId: string,
  actions: HookAction[] | undefined,
): Promise<void> {
  for (const [index, action] of (actions ?? []).entries()) {
    await naming(index, async () => {
      if (action.type === 'deal') {
        const pipeline = await getPipeline(db, workspaceId, action.pipelineId);
        if (action.stageId && !pipeline.stages.some((s) => s.id === action.stageId)) {
          throw new InvalidInput(
            'stage_not_in_pipeline',
            `Stage ${action.stageId} is not a stage of pipeline ${pipeline.name}`,
            'stageId',
          );
        }
        if (action.ownerUserId) await checkOwner(db, workspaceId, action.ownerUserId);
      } else if (action.assigneeUserId) {
        await checkAssignee(db, workspaceId, action.assigneeUserId);
      }
    });
  }
}

function text(payload: unknown, path: string, field: string, index: number): string | undefined {
  const value = valueAt(payload, path);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value).trim() || undefined;
  throw new InvalidInput('payload_unmapped', `the value at ${path} is not text`, fieldOf(index, field));
}

function required(payload: unknown, path: string, field: string, index: number, what: string): string {
  const value = text(payload, path, field, index);
  if (!value) throw new InvalidInput('payload_unmapped', `no ${what} at ${path}`, fieldOf(index, field));
  return value;
}

interface DealFields {
  title: string | undefined;
  value: number | undefined;
}

function dealFields(action: HookDealAction, payload: unknown, index: number): DealFields {
  const title =
    action.title ?? required(payload, action.titlePath as string, 'titlePath', index, 'deal title');
  let value: number | undefined;
  const raw = valueAt(payload, action.valuePath);
  if (raw !== undefined && raw !== null && raw !== '') {
    value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidInput(
        'payload_unmapped',
        `the value at ${action.valuePath} is not an amount (a number of at least 0)`,
        fieldOf(index, 'valuePath'),
      );
    }
  }
  return { title: title.slice(0, 200), value };
}

interface TicketFields {
  subject: string;
  description: string;
  priority: TicketPriority;
}

function ticketFields(action: HookTicketAction, payload: unknown, index: number): TicketFields {
  const subject =
    action.subject ?? required(payload, action.subjectPath as string, 'subjectPath', index, 'ticket subject');
  const description = action.descriptionPath
    ? (text(payload, action.descriptionPath, 'descriptionPath', index) ?? '')
    : '';
  const named = action.priorityPath ? text(payload, action.priorityPath, 'priorityPath', index) : undefined;
  const priority = named?.toLowerCase() ?? action.priority;
  if (!TICKET_PRIORITIES.includes(priority as TicketPriority)) {
    throw new InvalidInput(
      'payload_unmapped',
      `the priority at ${action.priorityPath} is "${named}", not one of ${TICKET_PRIORITIES.join(', ')}`,
      fieldOf(index, 'priorityPath'),
    );
  }
  return {
    subject: subject.slice(0, 300),
    description: description.slice(0, 20_000),
    priority: priority as TicketPriority,
  };
}

export interface ApplyDeps {
  db: Db;
  /** Where tickets' SLA timers run. */
  sla?: SlaTemporal;
}

export type PlannedHookAction =
  | { type: 'deal'; index: number; action: HookDealAction; fields: DealFields }
  | { type: 'ticket'; index: number; action: HookTicketAction; fields: TicketFields };

/**
 * Reads what every action needs from a delivery's payload, before anything is stored: a payload
 * the mapping cannot use is refused naming the action's field (`mapping.actions.0.valuePath`).
 */
export function planHookActions(delivery: VerifiedDelivery): PlannedHookAction[] {
  return (delivery.mapping.actions ?? []).map((action, index) =>
    action.type === 'deal'
      ? { type: 'deal', index, action, fields: dealFields(action, delivery.payload, index) }
      : { type: 'ticket', index, action, fields: ticketFields(action, delivery.payload, index) },
  );
}

/** A stable id per (delivery, action): a redelivered webhook finds the ticket it opened. */
function ticketIdFor(messageId: string, index: number): string {
  const hex = createHash('sha256').update(`hook-ticket:${messageId}:${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function senderOf(db: Db, delivery: VerifiedDelivery): Promise<string> {
  const [row] = await db
    .select({ contactId: events.contactId })
    .from(events)
    .where(and(eq(events.workspaceId, delivery.workspaceId), eq(events.messageId, delivery.messageId)));
  if (!row?.contactId) throw new NotFound('Event', delivery.messageId);
  return row.contactId;
}

async function openDealOf(db: Db, workspaceId: string, pipelineId: string, contactId: string) {
  const [row] = await db
    .select({ id: deals.id })
    .from(deals)
    .innerJoin(dealContacts, eq(dealContacts.dealId, deals.id))
    .where(
      and(
        eq(deals.workspaceId, workspaceId),
        eq(deals.pipelineId, pipelineId),
        eq(deals.status, 'open'),
        eq(dealContacts.contactId, contactId),
      ),
    )
    .orderBy(desc(deals.createdAt))
    .limit(1);
  return row?.id;
}

/**
 * Carries out the planned actions for the delivery's sender. Each is keyed on the delivery's
 * message id, so running them again for a redelivery (or after a failure half-way) opens nothing
 * twice: a deal is found by its source key, a ticket by its derived id.
 */
export async function applyHookActions(
  deps: ApplyDeps,
  delivery: VerifiedDelivery,
  planned: PlannedHookAction[],
  contactId?: string,
): Promise<HookActionResult> {
  const result: HookActionResult = { deals: [], tickets: [] };
  if (planned.length === 0) return result;
  const { db } = deps;
  const { workspaceId } = delivery;
  const sender = contactId ?? (await senderOf(db, delivery));
  const actor = { userId: null, label: `webhook ${delivery.hookId}` };
  for (const step of planned) {
    await naming(step.index, async () => {
      if (step.type === 'deal') {
        const { action, fields } = step;
        const existing = action.updateOpenDeal
          ? await openDealOf(db, workspaceId, action.pipelineId, sender)
          : undefined;
        const deal = existing
          ? await updateDeal(
              db,
              workspaceId,
              existing,
              {
                title: fields.title,
                ...(fields.value !== undefined && { value: fields.value }),
                ...(action.stageId && { stageId: action.stageId }),
              },
              actor,
            )
          : await createDeal(
              db,
              workspaceId,
              {
                title: fields.title as string,
                pipelineId: action.pipelineId,
                stageId: action.stageId,
                value: fields.value ?? 0,
                currency: action.currency,
                ownerUserId: action.ownerUserId,
                contactIds: [sender],
              },
              actor,
              { sourceKey: `${delivery.messageId}:${step.index}` },
            );
        result.deals.push(deal.id);
      } else {
        const { action, fields } = step;
        const ticket = await createTicket(
          { db, sla: deps.sla },
          workspaceId,
          {
            ...fields,
            contactId: sender,
            channel: action.channel,
            queue: action.queue ?? null,
            assigneeUserId: action.assigneeUserId ?? null,
            tags: action.tags,
          },
          actor,
          { id: ticketIdFor(delivery.messageId, step.index) },
        );
        result.tickets.push(ticket.id);
      }
    });
  }
  return result;
}

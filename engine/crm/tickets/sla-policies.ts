import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { slaPolicies, TICKET_PRIORITIES, type TicketPriority } from '../../../db/schema';
import { InvalidInput, NotFound } from '../../errors';
import { checkAssignee } from './assignees';

export type SlaPolicyRow = typeof slaPolicies.$inferSelect;

const minutes = z
  .number()
  .int()
  .min(1)
  .max(60 * 24 * 365);

export const slaPolicyInputSchema = z.object({
  priority: z.enum(TICKET_PRIORITIES),
  firstResponseMinutes: minutes.describe('Minutes from creation to the first reply'),
  resolutionMinutes: minutes.describe('Minutes from creation to resolution'),
  escalateToUserId: z.uuid().nullable().default(null).describe('On breach, reassign to this agent'),
  escalateToQueue: z.string().trim().min(1).max(100).nullable().default(null).describe('…or to this queue'),
  notifyEmail: z.email().nullable().default(null).describe('On breach, e-mail this address'),
  raisePriority: z.boolean().default(true).describe('On breach, raise the priority one step'),
});
export type SlaPolicyInput = z.input<typeof slaPolicyInputSchema>;

export async function listSlaPolicies(db: Db, workspaceId: string): Promise<SlaPolicyRow[]> {
  const rows = await db
    .select()
    .from(slaPolicies)
    .where(eq(slaPolicies.workspaceId, workspaceId))
    .orderBy(asc(slaPolicies.createdAt));
  return rows.sort((a, b) => TICKET_PRIORITIES.indexOf(a.priority) - TICKET_PRIORITIES.indexOf(b.priority));
}

/** Sets the policy of a priority (one per priority); it applies to tickets created from now on. */
export async function saveSlaPolicy(db: Db, workspaceId: string, raw: SlaPolicyInput): Promise<SlaPolicyRow> {
  const input = slaPolicyInputSchema.parse(raw);
  if (input.resolutionMinutes < input.firstResponseMinutes) {
    throw new InvalidInput(
      'sla_resolution_before_response',
      'The resolution target cannot be shorter than the first-response target',
      'resolutionMinutes',
    );
  }
  if (input.escalateToUserId && input.escalateToQueue) {
    throw new InvalidInput(
      'sla_escalate_both',
      'Escalate to a user or to a queue, not both',
      'escalateToQueue',
    );
  }
  if (input.escalateToUserId)
    await checkAssignee(db, workspaceId, input.escalateToUserId, 'escalateToUserId');
  const values = { ...input, workspaceId, updatedAt: new Date() };
  const [row] = await db
    .insert(slaPolicies)
    .values(values)
    .onConflictDoUpdate({ target: [slaPolicies.workspaceId, slaPolicies.priority], set: values })
    .returning();
  return row;
}

export async function deleteSlaPolicy(db: Db, workspaceId: string, priority: TicketPriority): Promise<void> {
  const rows = await db
    .delete(slaPolicies)
    .where(and(eq(slaPolicies.workspaceId, workspaceId), eq(slaPolicies.priority, priority)))
    .returning({ id: slaPolicies.id });
  if (!rows.length) throw new NotFound('SLA policy', priority);
}

export async function policyFor(
  db: Db,
  workspaceId: string,
  priority: TicketPriority,
): Promise<SlaPolicyRow | undefined> {
  const [row] = await db
    .select()
    .from(slaPolicies)
    .where(and(eq(slaPolicies.workspaceId, workspaceId), eq(slaPolicies.priority, priority)));
  return row;
}

/** The due times of a ticket of `priority` created at `from`; null where no policy applies. */
export async function dueTimes(
  db: Db,
  workspaceId: string,
  priority: TicketPriority,
  from: Date,
): Promise<{ firstResponseDueAt: Date | null; resolutionDueAt: Date | null }> {
  const policy = await policyFor(db, workspaceId, priority);
  if (!policy) return { firstResponseDueAt: null, resolutionDueAt: null };
  return {
    firstResponseDueAt: new Date(from.getTime() + policy.firstResponseMinutes * 60_000),
    resolutionDueAt: new Date(from.getTime() + policy.resolutionMinutes * 60_000),
  };
}

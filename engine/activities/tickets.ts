import type { Db } from '../../db';
import type { SlaTarget } from '../../db/schema';
import { escalateTicket } from '../crm/tickets/escalate';
import type { SecretBox } from '../identity/secret-box';
import { sendAccountEmail } from '../messaging/messages/account-email';

export interface TicketActivityDeps {
  db: Db;
  /** Opens the workspace's email channel for the breach notice. */
  secretBox: SecretBox;
}

/** Activities of the ticket SLA workflow (`workflows/ticket-sla.ts`). */
export function createTicketActivities({ db, secretBox }: TicketActivityDeps) {
  return {
    /**
     * Escalates a breached target once and tells the person the policy names; the notice's
     * idempotency key is the escalation's id, so a retry never sends it twice.
     */
    async escalateTicket(input: { workspaceId: string; ticketId: string; target: SlaTarget }) {
      const outcome = await escalateTicket(db, input.workspaceId, input.ticketId, input.target);
      if (outcome.escalated && outcome.notify) {
        const what = input.target === 'first_response' ? 'first response' : 'resolution';
        const { escalation } = outcome;
        await sendAccountEmail(db, secretBox, {
          workspaceId: input.workspaceId,
          to: outcome.notify,
          subject: `SLA breached: ${outcome.subject}`,
          text: [
            `The ${what} target of the ticket "${outcome.subject}" was due at ${escalation.dueAt.toISOString()} and was missed.`,
            `Priority: ${escalation.fromPriority} → ${escalation.toPriority}.`,
            escalation.toQueue ? `Now in the queue ${escalation.toQueue}.` : '',
            `Ticket: ${input.ticketId}`,
          ]
            .filter(Boolean)
            .join('\n'),
          idempotencyKey: `ticket-escalation:${escalation.id}`,
        });
      }
      return { escalated: outcome.escalated, reason: outcome.escalated ? undefined : outcome.reason };
    },
  };
}

export type TicketActivities = ReturnType<typeof createTicketActivities>;

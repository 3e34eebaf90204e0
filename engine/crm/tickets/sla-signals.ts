import { defineSignal } from '@temporalio/workflow';

/**
 * The contract between ticket code and the SLA workflow (`workflows/ticket-sla.ts`): its input,
 * its id and the signals that settle its timers. Pure, so the workflow bundle can load it.
 */
export interface TicketSlaInput {
  workspaceId: string;
  ticketId: string;
  /**
   * Milliseconds from the ticket's creation to each target; null when its priority has no
   * policy. Relative, so the timers follow the workflow's own clock (the test server skips time).
   */
  firstResponseAfterMs: number | null;
  resolutionAfterMs: number | null;
}

export type SlaTargetName = 'first_response' | 'resolution';

/** An agent replied to the contact: the first-response timer is settled. */
export const ticketRespondedSignal = defineSignal('ticket-responded');
/** The ticket was resolved or closed: both timers are settled. */
export const ticketResolvedSignal = defineSignal('ticket-resolved');

/** One SLA workflow per ticket; no personal data in the id. */
export function ticketSlaWorkflowId(workspaceId: string, ticketId: string): string {
  return `ticket-sla:${workspaceId}:${ticketId}`;
}

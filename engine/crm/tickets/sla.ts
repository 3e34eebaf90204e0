import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  type TicketSlaInput,
  ticketResolvedSignal,
  ticketRespondedSignal,
  ticketSlaWorkflowId,
} from './sla-signals';

/** Where SLA workflows run: the Temporal client and the journeys' task queue. */
export interface SlaTemporal {
  temporal: Client;
  taskQueue: string;
}

/** Starts the ticket's SLA timers; a repeated start (a retried request) finds the running one. */
export async function startTicketSla(deps: SlaTemporal, input: TicketSlaInput): Promise<void> {
  if (input.firstResponseAfterMs === null && input.resolutionAfterMs === null) return;
  await deps.temporal.workflow.start('ticketSla', {
    taskQueue: deps.taskQueue,
    workflowId: ticketSlaWorkflowId(input.workspaceId, input.ticketId),
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** Settles timers; a ticket without a running SLA workflow (none, or already finished) is fine. */
export async function signalTicketSla(
  deps: SlaTemporal,
  workspaceId: string,
  ticketId: string,
  what: 'responded' | 'resolved',
): Promise<void> {
  const handle = deps.temporal.workflow.getHandle(ticketSlaWorkflowId(workspaceId, ticketId));
  try {
    await handle.signal(what === 'responded' ? ticketRespondedSignal : ticketResolvedSignal);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return;
    throw error;
  }
}

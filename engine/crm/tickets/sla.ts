import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { Unavailable } from '../../errors';
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

/**
 * Starts the ticket's SLA timers; a repeated start (a retried request) finds the running one.
 * Temporal out of reach is `Unavailable`: the caller's transaction is rolled back, no ticket
 * without its timers.
 */
export async function startTicketSla(deps: SlaTemporal, input: TicketSlaInput): Promise<void> {
  if (input.firstResponseAfterMs === null && input.resolutionAfterMs === null) return;
  try {
    await deps.temporal.workflow.start('ticketSla', {
      taskQueue: deps.taskQueue,
      workflowId: ticketSlaWorkflowId(input.workspaceId, input.ticketId),
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw new Unavailable(`The SLA timers could not be started (${(error as Error).message}); try again`);
  }
}

/**
 * Settles timers, best effort: a ticket without a running SLA workflow (none, or finished) is
 * fine, and a lost signal changes nothing, since a timer that fires checks the ticket again
 * before escalating.
 */
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
    console.warn(
      JSON.stringify({
        level: 'warn',
        message: 'ticket SLA signal not delivered',
        ticketId,
        error: String(error),
      }),
    );
  }
}

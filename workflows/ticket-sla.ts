import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { TicketActivities } from '../engine/activities/tickets';
import {
  type SlaTargetName,
  type TicketSlaInput,
  ticketResolvedSignal,
  ticketRespondedSignal,
} from '../engine/crm/tickets/sla-signals';

const { escalateTicket } = proxyActivities<TicketActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 10 },
});

export interface TicketSlaResult {
  first_response: 'met' | 'breached' | 'none';
  resolution: 'met' | 'breached' | 'none';
}

/**
 * The SLA timers of one ticket: a durable timer per target that a first reply (`responded`) or
 * a resolution (`resolved`, which settles both) cancels. A timer that fires escalates once; the
 * activity checks the ticket again, so a reply that raced the timer is not a breach.
 */
export async function ticketSla(input: TicketSlaInput): Promise<TicketSlaResult> {
  const started = Date.now();
  let responded = false;
  let resolved = false;
  setHandler(ticketRespondedSignal, () => {
    responded = true;
  });
  setHandler(ticketResolvedSignal, () => {
    resolved = true;
    responded = true;
  });

  const watch = async (
    target: SlaTargetName,
    afterMs: number | null,
    settled: () => boolean,
  ): Promise<TicketSlaResult[SlaTargetName]> => {
    if (afterMs === null) return 'none';
    const met = await condition(settled, Math.max(started + afterMs - Date.now(), 1));
    if (met) return 'met';
    const outcome = await escalateTicket({
      workspaceId: input.workspaceId,
      ticketId: input.ticketId,
      target,
    });
    return outcome.escalated ? 'breached' : 'met';
  };

  const [firstResponse, resolution] = await Promise.all([
    watch('first_response', input.firstResponseAfterMs, () => responded),
    watch('resolution', input.resolutionAfterMs, () => resolved),
  ]);
  return { first_response: firstResponse, resolution };
}

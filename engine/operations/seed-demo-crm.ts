import type { Db } from '../../db';
import type { TicketPriority, TicketStatus } from '../../db/schema';
import { createDeal, moveDeal } from '../crm/deals/deals';
import { createPipeline } from '../crm/deals/pipelines';
import type { SlaTemporal } from '../crm/tickets/sla';
import { saveSlaPolicy } from '../crm/tickets/sla-policies';
import { createTicket, updateTicket } from '../crm/tickets/tickets';

const system = { userId: null, label: 'demo data' };

/** Targets per priority in minutes: first response, resolution. */
export const DEMO_SLA_POLICIES: [TicketPriority, number, number][] = [
  ['urgent', 60, 4 * 60],
  ['high', 4 * 60, 24 * 60],
  ['normal', 8 * 60, 3 * 24 * 60],
  ['low', 24 * 60, 7 * 24 * 60],
];

/**
 * The CRM part of the demo workspace: a sales pipeline with deals at several stages (one won,
 * with its stage history), SLA policies for every priority and tickets in different states, so
 * the board, the inbox and the reports have something to show. With `sla` (Temporal at hand, as
 * under `npm start`) the open tickets' SLA timers run as for any ticket; without it they carry
 * their due times only.
 */
export async function seedDemoCrm(
  db: Db,
  workspaceId: string,
  contactIds: string[],
  sla?: SlaTemporal,
): Promise<void> {
  const [ada, ken, maya] = contactIds;
  const pipeline = await createPipeline(db, workspaceId, {
    name: 'Sales',
    stages: [
      { name: 'Lead', winProbability: 10, closedWon: false, closedLost: false },
      { name: 'Qualified', winProbability: 30, closedWon: false, closedLost: false },
      { name: 'Proposal', winProbability: 60, closedWon: false, closedLost: false },
      { name: 'Won', winProbability: 100, closedWon: true, closedLost: false },
      { name: 'Lost', winProbability: 0, closedWon: false, closedLost: true },
    ],
  });
  const stage = (name: string) => pipeline.stages.find((s) => s.name === name)?.id as string;
  const deal = (title: string, value: number, contactId: string, expectedCloseDate: string) =>
    createDeal(
      db,
      workspaceId,
      { title, value, currency: 'EUR', pipelineId: pipeline.id, contactIds: [contactId], expectedCloseDate },
      system,
    );
  const closeDate = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  await deal('Ada — team plan', 4800, ada, closeDate(30));
  const ken1 = await deal('Ken — annual upgrade', 1200, ken, closeDate(14));
  await moveDeal(db, workspaceId, ken1.id, stage('Qualified'), system);
  const maya1 = await deal('Maya — onboarding package', 2500, maya, closeDate(45));
  await moveDeal(db, workspaceId, maya1.id, stage('Qualified'), system);
  await moveDeal(db, workspaceId, maya1.id, stage('Proposal'), system);
  const ada2 = await deal('Ada — add-on seats', 900, ada, closeDate(-3));
  await moveDeal(db, workspaceId, ada2.id, stage('Proposal'), system);
  await moveDeal(db, workspaceId, ada2.id, stage('Won'), system);

  for (const [priority, firstResponseMinutes, resolutionMinutes] of DEMO_SLA_POLICIES) {
    await saveSlaPolicy(db, workspaceId, { priority, firstResponseMinutes, resolutionMinutes });
  }
  const tickets: [string, string, TicketPriority, TicketStatus[]][] = [
    ['Cannot sign in after password reset', ada, 'urgent', []],
    ['Invoice shows the wrong VAT number', ken, 'normal', ['open']],
    ['How do I export my data?', maya, 'low', ['open', 'pending']],
    ['Parcel arrived damaged', maya, 'high', ['open', 'resolved']],
    ['Duplicate charge in March', ken, 'high', ['open', 'resolved', 'closed']],
  ];
  for (const [subject, contactId, priority, statuses] of tickets) {
    const ticket = await createTicket(
      { db, sla },
      workspaceId,
      { subject, contactId, priority, channel: 'email', queue: 'Support', tags: ['demo'] },
      system,
    );
    for (const status of statuses) await updateTicket({ db, sla }, workspaceId, ticket.id, { status });
  }
}

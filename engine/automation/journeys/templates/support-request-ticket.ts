import type { JourneyTemplate } from './index';

/**
 * Inbound tickets: point a form's or a shop's webhook at an inbound hook whose mapping names the
 * event "Support Request Submitted" (and the sender's e-mail); this journey opens the ticket.
 */
export const supportRequestTicket: JourneyTemplate = {
  id: 'support-request-ticket',
  name: 'Ticket from a support request',
  description:
    'Opens a service ticket (with its SLA timers) for every “Support Request Submitted” event, e.g. a contact form posted to an inbound webhook; the subject and message come from the event.',
  graph: {
    name: 'Ticket from a support request',
    description: 'Inbound webhook or tracked event → service ticket.',
    nodes: [
      {
        id: 'request',
        type: 'trigger.event',
        label: 'Support request submitted',
        config: { event: 'Support Request Submitted' },
        position: { x: 250, y: 0 },
      },
      {
        id: 'open-ticket',
        type: 'ticket.create',
        label: 'Open a ticket',
        config: {
          subject: '{{ event.subject }}',
          description: '{{ event.message }}',
          priority: 'normal',
          queue: 'Inbox',
          tags: ['web-form'],
        },
        position: { x: 250, y: 150 },
      },
      { id: 'done', type: 'exit', label: 'Done', position: { x: 250, y: 300 } },
    ],
    edges: [
      { id: 'e-request-ticket', source: 'request', target: 'open-ticket' },
      { id: 'e-ticket-done', source: 'open-ticket', sourceHandle: 'next', target: 'done' },
    ],
    // Every request is a ticket of its own.
    settings: { reEntry: { mode: 'always', minInterval: { amount: 1, unit: 'minutes' } } },
  },
};

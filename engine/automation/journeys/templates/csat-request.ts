import type { JourneyTemplate } from './index';

const stars = [1, 2, 3, 4, 5]
  .map((n) => `<a href="{{ event.ratingUrl }}?rating=${n}" style="padding:4px 8px">${n}</a>`)
  .join(' ');

export const csatRequest: JourneyTemplate = {
  id: 'csat-request',
  name: 'CSAT request',
  description:
    'When a service ticket is resolved, emails the contact a satisfaction request whose link opens the rating page (1–5 with a comment); the rating comes back as “CSAT Received”.',
  graph: {
    name: 'CSAT request',
    description: 'A satisfaction survey per resolved ticket.',
    nodes: [
      {
        id: 'ticket-resolved',
        type: 'trigger.event',
        label: 'Ticket resolved',
        config: {
          event: 'Ticket Status Changed',
          where: [{ path: 'status', op: 'eq', value: 'resolved' }],
          key: 'properties.ticketId',
        },
        position: { x: 250, y: 0 },
      },
      {
        id: 'csat-email',
        type: 'email.send',
        label: 'Satisfaction request',
        config: { template: 'csat-request' },
        position: { x: 250, y: 150 },
      },
      { id: 'done', type: 'exit', label: 'Done', position: { x: 250, y: 300 } },
    ],
    edges: [
      { id: 'e-resolved-email', source: 'ticket-resolved', target: 'csat-email' },
      { id: 'e-email-done', source: 'csat-email', sourceHandle: 'next', target: 'done' },
    ],
    // One request per ticket: a ticket reopened and resolved again is not asked twice.
    settings: { reEntry: { mode: 'never' } },
  },
  messageTemplates: [
    {
      name: 'csat-request',
      channel: 'email',
      subject: 'How did we do?',
      body: 'Hi,\n\nyour request was resolved. How happy are you with the help you got? Rate it from 1 to 5 (and tell us why) here:\n{{ event.ratingUrl }}\n\nThank you!\n\n--\nUnsubscribe: {{ unsubscribe_url }}',
      html: `<p>Hi,</p><p>your request was resolved. How happy are you with the help you got?</p><p>Rate it from 1 (unhappy) to 5 (very happy): ${stars}</p><p><a href="{{ event.ratingUrl }}">Rate and comment</a></p><p style="font-size:12px;color:#666"><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>`,
    },
  ],
};

import type { JourneyTemplate } from './index';

export const holidayGreeting: JourneyTemplate = {
  id: 'holiday-greeting',
  name: 'Holiday greeting',
  description:
    "On each holiday of the workspace's calendar at 9:00 in the contact's time zone, sends a greeting email.",
  graph: {
    name: 'Holiday greeting',
    description:
      'A greeting on every holiday of the calendar (Settings: add a country preset or your own dates).',
    nodes: [
      {
        id: 'holiday',
        type: 'trigger.holiday',
        label: 'Each holiday, 9:00 local time',
        config: { holidays: [], hour: 9, minute: 0 },
        position: { x: 250, y: 0 },
      },
      {
        id: 'greeting-email',
        type: 'email.send',
        label: 'Holiday greeting',
        config: { template: 'holiday-greeting' },
        position: { x: 250, y: 150 },
      },
      { id: 'done', type: 'exit', label: 'Done', position: { x: 250, y: 300 } },
    ],
    edges: [
      { id: 'e-holiday-email', source: 'holiday', target: 'greeting-email' },
      { id: 'e-email-done', source: 'greeting-email', sourceHandle: 'next', target: 'done' },
    ],
    settings: {
      // Once per holiday; holidays are at least a day apart.
      reEntry: { mode: 'always', minInterval: { amount: 20, unit: 'hours' } },
    },
  },
  messageTemplates: [
    {
      name: 'holiday-greeting',
      channel: 'email',
      subject: 'Happy {{ event.holiday }}{% if contact.firstName %}, {{ contact.firstName }}{% endif %}!',
      body: 'Happy {{ event.holiday }}{% if contact.firstName %}, {{ contact.firstName }}{% endif %}! All the best from all of us.\n\n--\nUnsubscribe: {{ unsubscribe_url }} · Preferences: {{ preferences_url }}',
      html: '<p>Happy {{ event.holiday }}{% if contact.firstName %}, {{ contact.firstName }}{% endif %}!</p><p>All the best from all of us.</p><p style="font-size:12px;color:#666"><a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>',
    },
  ],
};

import type { JourneyTemplate } from './index';

export const reEngagement: JourneyTemplate = {
  id: 're-engagement',
  name: 'Re-engagement',
  description:
    'Emails contacts who have been inactive for 30 days; counts a conversion when they come back, otherwise sends a last-chance email three days later.',
  graph: {
    name: 'Re-engagement',
    description: 'Win back contacts inactive for 30 days.',
    nodes: [
      {
        id: 'inactive',
        type: 'trigger.segment',
        label: 'Inactive for 30 days',
        config: { segmentId: 'inactive-30-days' },
        position: { x: 250, y: 0 },
      },
      {
        id: 'we-miss-you',
        type: 'email.send',
        label: 'We miss you email',
        config: { template: 'we-miss-you' },
        position: { x: 250, y: 150 },
      },
      {
        id: 'wait-session',
        type: 'wait.event',
        label: 'Came back within 3 days?',
        config: { event: 'Session Started', timeout: { amount: 3, unit: 'days' } },
        position: { x: 250, y: 300 },
      },
      {
        id: 'came-back',
        type: 'goal',
        label: 'Came back',
        config: { name: 'Re-engaged' },
        position: { x: 500, y: 450 },
      },
      {
        id: 'last-chance',
        type: 'email.send',
        label: 'Last chance email',
        config: { template: 'last-chance', subject: 'Last chance: your account misses you' },
        position: { x: 250, y: 450 },
      },
      { id: 'done', type: 'exit', label: 'Done', position: { x: 250, y: 600 } },
    ],
    edges: [
      { id: 'e-inactive-email', source: 'inactive', target: 'we-miss-you' },
      { id: 'e-email-wait', source: 'we-miss-you', sourceHandle: 'next', target: 'wait-session' },
      { id: 'e-wait-came-back', source: 'wait-session', sourceHandle: 'matched', target: 'came-back' },
      { id: 'e-wait-last-chance', source: 'wait-session', sourceHandle: 'timeout', target: 'last-chance' },
      { id: 'e-last-chance-done', source: 'last-chance', sourceHandle: 'next', target: 'done' },
    ],
    settings: { reEntry: { mode: 'after-exit' } },
  },
  messageTemplates: [
    {
      name: 'we-miss-you',
      channel: 'email',
      subject: 'We miss you{% if contact.firstName %}, {{ contact.firstName }}{% endif %}',
      preheader: 'Here is what is new since your last visit.',
      body: 'Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},\n\nit has been a while since we last saw you. A lot changed since your last visit: come and have a look.\n\nIf you would rather hear from us less often, choose what you receive on your preferences page.\n\n--\nYou receive this because you signed up. Unsubscribe: {{ unsubscribe_url }} · Preferences: {{ preferences_url }}',
      html: '<p>Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},</p><p>it has been a while since we last saw you. A lot changed since your last visit: come and have a look.</p><p>If you would rather hear from us less often, choose what you receive on your preferences page.</p><p style="font-size:12px;color:#666">You receive this because you signed up. <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>',
    },
    {
      name: 'last-chance',
      channel: 'email',
      subject: 'Last chance: your account misses you',
      preheader: 'Should we keep sending you emails?',
      body: 'Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},\n\nwe have not seen you for a while, so this is the last email of this series.\n\nSign in any time to pick up where you left off.\n\n--\nYou receive this because you signed up. Unsubscribe: {{ unsubscribe_url }} · Preferences: {{ preferences_url }}',
      html: '<p>Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},</p><p>we have not seen you for a while, so this is the last email of this series.</p><p>Sign in any time to pick up where you left off.</p><p style="font-size:12px;color:#666">You receive this because you signed up. <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>',
    },
  ],
};

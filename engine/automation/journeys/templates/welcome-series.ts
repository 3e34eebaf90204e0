import type { JourneyTemplate } from './index';

export const welcomeSeries: JourneyTemplate = {
  id: 'welcome-series',
  name: 'Welcome series',
  description:
    'Three welcome emails over the first week after sign-up; stops as soon as the contact places an order.',
  graph: {
    name: 'Welcome series',
    description: 'Welcome emails on day 0, day 2 and day 7 after sign-up.',
    nodes: [
      {
        id: 'signed-up',
        type: 'trigger.event',
        label: 'Signed up',
        config: { event: 'Signed Up' },
        position: { x: 250, y: 0 },
      },
      {
        id: 'welcome-1',
        type: 'email.send',
        label: 'Welcome email',
        config: { template: 'welcome-1' },
        position: { x: 250, y: 150 },
      },
      {
        id: 'wait-2-days',
        type: 'wait.duration',
        label: 'Wait 2 days',
        config: { duration: { amount: 2, unit: 'days' } },
        position: { x: 250, y: 300 },
      },
      {
        id: 'welcome-2',
        type: 'email.send',
        label: 'Getting started email',
        config: { template: 'welcome-2' },
        position: { x: 250, y: 450 },
      },
      {
        id: 'wait-5-days',
        type: 'wait.duration',
        label: 'Wait 5 days (day 7)',
        config: { duration: { amount: 5, unit: 'days' } },
        position: { x: 250, y: 600 },
      },
      {
        id: 'welcome-3',
        type: 'email.send',
        label: 'First week email',
        config: { template: 'welcome-3' },
        position: { x: 250, y: 750 },
      },
      { id: 'done', type: 'exit', label: 'End of series', position: { x: 250, y: 900 } },
    ],
    edges: [
      { id: 'e-signed-up-welcome-1', source: 'signed-up', target: 'welcome-1' },
      { id: 'e-welcome-1-wait', source: 'welcome-1', sourceHandle: 'next', target: 'wait-2-days' },
      { id: 'e-wait-welcome-2', source: 'wait-2-days', target: 'welcome-2' },
      { id: 'e-welcome-2-wait', source: 'welcome-2', sourceHandle: 'next', target: 'wait-5-days' },
      { id: 'e-wait-welcome-3', source: 'wait-5-days', target: 'welcome-3' },
      { id: 'e-welcome-3-done', source: 'welcome-3', sourceHandle: 'next', target: 'done' },
    ],
    settings: {
      reEntry: { mode: 'never' },
      goal: { event: 'Order Completed' },
    },
  },
  messageTemplates: [
    {
      name: 'welcome-1',
      channel: 'email',
      subject: 'Welcome aboard{% if contact.firstName %}, {{ contact.firstName }}{% endif %}!',
      preheader: 'Thanks for signing up: here is where to start.',
      body: 'Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},\n\nthanks for signing up. Your account is ready: sign in any time and set up your profile in two minutes.\n\nReply to this email if you have a question; a real person reads it.\n\n--\nYou receive this because you signed up. Unsubscribe: {{ unsubscribe_url }} · Preferences: {{ preferences_url }}',
      html: '<p>Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},</p><p>thanks for signing up. Your account is ready: sign in any time and set up your profile in two minutes.</p><p>Reply to this email if you have a question; a real person reads it.</p><p style="font-size:12px;color:#666">You receive this because you signed up. <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>',
    },
    {
      name: 'welcome-2',
      channel: 'email',
      subject: 'Getting started: three things to try first',
      preheader: 'Make the most of your first week.',
      body: 'Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},\n\ntwo days in, here are three things most people try first: complete your profile, invite a teammate, and turn on the notifications you care about.\n\nEach takes a minute or two.\n\n--\nYou receive this because you signed up. Unsubscribe: {{ unsubscribe_url }} · Preferences: {{ preferences_url }}',
      html: '<p>Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},</p><p>two days in, here are three things most people try first: complete your profile, invite a teammate, and turn on the notifications you care about.</p><p>Each takes a minute or two.</p><p style="font-size:12px;color:#666">You receive this because you signed up. <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>',
    },
    {
      name: 'welcome-3',
      channel: 'email',
      subject: 'Your first week with us',
      preheader: 'Tips and a thank-you after your first week.',
      body: 'Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},\n\nit has been a week since you joined. Thank you for being here.\n\nIf you have not placed your first order yet, now is a good time: everything you saved is waiting for you.\n\n--\nYou receive this because you signed up. Unsubscribe: {{ unsubscribe_url }} · Preferences: {{ preferences_url }}',
      html: '<p>Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},</p><p>it has been a week since you joined. Thank you for being here.</p><p>If you have not placed your first order yet, now is a good time: everything you saved is waiting for you.</p><p style="font-size:12px;color:#666">You receive this because you signed up. <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>',
    },
  ],
};

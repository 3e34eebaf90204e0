import type { JourneyTemplate } from './index';

export const abandonedCart: JourneyTemplate = {
  id: 'abandoned-cart',
  name: 'Abandoned cart',
  description:
    'Reminds a contact of an abandoned cart by email after an hour, then by SMS a day later if it has a phone number; stops when the order completes.',
  graph: {
    name: 'Abandoned cart',
    description: 'Email after 1 hour, SMS after 24 more hours, unless the order completes.',
    nodes: [
      {
        id: 'cart-abandoned',
        type: 'trigger.event',
        label: 'Cart abandoned',
        config: { event: 'Cart Abandoned' },
        position: { x: 250, y: 0 },
      },
      {
        id: 'wait-1-hour',
        type: 'wait.event',
        label: 'Ordered within 1 hour?',
        config: { event: 'Order Completed', timeout: { amount: 1, unit: 'hours' } },
        position: { x: 250, y: 150 },
      },
      { id: 'ordered-early', type: 'exit', label: 'Ordered', position: { x: 500, y: 300 } },
      {
        id: 'cart-reminder',
        type: 'email.send',
        label: 'Cart reminder email',
        config: { template: 'cart-reminder' },
        position: { x: 250, y: 300 },
      },
      {
        id: 'wait-24-hours',
        type: 'wait.event',
        label: 'Ordered within 24 hours?',
        config: { event: 'Order Completed', timeout: { amount: 24, unit: 'hours' } },
        position: { x: 250, y: 450 },
      },
      { id: 'ordered-late', type: 'exit', label: 'Ordered', position: { x: 500, y: 600 } },
      {
        id: 'has-phone',
        type: 'branch.condition',
        label: 'Has a phone number?',
        config: { match: 'all', conditions: [{ kind: 'attribute', path: 'phone', op: 'exists' }] },
        position: { x: 250, y: 600 },
      },
      {
        id: 'cart-sms',
        type: 'sms.send',
        label: 'Cart reminder SMS',
        config: { text: 'Your cart is waiting: {{ event.properties.cartUrl }}' },
        position: { x: 100, y: 750 },
      },
      { id: 'sms-sent', type: 'exit', label: 'Done', position: { x: 100, y: 900 } },
      { id: 'no-phone', type: 'exit', label: 'No phone number', position: { x: 400, y: 750 } },
    ],
    edges: [
      { id: 'e-trigger-wait-1', source: 'cart-abandoned', target: 'wait-1-hour' },
      { id: 'e-wait-1-ordered', source: 'wait-1-hour', sourceHandle: 'matched', target: 'ordered-early' },
      { id: 'e-wait-1-reminder', source: 'wait-1-hour', sourceHandle: 'timeout', target: 'cart-reminder' },
      { id: 'e-reminder-wait-24', source: 'cart-reminder', sourceHandle: 'next', target: 'wait-24-hours' },
      { id: 'e-wait-24-ordered', source: 'wait-24-hours', sourceHandle: 'matched', target: 'ordered-late' },
      { id: 'e-wait-24-phone', source: 'wait-24-hours', sourceHandle: 'timeout', target: 'has-phone' },
      { id: 'e-phone-sms', source: 'has-phone', sourceHandle: 'true', target: 'cart-sms' },
      { id: 'e-phone-none', source: 'has-phone', sourceHandle: 'false', target: 'no-phone' },
      { id: 'e-sms-done', source: 'cart-sms', sourceHandle: 'next', target: 'sms-sent' },
    ],
    settings: {
      reEntry: { mode: 'after-exit' },
      goal: { event: 'Order Completed' },
    },
  },
  messageTemplates: [
    {
      name: 'cart-reminder',
      channel: 'email',
      subject: 'You left something in your cart',
      preheader: 'Your cart is saved, ready when you are.',
      body: 'Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},\n\nyou left a few things in your cart. We saved it for you.\n\nPick up where you left off: {{ event.properties.cartUrl | default: "your cart" }}\n\n--\nYou receive this because you signed up. Unsubscribe: {{ unsubscribe_url }} · Preferences: {{ preferences_url }}',
      html: '<p>Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},</p><p>you left a few things in your cart. We saved it for you.</p><p>Pick up where you left off: {{ event.properties.cartUrl | default: "your cart" }}</p><p style="font-size:12px;color:#666">You receive this because you signed up. <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>',
    },
  ],
};

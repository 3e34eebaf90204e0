import type { JourneyTemplate } from './index';

export const birthdayGreeting: JourneyTemplate = {
  id: 'birthday-greeting',
  name: 'Birthday greeting',
  description:
    'On the contact’s birthday at 9:00 local time, stores a coupon code and sends a birthday email with it.',
  graph: {
    name: 'Birthday greeting',
    description: 'A yearly birthday email with a 15% coupon.',
    nodes: [
      {
        id: 'birthday',
        type: 'trigger.date',
        label: 'Birthday, 9:00 local time',
        config: { attribute: 'birthday', hour: 9, minute: 0, offsetDays: 0 },
        position: { x: 250, y: 0 },
      },
      {
        id: 'give-coupon',
        type: 'contact.update',
        label: 'Store birthday coupon',
        config: { set: { birthdayCoupon: 'BDAY-15' } },
        position: { x: 250, y: 150 },
      },
      {
        id: 'birthday-email',
        type: 'email.send',
        label: 'Birthday email',
        config: { template: 'birthday' },
        position: { x: 250, y: 300 },
      },
      { id: 'done', type: 'exit', label: 'Done', position: { x: 250, y: 450 } },
    ],
    edges: [
      { id: 'e-birthday-coupon', source: 'birthday', target: 'give-coupon' },
      { id: 'e-coupon-email', source: 'give-coupon', target: 'birthday-email' },
      { id: 'e-email-done', source: 'birthday-email', sourceHandle: 'next', target: 'done' },
    ],
    settings: {
      // Once a year; the interval keeps a corrected birthday from greeting twice in a season.
      reEntry: { mode: 'always', minInterval: { amount: 300, unit: 'days' } },
    },
  },
  messageTemplates: [
    {
      name: 'birthday',
      channel: 'email',
      subject: 'Happy birthday{% if contact.firstName %}, {{ contact.firstName }}{% endif %}!',
      preheader: 'A birthday gift inside.',
      body: 'Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},\n\nhappy birthday from all of us!\n\nHere is 15% off your next order with the code {{ contact.birthdayCoupon | default: "BDAY-15" }}, valid for 30 days.\n\n--\nYou receive this because you signed up. Unsubscribe: {{ unsubscribe_url }} · Preferences: {{ preferences_url }}',
      html: '<p>Hi{% if contact.firstName %} {{ contact.firstName }}{% endif %},</p><p>happy birthday from all of us!</p><p>Here is 15% off your next order with the code {{ contact.birthdayCoupon | default: "BDAY-15" }}, valid for 30 days.</p><p style="font-size:12px;color:#666">You receive this because you signed up. <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>',
    },
  ],
};

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
};

import { z } from 'zod';
import { conditionGroupSchema } from '../../audience/conditions/conditions';
import { propertyFilterSchema } from '../../audience/conditions/filter-schema';
import { defineNode, nextPort } from '../../sdk/define-node';
import { formatDuration } from '../../time/duration';
import { durationSchema } from '../../time/duration-schema';

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)')
  .describe('Local time, HH:MM');
const weekdays = z
  .array(z.number().int().min(0).max(6))
  .optional()
  .describe('Allowed weekdays, 0 = Sunday … 6 = Saturday; any day when empty');

export const waitDuration = defineNode({
  type: 'wait.duration',
  version: 1,
  kind: 'control',
  title: 'Wait',
  category: 'Timing',
  description: 'Holds the contact for a fixed span of time.',
  config: z.object({ duration: durationSchema }),
  ports: [nextPort],
  summary: (c) => `Wait ${formatDuration(c.duration)}`,
});

export const waitUntilConfig = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('date'),
    at: z.iso.datetime({ offset: true }).describe('An absolute instant (ISO 8601)'),
  }),
  z.object({
    mode: z.literal('time-of-day'),
    time: timeOfDay,
    weekdays,
  }),
  z.object({
    mode: z.literal('attribute'),
    attribute: z
      .string()
      .min(1)
      .describe('Date attribute of the contact: a date, an ISO date-time, or Unix seconds or milliseconds'),
    fallbackAttributes: z
      .array(z.string().min(1))
      .max(10)
      .optional()
      .describe('Tried in order when the attribute is missing: the first present one is used'),
    offsetDays: z.number().int().default(0),
    offset: durationSchema
      .extend({ direction: z.enum(['before', 'after']) })
      .optional()
      .describe('A span before or after the date, e.g. 2 hours before'),
    time: timeOfDay.optional().describe('Local time of day for a date without a time; midnight when empty'),
  }),
]);

export const waitUntil = defineNode({
  type: 'wait.until',
  version: 1,
  kind: 'control',
  title: 'Wait until',
  category: 'Timing',
  description: 'Holds the contact until a date, the next local time of day, or a date attribute.',
  config: waitUntilConfig,
  ports: (c) => (c?.mode === 'attribute' ? [nextPort, { id: 'missing', label: 'Missing date' }] : [nextPort]),
  summary: (c) =>
    c.mode === 'date'
      ? `Until ${c.at}`
      : c.mode === 'time-of-day'
        ? `Until ${c.time} local`
        : `Until ${c.offset ? `${formatDuration(c.offset)} ${c.offset.direction} ` : ''}${c.attribute}${c.offsetDays ? ` ${c.offsetDays > 0 ? '+' : ''}${c.offsetDays}d` : ''}`,
});

export const waitEvent = defineNode({
  type: 'wait.event',
  version: 1,
  kind: 'control',
  title: 'Wait for event',
  category: 'Timing',
  description: 'Waits for the contact to send an event, or gives up after a timeout.',
  config: z.object({
    event: z.string().min(1).describe('Event name'),
    where: propertyFilterSchema.optional(),
    timeout: durationSchema,
    onlyWhileWaiting: z
      .boolean()
      .default(false)
      .describe('Ignore matching events received before the contact reached this node'),
    sameKey: z
      .boolean()
      .optional()
      .describe("Only an event carrying the run's entry key (a keyed trigger's key path) counts"),
  }),
  ports: [
    { id: 'matched', label: 'Matched' },
    { id: 'timeout', label: 'Timed out' },
  ],
  summary: (c) => `“${c.event}” within ${formatDuration(c.timeout)}`,
});

export const waitCondition = defineNode({
  type: 'wait.condition',
  version: 1,
  kind: 'control',
  title: 'Wait for condition',
  category: 'Timing',
  description:
    'Holds the contact until it matches a condition (attributes, tags, segment or list membership), or gives up after a timeout.',
  config: z.object({
    when: conditionGroupSchema.describe(
      'Passes at once when it already holds; re-checked whenever the contact changes',
    ),
    timeout: durationSchema,
  }),
  ports: [
    { id: 'matched', label: 'Matched' },
    { id: 'timeout', label: 'Timed out' },
  ],
  summary: (c) =>
    `${c.when.conditions.length} condition${c.when.conditions.length === 1 ? '' : 's'} within ${formatDuration(c.timeout)}`,
});

export const branchCondition = defineNode({
  type: 'branch.condition',
  version: 1,
  kind: 'control',
  title: 'Condition',
  category: 'Flow',
  description: 'Sends the contact down “true” or “false”.',
  config: conditionGroupSchema,
  ports: [
    { id: 'true', label: 'True' },
    { id: 'false', label: 'False' },
  ],
  summary: (c) => `${c.conditions.length} condition${c.conditions.length === 1 ? '' : 's'} (${c.match})`,
});

export const branchSwitch = defineNode({
  type: 'branch.switch',
  version: 1,
  kind: 'control',
  title: 'Switch',
  category: 'Flow',
  description: 'Takes the first case whose conditions hold, else “else”.',
  config: z.object({
    cases: z
      .array(
        z.object({
          port: z
            .string()
            .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes')
            .describe('Port id'),
          label: z.string().min(1),
          when: conditionGroupSchema,
        }),
      )
      .min(1),
  }),
  ports: (c) => [
    ...(c?.cases ?? []).map((x: { port: string; label: string }) => ({ id: x.port, label: x.label })),
    { id: 'else', label: 'Else' },
  ],
  summary: (c) => `${c.cases.length} case${c.cases.length === 1 ? '' : 's'} + else`,
});

export const splitRandom = defineNode({
  type: 'split.random',
  version: 1,
  kind: 'control',
  title: 'Random split',
  category: 'Flow',
  description: 'Sends each contact down one path at random, by weight (A/B tests).',
  config: z.object({
    branches: z
      .array(
        z.object({
          port: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
          weight: z.number().positive(),
        }),
      )
      .min(2),
  }),
  ports: (c) =>
    (c?.branches ?? []).map((b: { port: string; weight: number }) => ({
      id: b.port,
      label: `${b.port} (${b.weight})`,
    })),
  summary: (c) => c.branches.map((b) => `${b.port} ${b.weight}`).join(' / '),
});

export const goal = defineNode({
  type: 'goal',
  version: 1,
  kind: 'control',
  title: 'Goal reached',
  category: 'Flow',
  description: 'Records a conversion for the run and ends it.',
  config: z.object({ name: z.string().optional().describe('Label for the conversion') }),
  ports: [],
  summary: (c) => (c.name ? `Goal: ${c.name}` : 'Conversion'),
});

export const exit = defineNode({
  type: 'exit',
  version: 1,
  kind: 'control',
  title: 'Exit',
  category: 'Flow',
  description: 'Ends the run.',
  config: z.object({}),
  ports: [],
  summary: () => 'End',
});

/**
 * Every control node by its type. The interpreter's handler table is typed over these keys,
 * so a control node added here cannot be left without a handler.
 */
export const controlNodes = {
  'wait.duration': waitDuration,
  'wait.until': waitUntil,
  'wait.event': waitEvent,
  'wait.condition': waitCondition,
  'branch.condition': branchCondition,
  'branch.switch': branchSwitch,
  'split.random': splitRandom,
  goal,
  exit,
};

export type ControlType = keyof typeof controlNodes;

/** A control node's config as its schema parses it (defaults applied), which is how plans hold it. */
export type ControlConfig<T extends ControlType> = z.infer<(typeof controlNodes)[T]['config']>;

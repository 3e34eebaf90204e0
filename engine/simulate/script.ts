import { z } from 'zod';
import { InvalidInput } from '../errors';

const unitMs: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const offsetPattern =
  /^\+?\s*(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)?$/i;

/**
 * Reads a relative time of a simulation script: "0", "+30 min", "2h", "1 day". A number other
 * than 0 needs a unit, so "30" is never silently read as seconds or minutes.
 */
export function parseOffset(text: string, field: string): number {
  const match = offsetPattern.exec(text.trim());
  if (!match) {
    throw new InvalidInput(
      'offset_invalid',
      `"${text}" is not a relative time such as "0", "+30 min" or "2 days"`,
      field,
    );
  }
  const amount = Number(match[1]);
  if (!match[2]) {
    if (amount === 0) return 0;
    throw new InvalidInput('offset_unit_missing', `"${text}" needs a unit (s, min, h, d or w)`, field);
  }
  return amount * unitMs[match[2][0].toLowerCase()];
}

export const simulatedContactSchema = z.object({
  contactId: z.uuid().optional().describe('Copy this contact of the workspace into the simulation'),
  email: z.email().optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +14155550100')
    .optional(),
  timezone: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(z.string().min(1)).optional(),
});

export const scriptedEventSchema = z.object({
  event: z.string().min(1).max(200).describe('Event name, e.g. "Order Completed"'),
  at: z
    .union([z.string(), z.literal(0)])
    .default('0')
    .describe('When, relative to the start: "0", "+30 min", "2h", "3 days"'),
  properties: z.record(z.string(), z.unknown()).optional(),
});

export const simulationRequestSchema = z.object({
  source: z
    .enum(['draft', 'active'])
    .default('draft')
    .describe('Run the draft being edited, or the active published version'),
  contact: simulatedContactSchema.default({}),
  events: z.array(scriptedEventSchema).max(50).default([]),
});

export type SimulatedContact = z.infer<typeof simulatedContactSchema>;
export type ScriptedEvent = z.infer<typeof scriptedEventSchema>;
export type SimulationRequest = z.infer<typeof simulationRequestSchema>;

export interface TimedEvent {
  event: string;
  atMs: number;
  properties: Record<string, unknown>;
}

/** The script in time order; ties keep the order they were written in. */
export function timeline(events: ScriptedEvent[]): TimedEvent[] {
  return events
    .map((e, index) => ({
      event: e.event,
      atMs: parseOffset(String(e.at), `events.${index}.at`),
      properties: e.properties ?? {},
      index,
    }))
    .sort((a, b) => a.atMs - b.atMs || a.index - b.index)
    .map(({ index: _index, ...rest }) => rest);
}

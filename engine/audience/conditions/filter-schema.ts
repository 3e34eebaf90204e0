import { z } from 'zod';
import { propertyOperators } from './filters';

/** A predicate on one property of an event or contact, addressed by a dotted path. */
export const propertyConditionSchema = z.object({
  path: z.string().min(1).describe('Dotted property path, e.g. "cart.total"'),
  op: z.enum(propertyOperators).describe('Comparison'),
  value: z.unknown().optional().describe('Value to compare with (unused for exists / not_exists)'),
});

export const propertyFilterSchema = z
  .array(propertyConditionSchema)
  .describe('All conditions must hold (empty matches everything)');

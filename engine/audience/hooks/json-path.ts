import { z } from 'zod';
import { readPath } from '../conditions/filters';

/** `customer.email`, `items.0.sku`, optionally written `$.customer.email`. */
export const jsonPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(\$\.)?[^.\s]+(\.[^.\s]+)*$/, 'must be a dotted path, e.g. "customer.email"')
  .describe('Dotted JSON path into the payload, e.g. "customer.email"');

/** The value at a mapped path of a payload; undefined when there is no path or nothing there. */
export const valueAt = (payload: unknown, path: string | undefined): unknown =>
  path ? readPath(payload, path.replace(/^\$\./, '')) : undefined;

import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isStorable } from '../audience/ingest/clean-strings';
import { InvalidInput } from '../errors';

const MAX_DEPTH = 64;

/** The path of the first string (or key) in `value` that Postgres cannot store, or of a value nested too deep. */
export function findUnstorable(
  value: unknown,
  path: string,
  depth = 0,
): { field: string; reason: string } | undefined {
  if (typeof value === 'string') {
    return !isStorable(value)
      ? { field: path, reason: 'contains a NUL character or invalid Unicode' }
      : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return { field: path, reason: `is nested deeper than ${MAX_DEPTH} levels` };
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (!isStorable(key)) return { field: at, reason: 'has a key with a NUL character or invalid Unicode' };
    const found = findUnstorable(item, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Refuses, with a 400 naming the field, management-API input that would only fail deep inside
 * Postgres as a 500: NUL bytes and lone surrogates in the query, path parameters or JSON body,
 * and JSON nested absurdly deep. (The tracking API cleans such strings per event instead.)
 */
export const inputGuard = fp(async (app: FastifyInstance) => {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    for (const [part, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const found = findUnstorable(value, part);
      if (found) throw new InvalidInput('invalid_request', `${found.field} ${found.reason}`, found.field);
    }
  });
});

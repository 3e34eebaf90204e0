import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isStorable } from '../audience/ingest/clean-strings';
import { InvalidInput } from '../errors';

/** The parameters of a parsed query string that were refused, keyed by the parsed object. */
const refusedParameters = new WeakMap<object, { field: string; reason: string }>();

/** Decodes one `application/x-www-form-urlencoded` component, or says why it cannot. */
function decodeComponent(raw: string): { value: string } | { reason: string } {
  const text = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  let value = text;
  if (text.includes('%')) {
    try {
      // Refuses cut-off or non-hex escapes and bytes that are not UTF-8 (overlong forms,
      // encoded surrogates), which the default parser would keep as undecoded text.
      value = decodeURIComponent(text);
    } catch {
      return { reason: 'has invalid percent-encoding or is not UTF-8' };
    }
  }
  if (!isStorable(value)) return { reason: 'contains a NUL character or invalid Unicode' };
  return { value };
}

/**
 * The query-string parser of every route (Fastify's `routerOptions.querystringParser`): like
 * the default one (`+` is a space, a repeated key gives an array, a key without `=` an empty
 * string), but strict. A parameter whose name or value is not valid percent-encoded UTF-8 or
 * holds a NUL byte is left out and remembered; `strictQueryString` then answers the request
 * with a 400 naming it. (The parser runs inside the router, where it must not throw.)
 */
export function parseQueryString(input: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = Object.create(null);
  if (!input) return result;
  for (const pair of input.split('&')) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    const rawKey = equals === -1 ? pair : pair.slice(0, equals);
    const key = decodeComponent(rawKey);
    if ('reason' in key) {
      refuse(result, `querystring.${rawKey}`, `has a name that ${key.reason}`);
      continue;
    }
    const value = decodeComponent(equals === -1 ? '' : pair.slice(equals + 1));
    if ('reason' in value) {
      refuse(result, `querystring.${key.value}`, value.reason);
      continue;
    }
    const current = result[key.value];
    if (current === undefined) result[key.value] = value.value;
    else if (Array.isArray(current)) current.push(value.value);
    else result[key.value] = [current, value.value];
  }
  return result;
}

function refuse(parsed: object, field: string, reason: string) {
  if (!refusedParameters.has(parsed)) refusedParameters.set(parsed, { field, reason });
}

/**
 * Answers every route's request whose query string `parseQueryString` refused with a 400 naming
 * the parameter, before anything else looks at the request (as a malformed path is refused).
 */
export const strictQueryString = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const refused = refusedParameters.get(request.query as object);
    if (refused)
      throw new InvalidInput('invalid_request', `${refused.field} ${refused.reason}`, refused.field);
  });
});

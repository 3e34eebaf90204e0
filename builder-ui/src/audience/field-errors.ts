import { ApiError } from '../api/client';

/**
 * The server's field errors by field, without the `body.` / `querystring.` prefix the request
 * validator adds (`email`, `attributes.seats`, `contactIds.0`), for the form to show inline.
 */
export function fieldErrors(error: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!(error instanceof ApiError)) return map;
  const clean = (field: string) => field.replace(/^(body|querystring)\./, '');
  const issues = Array.isArray(error.details.issues)
    ? (error.details.issues as { field: string; message: string }[])
    : [];
  for (const issue of issues) map.set(clean(issue.field), issue.message);
  if (error.field && !map.has(clean(error.field)))
    map.set(clean(error.field), error.message.replace(/^(body|querystring)\.[^:]*: /, ''));
  return map;
}

/** The error when no field of the form can show it. */
export function formLevelError(error: unknown, shown: readonly string[]): unknown {
  if (!(error instanceof ApiError)) return error;
  const field = error.field?.replace(/^(body|querystring)\./, '');
  return field && shown.some((s) => field === s || field.startsWith(`${s}.`)) ? null : error;
}

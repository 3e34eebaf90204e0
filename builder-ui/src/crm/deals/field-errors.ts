import { ApiError } from '../../api/client';

/**
 * The server's field errors by field, without the `body.` prefix the request validator adds:
 * `title`, `stageId`, `stages.1.name`. A form shows each next to its input.
 */
export function fieldErrors(error: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!(error instanceof ApiError)) return map;
  const issues = Array.isArray(error.details.issues)
    ? (error.details.issues as { field: string; message: string }[])
    : [];
  for (const issue of issues) map.set(issue.field.replace(/^body\./, ''), issue.message);
  if (error.field && !map.has(error.field.replace(/^body\./, '')))
    map.set(error.field.replace(/^body\./, ''), error.message.replace(/^body\.[^:]*: /, ''));
  return map;
}

/** The error not tied to a field the form shows, for the form's alert. */
export function formLevelError(error: unknown, shown: readonly string[]): unknown {
  if (!(error instanceof ApiError)) return error;
  const field = error.field?.replace(/^body\./, '');
  return field && shown.includes(field) ? null : error;
}

import type { Problem } from '../lib/types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly problems?: Problem[],
    /** The rest of the error body: `permission` of a 403, `retryAfter` of a 429. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function csrfToken(): string {
  return /(?:^|;\s*)wayline_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/v1${path}`, {
    method,
    // Signed in with the session cookie: writes echo its CSRF token (the readable cookie) as a header.
    credentials: 'same-origin',
    headers: {
      ...(method !== 'GET' ? { 'x-csrf-token': csrfToken() } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = json?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? 'http_error',
      error.message ?? `${method} ${path} answered ${response.status}`,
      error.field,
      error.problems,
      error,
    );
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/**
 * Whether an endpoint other engineers add over time (segments, templates, messages, outbox)
 * answers on this server: its section shows only when it does.
 */
export function endpointExists(path: string): Promise<boolean> {
  return request('GET', path).then(
    () => true,
    (error) => !(error instanceof ApiError && error.status === 404 && error.code === 'route_not_found'),
  );
}

/**
 * GET of a list that yields null when the endpoint is missing or fails, for optional sections
 * (null, not undefined: a query's data may not be undefined).
 */
export async function optionalList<T>(path: string): Promise<T[] | null> {
  try {
    return (await request<{ data: T[] }>('GET', path)).data;
  } catch {
    return null;
  }
}

import type { Problem } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly problems?: Problem[],
  ) {
    super(message);
  }
}

const KEY_STORAGE = 'wayline.apiKey';
let apiKey: string | null = null;

export function setApiKey(key: string | null, remember = false): void {
  apiKey = key;
  if (remember && key) localStorage.setItem(KEY_STORAGE, key);
  if (!key) localStorage.removeItem(KEY_STORAGE);
}

export interface Session {
  key: string;
  /** The key came from the embedded demo mode, not from the user. */
  demo: boolean;
}

/**
 * Finds the key to call the API with: one the user pasted (kept in localStorage), else the demo
 * workspace key the embedded `npm start` offers to a browser on the same machine.
 */
export async function loadSession(): Promise<Session | null> {
  const saved = localStorage.getItem(KEY_STORAGE);
  if (saved) {
    apiKey = saved;
    return { key: saved, demo: false };
  }
  try {
    const response = await fetch('/ui-config.json');
    if (response.ok) {
      const config = (await response.json()) as { demo?: boolean; apiKey?: string };
      if (config.apiKey) {
        apiKey = config.apiKey;
        return { key: config.apiKey, demo: !!config.demo };
      }
    }
  } catch {
    // No config endpoint: the user pastes a key.
  }
  return null;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/v1${path}`, {
    method,
    headers: {
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
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
    );
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

const available = new Map<string, Promise<boolean>>();

/**
 * Whether an endpoint other engineers add over time (segments, templates, messages, outbox)
 * answers on this server: its section shows only when it does.
 */
export function endpointExists(path: string): Promise<boolean> {
  let known = available.get(path);
  if (!known) {
    known = request('GET', path).then(
      () => true,
      (error) => !(error instanceof ApiError && error.status === 404 && error.code === 'route_not_found'),
    );
    available.set(path, known);
  }
  return known;
}

/** GET that yields undefined when the endpoint is missing or fails, for optional sections. */
export async function optional<T>(path: string): Promise<T | undefined> {
  try {
    return await request<T>('GET', path);
  } catch {
    return undefined;
  }
}

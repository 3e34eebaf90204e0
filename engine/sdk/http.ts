import { isNodeError, NodeError } from './node-error';

export interface HttpRequestInit extends RequestInit {
  /** Abort after this many milliseconds (default: the client's timeout, 10 s). */
  timeoutMs?: number;
}

export interface JsonRequestInit extends Omit<HttpRequestInit, 'body'> {
  /** Sent as the JSON body with `content-type: application/json`. */
  json?: unknown;
  body?: RequestInit['body'];
}

/** The HTTP client of a node: global `fetch` with a timeout on every request. */
export interface NodeHttp {
  /**
   * Plain `fetch` with a timeout. A network error or timeout throws `NodeError.retryable`; any
   * HTTP status is returned as is (see `failureForStatus` to map one).
   */
  fetch(url: string | URL, init?: HttpRequestInit): Promise<Response>;
  /**
   * Sends a request and parses the JSON answer. Failures become `NodeError`s: network errors,
   * timeouts, 408, 429 and 5xx are retryable; every other non-2xx status is fatal.
   */
  json<T = unknown>(url: string | URL, init?: JsonRequestInit): Promise<T>;
}

export interface HttpClientOptions {
  timeoutMs?: number;
  /** The `fetch` to wrap; global `fetch` by default. */
  fetch?: typeof fetch;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** Statuses worth trying again: the server may answer differently later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The `NodeError` for a failed HTTP answer: retryable for 408, 429 and 5xx (Temporal retries
 * the node with backoff), fatal for other 4xx (the request itself is wrong; retrying cannot
 * help, and the node leaves by its `error` port when it has one).
 */
export function failureForStatus(response: Response, bodyText = ''): NodeError {
  const what = `${response.status} ${response.statusText}`.trim();
  const details = { status: response.status, url: response.url, body: bodyText.slice(0, 500) };
  const message = `HTTP ${what} from ${safeUrl(response.url)}`;
  return isRetryableStatus(response.status)
    ? NodeError.retryable(message, details)
    : NodeError.fatal(message, details);
}

export function createHttpClient(options: HttpClientOptions = {}): NodeHttp {
  const defaultTimeout = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;

  const send = async (url: string | URL, init: HttpRequestInit = {}): Promise<Response> => {
    const { timeoutMs = defaultTimeout, signal, ...rest } = init;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await doFetch(url, { ...rest, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      if (isNodeError(error)) throw error;
      if (timeout.aborted) {
        throw NodeError.retryable(`HTTP request to ${safeUrl(url)} timed out after ${timeoutMs} ms`, {
          url: safeUrl(url),
        });
      }
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      throw NodeError.retryable(`HTTP request to ${safeUrl(url)} failed: ${cause}`, { url: safeUrl(url) });
    }
  };

  return {
    fetch: send,
    async json<T>(url: string | URL, init: JsonRequestInit = {}): Promise<T> {
      const { json, headers, ...rest } = init;
      const merged = new Headers(headers);
      if (!merged.has('accept')) merged.set('accept', 'application/json');
      if (json !== undefined) merged.set('content-type', 'application/json');
      const response = await send(url, {
        ...rest,
        headers: merged,
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
      const text = await response.text();
      if (!response.ok) throw failureForStatus(response, text);
      if (text === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw NodeError.fatal(`HTTP ${response.status} from ${safeUrl(url)} is not JSON`, {
          status: response.status,
          body: text.slice(0, 500),
        });
      }
    },
  };
}

/** A URL without credentials or query string, safe for logs and run history. */
function safeUrl(url: string | URL): string {
  try {
    const parsed = new URL(String(url));
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return String(url);
  }
}

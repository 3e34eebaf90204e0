import { ConnectorError } from './connector';

/** fetch with a timeout, turning network trouble and non-2xx answers into ConnectorErrors. */
export async function request(
  provider: string,
  url: string,
  init: RequestInit & { timeoutMs?: number },
): Promise<{ status: number; text: string }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
  } catch (error) {
    throw ConnectorError.network(provider, error);
  }
  const text = await response.text();
  if (!response.ok) throw ConnectorError.fromStatus(provider, response.status, text);
  return { status: response.status, text };
}

export function parseJson(provider: string, text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ConnectorError(`${provider} answered with a body that is not JSON`, true);
  }
}

import type { FastifyInstance } from 'fastify';
import { bearer } from '../../helpers/app';

/**
 * Calls the API in-process as a workspace (its secret key), answering the status and the parsed
 * JSON body. Both are getters: stacks and workspaces are made in `beforeAll`.
 */
export function workspaceCaller(app: () => FastifyInstance, secretKey: () => string) {
  return async <T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const response = await app().inject({
      method,
      url,
      payload: payload as never,
      headers: bearer(secretKey()),
    });
    return { status: response.statusCode, body: response.json() as T };
  };
}

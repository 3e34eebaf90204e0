import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './client';
import { sessionKey } from './session';

/**
 * Reads refetch when a page mounts, not when the window regains focus, and a failed read shows
 * its error at once (as the pages did before the cache): live counts poll on their own. A read
 * answered 401 (the session expired or was ended elsewhere) re-reads the session, so the layout
 * sends the user to sign in and back.
 */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (error instanceof ApiError && error.status === 401 && query.queryKey[0] !== sessionKey[0])
          void client.invalidateQueries({ queryKey: sessionKey });
      },
    }),
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
  return client;
}

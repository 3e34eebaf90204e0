import { QueryClient } from '@tanstack/react-query';

/**
 * Reads refetch when a page mounts, not when the window regains focus, and a failed read shows
 * its error at once (as the pages did before the cache): live counts poll on their own.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

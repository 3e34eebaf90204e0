import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';
import { createQueryClient } from './api/query-client';
import { adoptHashRoute, createRouter, warmRoute } from './routes';

/**
 * The app's query cache and router, made before React's first render so that the first page's
 * code and reads (`warmRoute`) start while React is still rendering the shell.
 */
export function startApp(): { queryClient: QueryClient; router: ReturnType<typeof createRouter> } {
  const queryClient = createQueryClient();
  adoptHashRoute();
  const router = createRouter();
  warmRoute(router, queryClient);
  return { queryClient, router };
}

export function App(props: ReturnType<typeof startApp>) {
  return (
    <QueryClientProvider client={props.queryClient}>
      <RouterProvider router={props.router} />
    </QueryClientProvider>
  );
}

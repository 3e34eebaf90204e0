import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { createQueryClient } from './api/query-client';
import { adoptHashRoute, createRouter, warmRoute } from './routes';

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => {
    adoptHashRoute();
    const router = createRouter();
    warmRoute(router, queryClient);
    return router;
  });
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}

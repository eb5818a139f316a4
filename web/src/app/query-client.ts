import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';

/** Server state lives here, one cache for every page. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // a refused request (4xx) is an answer, not a hiccup: do not ask again
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
      refetchOnWindowFocus: true,
    },
  },
});

import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from '../../api/client';
import type { Me, SignIn } from '../../api/types';

/** Who is signed in; its CSRF token is handed to the API client for the writes that follow. */
export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: async () => {
    const me = await api.get<Me>('/v2/me');
    setCsrfToken(me.csrf_token);
    return me;
  },
  staleTime: 5 * 60_000,
});

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { user_email: string; password: string }) => api.post<SignIn>('/v2/session', body),
    onSuccess: async (session) => {
      setCsrfToken(session.csrf_token);
      queryClient.clear();
      await queryClient.fetchQuery(meQuery);
    },
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<string>('/v2/session'),
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
    },
  });
}

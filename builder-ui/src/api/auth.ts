import { type QueryClient, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { type Me, rememberSignedOut, sessionKey, uiConfigKey, type WorkspaceChoice } from './session';

/** Everything cached belongs to one user in one workspace, except the session and the server config. */
const workspaceData = (query: { queryKey: readonly unknown[] }) =>
  query.queryKey[0] !== sessionKey[0] && query.queryKey[0] !== uiConfigKey[0];

/** A new session (sign-in, link, invitation): nothing read before it stays. */
function startSession(queryClient: QueryClient, me: Me): void {
  rememberSignedOut(false);
  queryClient.removeQueries({ predicate: workspaceData });
  queryClient.setQueryData<Me | null>(sessionKey, me);
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string }) => api.post<Me>('/auth/sign-in', input),
    onSuccess: (me) => startSession(queryClient, me),
  });
}

/** The one-time link of `wayline admin create-user`. */
export function useSignInWithLink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => api.post<Me>('/auth/sign-in/link', { token }),
    onSuccess: (me) => startSession(queryClient, me),
  });
}

/** The embedded demo's owner, offered to a browser on the server's machine. */
export function useDemoSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Me>('/auth/demo-sign-in'),
    onSuccess: (me) => startSession(queryClient, me),
  });
}

export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { token: string; name?: string; password?: string }) => {
      const accepted = await api.post<Me>('/invitations/accept', input);
      // A user who was signed in already keeps their session: it moves to the workspace joined.
      await api.post('/auth/workspace', { workspaceId: accepted.workspaceId });
      return api.get<Me>('/auth/me');
    },
    onSuccess: (me) => startSession(queryClient, me),
  });
}

export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (email: string) => api.post<{ status: 'accepted' }>('/auth/password-reset', { email }),
  });
}

export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: (input: { token: string; password: string }) =>
      api.post<void>('/auth/password-reset/confirm', input),
  });
}

/** Ends this session (or every session of the user); the cache is emptied with it. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (everywhere: boolean) =>
      api.post<void>(everywhere ? '/auth/sign-out-everywhere' : '/auth/sign-out'),
    onSuccess: () => {
      rememberSignedOut(true);
      queryClient.removeQueries({ predicate: workspaceData });
      queryClient.setQueryData<Me | null>(sessionKey, null);
    },
  });
}

/**
 * Moves the session to another workspace: the new role and permissions come first, then every
 * query of the old workspace is reset (active ones refetch).
 */
export function useSwitchWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (workspaceId: string) => {
      await api.post('/auth/workspace', { workspaceId });
      return api.get<Me>('/auth/me');
    },
    onSuccess: async (me) => {
      queryClient.setQueryData<Me | null>(sessionKey, me);
      await queryClient.resetQueries({ predicate: workspaceData });
    },
  });
}

/** A new workspace owned by the signed-in user. */
export function useCreateWorkspace() {
  return useMutation({
    mutationFn: (name: string) => api.post<WorkspaceChoice>('/workspaces', { name }),
  });
}

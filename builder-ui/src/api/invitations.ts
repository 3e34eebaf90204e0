import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Json } from '../../../engine/api/schemas/common';
import type { Invitation as EngineInvitation } from '../../../engine/identity/invitations';
import { api } from './client';
import type { Role } from './session';

export type Invitation = Json<EngineInvitation>;

export const invitationKeys = { all: ['invitations'] as const };

/** Invitations not yet accepted nor expired. */
export function useInvitations() {
  return useQuery({
    queryKey: invitationKeys.all,
    queryFn: async () => (await api.get<{ data: Invitation[] }>('/invitations')).data,
  });
}

export function useInvite() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; role: Role }) => api.post<Invitation>('/invitations', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationKeys.all }),
  });
}

export function useRevokeInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/invitations/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationKeys.all }),
  });
}

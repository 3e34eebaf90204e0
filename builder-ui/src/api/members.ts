import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Json } from '../../../engine/api/schemas/common';
import type { Member as EngineMember } from '../../../engine/identity/memberships';
import { api } from './client';
import type { Role } from './session';

export type Member = Json<EngineMember>;

export const memberKeys = { all: ['members'] as const };

export function useMembers() {
  return useQuery({
    queryKey: memberKeys.all,
    queryFn: async () => (await api.get<{ data: Member[] }>('/members')).data,
  });
}

export function useChangeRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { userId: string; role: Role }) =>
      api.patch<Member>(`/members/${input.userId}`, { role: input.role }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.all }),
  });
}

export function useRemoveMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => api.delete<void>(`/members/${userId}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.all }),
  });
}

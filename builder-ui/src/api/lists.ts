import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ContactListRow, List } from '../../../engine/api/schemas/audience';
import { api } from './client';
import { contactKeys } from './contacts';

export type { List };

export const listKeys = {
  all: ['lists'] as const,
  list: () => [...listKeys.all, 'list'] as const,
  detail: (id: string) => [...listKeys.all, 'detail', id] as const,
  members: (id: string, query: string) => [...listKeys.detail(id), 'members', query] as const,
};

export function useLists() {
  return useQuery({
    queryKey: listKeys.list(),
    queryFn: async () => (await api.get<{ data: List[] }>('/lists')).data,
  });
}

export function useList(id: string) {
  return useQuery({ queryKey: listKeys.detail(id), queryFn: () => api.get<List>(`/lists/${id}`) });
}

export function useListMembers(id: string, query: string) {
  return useQuery({
    queryKey: listKeys.members(id, query),
    queryFn: () =>
      api.get<{ data: ContactListRow[]; total: number; nextCursor: string | null }>(
        `/lists/${id}/members?limit=100${query ? `&q=${encodeURIComponent(query)}` : ''}`,
      ),
    placeholderData: (previous) => previous,
  });
}

/** Every change to lists refreshes the lists, their members and the contacts shown. */
export function useListChanges() {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: listKeys.all }),
      queryClient.invalidateQueries({ queryKey: contactKeys.all }),
    ]);
  return {
    create: useMutation({
      mutationFn: (body: { name: string; description?: string | null }) => api.post<List>('/lists', body),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ id, ...body }: { id: string; name?: string; description?: string | null }) =>
        api.patch<List>(`/lists/${id}`, body),
      onSuccess: refresh,
    }),
    remove: useMutation({ mutationFn: (id: string) => api.delete(`/lists/${id}`), onSuccess: refresh }),
    addMembers: useMutation({
      mutationFn: ({ id, contactIds }: { id: string; contactIds: string[] }) =>
        api.post<{ changed: number; members: number }>(`/lists/${id}/members`, { contactIds }),
      onSuccess: refresh,
    }),
    removeMembers: useMutation({
      mutationFn: ({ id, contactIds }: { id: string; contactIds: string[] }) =>
        api.post<{ changed: number; members: number }>(`/lists/${id}/members/remove`, { contactIds }),
      onSuccess: refresh,
    }),
  };
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Contact, Run } from '../lib/types';
import { api, endpointExists, optionalList } from './client';

export interface TimelineEvent {
  id: string;
  type: string;
  name: string | null;
  properties: Record<string, unknown>;
  timestamp: string;
}

export const contactKeys = {
  all: ['contacts'] as const,
  searchable: () => [...contactKeys.all, 'searchable'] as const,
  search: (query: string) => [...contactKeys.all, 'search', query] as const,
  detail: (id: string) => [...contactKeys.all, 'detail', id] as const,
  runs: (id: string) => [...contactKeys.detail(id), 'runs'] as const,
  events: (id: string) => [...contactKeys.detail(id), 'events'] as const,
};

/** Whether this server lists contacts (the search shows only when it does). */
export function useContactsSearchable() {
  return useQuery({
    queryKey: contactKeys.searchable(),
    queryFn: () => endpointExists('/contacts?limit=1'),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Up to 50 contacts matching the query; null where the server cannot list them. */
export function useContactSearch(query: string, enabled = true) {
  return useQuery({
    queryKey: contactKeys.search(query),
    queryFn: () =>
      optionalList<Contact>(`/contacts?limit=50${query ? `&q=${encodeURIComponent(query)}` : ''}`),
    placeholderData: (previous) => previous,
    enabled,
  });
}

export function useContact(id: string) {
  return useQuery({ queryKey: contactKeys.detail(id), queryFn: () => api.get<Contact>(`/contacts/${id}`) });
}

export function useContactRuns(id: string) {
  return useQuery({
    queryKey: contactKeys.runs(id),
    queryFn: async () => (await api.get<{ data: Run[] }>(`/contacts/${id}/runs`)).data,
  });
}

/** The contact's events timeline; null where the server has no such endpoint. */
export function useContactEvents(id: string) {
  return useQuery({
    queryKey: contactKeys.events(id),
    queryFn: () => optionalList<TimelineEvent>(`/contacts/${id}/events`),
  });
}

export function useCreateContact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, string>) => api.post<Contact>('/contacts', body),
    onSuccess: (contact) => {
      queryClient.setQueryData(contactKeys.detail(contact.id), contact);
      return queryClient.invalidateQueries({ queryKey: [...contactKeys.all, 'search'] });
    },
  });
}

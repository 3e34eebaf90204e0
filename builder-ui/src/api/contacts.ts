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

export function useContactRuns(id: string, enabled = true) {
  return useQuery({
    queryKey: contactKeys.runs(id),
    queryFn: async () => (await api.get<{ data: Run[] }>(`/contacts/${id}/runs`)).data,
    enabled,
  });
}

/** The contact's events timeline; null where the server has no such endpoint. */
export function useContactEvents(id: string, enabled = true) {
  return useQuery({
    queryKey: contactKeys.events(id),
    queryFn: () => optionalList<TimelineEvent>(`/contacts/${id}/events`),
    enabled: enabled && id !== '',
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

export type {
  AttributeDefinitionView as AttributeDefinition,
  ContactListRow,
  ImportPreview,
  SavedView,
} from '../../../engine/api/schemas/audience';

import type {
  AttributeDefinitionView,
  ContactListRow,
  ImportPreview,
  Job,
  SavedView,
} from '../../../engine/api/schemas/audience';
import { ApiError } from './client';

export type { Job };

/** The contacts table's filters and sort, as the API's query string takes them. */
export interface ContactQuery {
  q?: string;
  tag?: string;
  listId?: string;
  segmentId?: string;
  subscription?: string;
  activeWithin?: number;
  inactiveFor?: number;
  /** JSON of attribute conditions: [{path, op, value}]. */
  filter?: string;
  sort?: string;
  order?: 'asc' | 'desc';
  columns?: string[];
}

const FILTER_KEYS = [
  'q',
  'tag',
  'listId',
  'segmentId',
  'subscription',
  'activeWithin',
  'inactiveFor',
  'filter',
] as const;

export function filterParams(query: ContactQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params;
}

export function useContactTable(query: ContactQuery, page: string) {
  const params = filterParams(query);
  if (query.sort) params.set('sort', query.sort);
  if (query.order) params.set('order', query.order);
  params.set('limit', '50');
  if (page) params.set('cursor', page);
  return useQuery({
    queryKey: [...contactKeys.all, 'table', params.toString()],
    queryFn: () =>
      api.get<{ data: ContactListRow[]; total: number; nextCursor: string | null }>(`/contacts?${params}`),
    placeholderData: (previous) => previous,
  });
}

export function useAttributeDefinitions() {
  return useQuery({
    queryKey: ['attributes'],
    queryFn: async () => (await api.get<{ data: AttributeDefinitionView[] }>('/attributes')).data,
  });
}

export function useAttributeChanges() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['attributes'] });
  type Input = { key: string; label: string; type: string; options?: string[] };
  return {
    create: useMutation({ mutationFn: (body: Input) => api.post('/attributes', body), onSuccess: refresh }),
    remove: useMutation({ mutationFn: (id: string) => api.delete(`/attributes/${id}`), onSuccess: refresh }),
  };
}

export function useSavedViews() {
  return useQuery({
    queryKey: ['contact-views'],
    queryFn: async () => (await api.get<{ data: SavedView[] }>('/contact-views')).data,
  });
}

export function useSaveView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; query: ContactQuery }) => api.post<SavedView>('/contact-views', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['contact-views'] }),
  });
}

export function useUpdateContact(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api.patch<Contact>(`/contacts/${id}`, body),
    onSuccess: (contact) => {
      queryClient.setQueryData(contactKeys.detail(id), contact);
      return queryClient.invalidateQueries({ queryKey: contactKeys.all });
    },
  });
}

export function useContactLists(id: string) {
  return useQuery({
    queryKey: [...contactKeys.detail(id), 'lists'],
    queryFn: async () =>
      (await api.get<{ data: { id: string; name: string }[] }>(`/contacts/${id}/lists`)).data,
  });
}

export function useMergeContact(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sourceId: string) => api.post<Contact>(`/contacts/${id}/merge`, { sourceId }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: contactKeys.all }),
  });
}

export type BulkAction =
  | { type: 'tag' | 'untag'; tags: string[] }
  | { type: 'add-to-list' | 'remove-from-list'; listId: string }
  | { type: 'enroll'; journeyId: string }
  | { type: 'delete' };

export function useBulkAction() {
  return useMutation({
    mutationFn: (body: {
      action: BulkAction;
      selection: { ids?: string[]; filter?: Record<string, unknown> };
    }) => api.post<Job>('/contacts/bulk', body),
  });
}

/** A background job, polled every half second until it ends. */
export function useJob(id: string | null) {
  return useQuery({
    queryKey: ['jobs', id],
    queryFn: () => api.get<Job>(`/jobs/${id}`),
    enabled: !!id,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'completed' || status === 'failed' ? false : 500;
    },
  });
}

function csrf(): string {
  return /(?:^|;\s*)wayline_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
}

/** Posts a file as it is (CSV), answering JSON; errors as the API client raises them. */
async function postFile<T>(path: string, file: string): Promise<T> {
  const response = await fetch(`/v1${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'text/csv', 'x-csrf-token': csrf() },
    body: file,
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = json?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? 'http_error',
      error.message ?? `${response.status}`,
      error.field,
      undefined,
      error,
    );
  }
  return json as T;
}

function importQuery(options: { mapping: Record<string, string>; listId?: string }): string {
  const params = new URLSearchParams({ mapping: JSON.stringify(options.mapping) });
  if (options.listId) params.set('listId', options.listId);
  return params.toString();
}

export const contactImports = {
  preview: (file: string, options: { mapping: Record<string, string>; listId?: string }) =>
    postFile<ImportPreview>(`/contacts/imports/preview?${importQuery(options)}`, file),
  start: (file: string, options: { mapping: Record<string, string>; listId?: string }) =>
    postFile<Job>(`/contacts/imports?${importQuery(options)}`, file),
};

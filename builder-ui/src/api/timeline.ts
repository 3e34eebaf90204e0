import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { TimelineEntry } from '../../../engine/api/schemas/timeline';
import { api } from './client';

export type { TimelineEntry };

export interface ActivityInput {
  kind: 'note' | 'call' | 'meeting';
  subject?: string | null;
  body: string;
  occurredAt?: string;
  durationMinutes?: number | null;
  outcome?: string | null;
}

export const timelineKeys = {
  all: ['timeline'] as const,
  ofContact: (contactId: string, kinds: string) => [...timelineKeys.all, contactId, kinds] as const,
};

/** The contact's timeline, newest first, a page at a time; `kinds` comma-separated or '' for all. */
export function useTimeline(contactId: string, kinds: string) {
  return useInfiniteQuery({
    queryKey: timelineKeys.ofContact(contactId, kinds),
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      api.get<{ data: TimelineEntry[]; nextCursor: string | null }>(
        `/contacts/${contactId}/timeline?limit=50${kinds ? `&kinds=${kinds}` : ''}${pageParam ? `&cursor=${pageParam}` : ''}`,
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useLogActivity(contactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ActivityInput) => api.post(`/contacts/${contactId}/activities`, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...timelineKeys.all, contactId] }),
  });
}

export function useDeleteActivity(contactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/contacts/${contactId}/activities/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...timelineKeys.all, contactId] }),
  });
}

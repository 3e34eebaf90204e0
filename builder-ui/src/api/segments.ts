import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Segment } from '../../../engine/api/schemas/audience';
import type { SegmentGroup } from '../../../engine/audience/segments/definition';
import { api } from './client';

export type { SegmentCondition } from '../../../engine/audience/segments/definition';
export type { Segment, SegmentGroup };

export interface SegmentPreview {
  count: number;
  sample: { id: string; userId: string | null; email: string | null }[];
}
export interface SegmentUser {
  type: 'journey' | 'campaign' | 'broadcast';
  id: string;
  name: string;
  status: string;
}

export const segmentKeys = {
  all: ['segments'] as const,
  list: () => [...segmentKeys.all, 'list'] as const,
  detail: (id: string) => [...segmentKeys.all, 'detail', id] as const,
  preview: (definition: string) => [...segmentKeys.all, 'preview', definition] as const,
  sizes: (id: string) => [...segmentKeys.detail(id), 'sizes'] as const,
  usage: (id: string) => [...segmentKeys.detail(id), 'usage'] as const,
};

export function useSegments() {
  return useQuery({
    queryKey: segmentKeys.list(),
    queryFn: async () => (await api.get<{ data: (Segment & { members: number })[] }>('/segments')).data,
  });
}

export function useSegment(id: string | undefined) {
  return useQuery({
    queryKey: segmentKeys.detail(id ?? 'new'),
    queryFn: () => api.get<Segment>(`/segments/${id}`),
    enabled: !!id,
  });
}

/** The live count of a definition being edited; `null` while it is not valid yet. */
export function useSegmentPreview(definition: SegmentGroup | null) {
  const key = JSON.stringify(definition);
  return useQuery({
    queryKey: segmentKeys.preview(key),
    queryFn: () => api.post<SegmentPreview>('/segments/preview', { definition }),
    enabled: definition !== null,
    placeholderData: (previous) => previous,
    retry: false,
  });
}

export function useSegmentSizes(id: string | undefined) {
  return useQuery({
    queryKey: segmentKeys.sizes(id ?? 'new'),
    queryFn: async () =>
      (await api.get<{ data: { day: string; members: number }[] }>(`/segments/${id}/sizes`)).data,
    enabled: !!id,
  });
}

export function useSegmentUsage(id: string | undefined) {
  return useQuery({
    queryKey: segmentKeys.usage(id ?? 'new'),
    queryFn: async () => (await api.get<{ data: SegmentUser[] }>(`/segments/${id}/usage`)).data,
    enabled: !!id,
  });
}

export function useSegmentChanges() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: segmentKeys.all });
  return {
    create: useMutation({
      mutationFn: (body: { name: string; definition: SegmentGroup }) =>
        api.post<Segment & { members: number }>('/segments', body),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ id, ...body }: { id: string; name: string; definition: SegmentGroup }) =>
        api.put<Segment>(`/segments/${id}`, body),
      onSuccess: refresh,
    }),
    remove: useMutation({ mutationFn: (id: string) => api.delete(`/segments/${id}`), onSuccess: refresh }),
  };
}

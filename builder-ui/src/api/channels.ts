import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChannelSettings, Topic } from '../../../engine/api/schemas/messaging';
import type { Suppression, TestSend } from '../../../engine/api/schemas/templates';
import type { JsonSchema } from '../lib/types';
import { api } from './client';

export type { ChannelSettings, Suppression, TestSend, Topic };

export interface Provider {
  id: string;
  channel: string;
  title: string;
  secretFields: string[];
  configSchema: JsonSchema;
}

export interface ChannelPolicy {
  frequencyCap?: { max: number; windowHours: number };
  quietHours?: { start: string; end: string };
  rate?: { perMinute: number };
}

export interface ChannelSettingsInput {
  provider: string | null;
  config: Record<string, unknown>;
  policy: ChannelPolicy;
}

const keys = {
  channels: ['channels'] as const,
  topics: ['topics'] as const,
  suppressions: (filters: { search?: string; channel?: string }) => ['suppressions', filters] as const,
};

export function useChannels() {
  return useQuery({
    queryKey: keys.channels,
    queryFn: () => api.get<{ data: ChannelSettings[]; providers: Provider[] }>('/channels'),
  });
}

export function useChannelChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: keys.channels });
  return {
    save: useMutation({
      mutationFn: ({ channel, input }: { channel: string; input: ChannelSettingsInput }) =>
        api.put<ChannelSettings>(`/channels/${channel}`, input),
      onSuccess,
    }),
    reset: useMutation({
      mutationFn: (channel: string) => api.delete<void>(`/channels/${channel}`),
      onSuccess,
    }),
    test: useMutation({
      mutationFn: ({ channel, to }: { channel: string; to: string }) =>
        api.post<TestSend>(`/channels/${channel}/test`, { to }),
    }),
  };
}

export function useTopics() {
  return useQuery({
    queryKey: keys.topics,
    queryFn: async () => (await api.get<{ data: Topic[] }>('/topics')).data,
  });
}

export function useTopicChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: keys.topics });
  return {
    save: useMutation({
      mutationFn: (topic: {
        name: string;
        label: string;
        description?: string;
        defaultSubscribed: boolean;
      }) => api.put<Topic>('/topics', topic),
      onSuccess,
    }),
    remove: useMutation({
      mutationFn: (name: string) => api.delete<void>(`/topics/${encodeURIComponent(name)}`),
      onSuccess,
    }),
  };
}

export function useSuppressions(filters: { search?: string; channel?: string }) {
  return useQuery({
    queryKey: keys.suppressions(filters),
    queryFn: async () => {
      const params = new URLSearchParams();
      if (filters.search) params.set('search', filters.search);
      if (filters.channel) params.set('channel', filters.channel);
      return (await api.get<{ data: Suppression[] }>(`/suppressions?${params}`)).data;
    },
  });
}

export function useSuppressionChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: ['suppressions'] });
  return {
    add: useMutation({
      mutationFn: (input: { channel: string; address: string }) => api.put<void>('/suppressions', input),
      onSuccess,
    }),
    remove: useMutation({
      mutationFn: ({ channel, address }: { channel: string; address: string }) =>
        api.delete<void>(`/suppressions/${channel}/${encodeURIComponent(address)}`),
      onSuccess,
    }),
  };
}

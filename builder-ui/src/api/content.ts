import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Json } from '../../../engine/api/schemas/common';
import type { AssetRow } from '../../../engine/content/assets';
import type { ContentItemInput, ContentItemRow } from '../../../engine/content/library';
import type { ContentPerformance } from '../../../engine/content/performance';
import type { SocialAccountView, SocialPostView } from '../../../engine/content/social';
import { ApiError, api } from './client';

export type ContentItem = Json<ContentItemRow> & { url: string };
export type Asset = Json<AssetRow> & { url: string; thumbnailUrl: string | null };
export type SocialAccount = Json<SocialAccountView>;
export type SocialPost = Json<SocialPostView>;
export type Performance = ContentPerformance;
export type ContentFields = ContentItemInput;

export interface ContentFilter {
  kind?: string;
  status?: string;
  tag?: string;
  q?: string;
}

const keys = {
  items: ['content'] as const,
  item: (id: string) => ['content', id] as const,
  assets: ['assets'] as const,
  accounts: ['social-accounts'] as const,
  posts: (itemId: string) => ['social-posts', itemId] as const,
  performance: (id: string) => ['content-performance', id] as const,
};

export function useContentItems(filter: ContentFilter) {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]);
  return useQuery({
    queryKey: [...keys.items, filter],
    queryFn: async () => (await api.get<{ data: ContentItem[] }>(`/content?${query}`)).data,
  });
}

export function useContentItem(id: string | undefined) {
  return useQuery({
    queryKey: keys.item(id ?? 'new'),
    queryFn: () => api.get<ContentItem>(`/content/${id}`),
    enabled: !!id,
  });
}

export function useContentChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: keys.items });
  return {
    create: useMutation({
      mutationFn: (fields: ContentFields) => api.post<ContentItem>('/content', fields),
      onSuccess,
    }),
    update: useMutation({
      mutationFn: ({ id, fields }: { id: string; fields: ContentFields }) =>
        api.put<ContentItem>(`/content/${id}`, fields),
      onSuccess,
    }),
  };
}

export function useAssets() {
  return useQuery({
    queryKey: keys.assets,
    queryFn: async () => (await api.get<{ data: Asset[] }>('/assets')).data,
  });
}

function csrfToken(): string {
  return /(?:^|;\s*)wayline_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
}

/** Uploads one file as multipart/form-data; a refused file (413, 415) comes back as an ApiError. */
export function useUploadAsset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (file: File) => {
      const form = new FormData();
      form.append('file', file, file.name);
      const response = await fetch('/v1/assets', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'x-csrf-token': csrfToken() },
        body: form,
      });
      const body = await response.json();
      if (!response.ok) {
        const error = body?.error ?? {};
        throw new ApiError(
          response.status,
          error.code ?? 'http_error',
          error.message ?? 'Upload failed',
          error.field,
        );
      }
      return body as Asset;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.assets }),
  });
}

export function useSocialAccounts() {
  return useQuery({
    queryKey: keys.accounts,
    queryFn: async () => (await api.get<{ data: SocialAccount[] }>('/social/accounts')).data,
  });
}

/** The item's posts; refreshed every 2 seconds while one is still due or going out. */
export function useSocialPosts(itemId: string | undefined) {
  return useQuery({
    queryKey: keys.posts(itemId ?? 'none'),
    queryFn: async () => (await api.get<{ data: SocialPost[] }>(`/social/posts?itemId=${itemId}`)).data,
    enabled: !!itemId,
    refetchInterval: (query) =>
      (query.state.data ?? []).some((p) => p.status === 'scheduled' || p.status === 'publishing')
        ? 2000
        : false,
  });
}

export function usePublishChanges(itemId: string) {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: keys.posts(itemId) });
  return {
    publish: useMutation({
      mutationFn: (input: { accountIds: string[]; text?: string; at?: string; campaignId?: string }) =>
        api.post<{ data: SocialPost[] }>(`/content/${itemId}/publish`, input),
      onSuccess,
    }),
    cancel: useMutation({
      mutationFn: (postId: string) => api.post<SocialPost>(`/social/posts/${postId}/cancel`),
      onSuccess,
    }),
  };
}

export function useContentPerformance(id: string | undefined) {
  return useQuery({
    queryKey: keys.performance(id ?? 'none'),
    queryFn: () => api.get<Performance>(`/content/${id}/performance`),
    enabled: !!id,
  });
}

export interface SocialProvider {
  id: string;
  title: string;
  settingsSchema: {
    properties?: Record<string, { description?: string; default?: unknown }>;
    required?: string[];
  };
  credentialsSchema: { properties?: Record<string, { description?: string }>; required?: string[] };
  engagement: boolean;
}

export function useSocialProviders() {
  return useQuery({
    queryKey: [...keys.accounts, 'providers'],
    queryFn: async () => (await api.get<{ providers: SocialProvider[] }>('/social/accounts')).providers,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useSocialAccountChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: keys.accounts });
  return {
    connect: useMutation({
      mutationFn: (input: {
        provider: string;
        name: string;
        settings: Record<string, string>;
        credentials: Record<string, string>;
      }) => api.post<SocialAccount>('/social/accounts', input),
      onSuccess,
    }),
    remove: useMutation({
      mutationFn: (id: string) => api.delete<void>(`/social/accounts/${id}`),
      onSuccess,
    }),
  };
}

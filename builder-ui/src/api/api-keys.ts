import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiKeyScope } from '../../../db/schema/identity';
import type { Json } from '../../../engine/api/schemas/common';
import type { ApiKeySummary, CreatedApiKey as EngineCreatedKey } from '../../../engine/identity/api-keys';
import { api } from './client';

export type ApiKey = Json<ApiKeySummary>;
export type CreatedApiKey = Json<EngineCreatedKey>;
export type { ApiKeyScope };

export const apiKeyKeys = { all: ['api-keys'] as const };

/** The workspace's keys, revoked ones included; never the keys themselves. */
export function useApiKeys() {
  return useQuery({
    queryKey: apiKeyKeys.all,
    queryFn: async () => (await api.get<{ data: ApiKey[] }>('/api-keys')).data,
  });
}

/** The answer holds the key in clear text: the only time anyone sees it. */
export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; scopes: ApiKeyScope[] }) =>
      api.post<CreatedApiKey>('/api-keys', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/api-keys/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

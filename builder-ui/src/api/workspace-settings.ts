import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WorkspaceSettings } from '../../../engine/identity/workspaces';
import { api } from './client';

export type { WorkspaceSettings };

const settingsKey = ['workspace-settings'] as const;

export function useWorkspaceSettings() {
  return useQuery({
    queryKey: settingsKey,
    queryFn: () => api.get<WorkspaceSettings>('/workspace/settings'),
  });
}

export function useUpdateWorkspaceSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: { name?: string; defaultTimezone?: string }) =>
      api.put<WorkspaceSettings>('/workspace/settings', changes),
    onSuccess: (settings) => queryClient.setQueryData(settingsKey, settings),
  });
}

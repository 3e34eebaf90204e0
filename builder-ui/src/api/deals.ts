import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Json } from '../../../engine/api/schemas/common';
import type { DealView } from '../../../engine/crm/deals/deals';
import type { PipelineView } from '../../../engine/crm/deals/pipelines';
import type { DealReports } from '../../../engine/crm/deals/reports';
import { api } from './client';

export type Pipeline = Json<PipelineView>;
export type Stage = Pipeline['stages'][number];
export type Deal = Json<DealView>;
export type DealReport = DealReports;

export interface DealNote {
  id: string;
  body: string;
  authorName: string | null;
  createdAt: string;
}

export interface DealStay {
  id: string;
  stageId: string;
  stageName: string;
  fromStageId: string | null;
  enteredAt: string;
  leftAt: string | null;
}

export interface DealOwnerOption {
  userId: string;
  name: string;
  email: string;
  role: string;
}

export interface DealFields {
  title: string;
  pipelineId: string;
  stageId?: string;
  value: number;
  currency: string;
  ownerUserId: string | null;
  contactIds: string[];
  expectedCloseDate: string | null;
}

export interface StageFields {
  id?: string;
  name: string;
  winProbability: number;
  closedWon: boolean;
  closedLost: boolean;
}

export const dealKeys = {
  pipelines: ['pipelines'] as const,
  deals: ['deals'] as const,
  list: (filter: Record<string, string | undefined>) => ['deals', 'list', filter] as const,
  deal: (id: string) => ['deals', 'one', id] as const,
  notes: (id: string) => ['deals', 'notes', id] as const,
  history: (id: string) => ['deals', 'history', id] as const,
  owners: ['deal-owners'] as const,
  reports: (pipelineId: string, from: string, to: string) => ['deal-reports', pipelineId, from, to] as const,
};

export function usePipelines() {
  return useQuery({
    queryKey: dealKeys.pipelines,
    queryFn: async () => (await api.get<{ data: Pipeline[] }>('/pipelines')).data,
  });
}

export function useDeals(filter: { pipelineId?: string; status?: string; q?: string }) {
  const params = new URLSearchParams(
    Object.entries(filter).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  return useQuery({
    queryKey: dealKeys.list(filter),
    queryFn: async () => (await api.get<{ data: Deal[] }>(`/deals?${params}`)).data,
    enabled: Boolean(filter.pipelineId),
  });
}

export function useDeal(id: string) {
  return useQuery({ queryKey: dealKeys.deal(id), queryFn: () => api.get<Deal>(`/deals/${id}`) });
}

export function useDealNotes(id: string) {
  return useQuery({
    queryKey: dealKeys.notes(id),
    queryFn: async () => (await api.get<{ data: DealNote[] }>(`/deals/${id}/notes`)).data,
  });
}

export function useDealHistory(id: string) {
  return useQuery({
    queryKey: dealKeys.history(id),
    queryFn: async () => (await api.get<{ data: DealStay[] }>(`/deals/${id}/history`)).data,
  });
}

export function useDealOwners() {
  return useQuery({
    queryKey: dealKeys.owners,
    queryFn: async () => (await api.get<{ data: DealOwnerOption[] }>('/deals/owners')).data,
    staleTime: 60_000,
  });
}

export function useDealReports(pipelineId: string | undefined, from: string, to: string) {
  return useQuery({
    queryKey: dealKeys.reports(pipelineId ?? '', from, to),
    queryFn: () => api.get<DealReport>(`/pipelines/${pipelineId}/reports?from=${from}&to=${to}`),
    enabled: Boolean(pipelineId),
  });
}

export function useDealChanges() {
  const queryClient = useQueryClient();
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: dealKeys.deals });
    queryClient.invalidateQueries({ queryKey: ['deal-reports'] });
  };
  return {
    create: useMutation({
      mutationFn: (fields: DealFields) => api.post<Deal>('/deals', fields),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ id, fields }: { id: string; fields: Partial<DealFields> }) =>
        api.patch<Deal>(`/deals/${id}`, fields),
      onSuccess: refresh,
    }),
    move: useMutation({
      mutationFn: ({ id, stageId }: { id: string; stageId: string }) =>
        api.post<Deal>(`/deals/${id}/stage`, { stageId }),
      // The card lands in its new column at once; a refusal puts it back.
      onMutate: async ({ id, stageId }) => {
        await queryClient.cancelQueries({ queryKey: dealKeys.deals });
        const before = queryClient.getQueriesData<Deal[]>({ queryKey: ['deals', 'list'] });
        for (const [key, deals] of before) {
          if (!deals) continue;
          queryClient.setQueryData(
            key,
            deals.map((d) => (d.id === id ? { ...d, stageId } : d)),
          );
        }
        return { before };
      },
      onError: (_error, _vars, context) => {
        for (const [key, deals] of context?.before ?? []) queryClient.setQueryData(key, deals);
      },
      onSettled: refresh,
    }),
    remove: useMutation({ mutationFn: (id: string) => api.delete<void>(`/deals/${id}`), onSuccess: refresh }),
    addNote: useMutation({
      mutationFn: ({ id, body }: { id: string; body: string }) =>
        api.post<DealNote>(`/deals/${id}/notes`, { body }),
      onSuccess: (_note, { id }) => queryClient.invalidateQueries({ queryKey: dealKeys.notes(id) }),
    }),
  };
}

export function usePipelineChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: dealKeys.pipelines });
  return {
    create: useMutation({
      mutationFn: (input: { name: string; stages: StageFields[] }) => api.post<Pipeline>('/pipelines', input),
      onSuccess,
    }),
    update: useMutation({
      mutationFn: ({ id, ...input }: { id: string; name: string; stages: StageFields[] }) =>
        api.put<Pipeline>(`/pipelines/${id}`, input),
      onSuccess,
    }),
  };
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { broadcasts, campaignCosts, campaigns } from '../../../db/schema';
import type { Json } from '../../../engine/api/schemas/common';
import type { AbTestResult } from '../../../engine/campaigns/ab-test';
import type { CalendarItem } from '../../../engine/campaigns/calendar';
import type { Confirmation } from '../../../engine/campaigns/confirm';
import type { BroadcastProgress } from '../../../engine/campaigns/progress';
import type { AttributionModel, Report } from '../../../engine/campaigns/report';
import { api } from './client';

export type Campaign = Json<typeof campaigns.$inferSelect>;
export type Broadcast = Json<typeof broadcasts.$inferSelect>;
export type CampaignCost = Json<typeof campaignCosts.$inferSelect>;
export type { AbTestResult, AttributionModel, BroadcastProgress, CalendarItem, Confirmation, Report };

export interface CampaignOverview {
  campaign: Campaign;
  journeys: { id: string; name: string; status: string }[];
  broadcasts: Broadcast[];
  costs: CampaignCost[];
  /** Posts published for the campaign or by its journeys' social.publish nodes. */
  socialPosts?: CampaignSocialPost[];
}

export interface CampaignSocialPost {
  id: string;
  itemId: string | null;
  journeyId: string | null;
  accountName: string;
  provider: string;
  text: string;
  status: string;
  url: string | null;
  scheduledAt: string | null;
  publishedAt: string | null;
  likes: number;
  shares: number;
  comments: number;
}

export interface AudienceChoice {
  segmentIds: string[];
  listIds: string[];
  excludeSegmentIds: string[];
  excludeListIds: string[];
}

const RUNNING = ['scheduled', 'sending', 'testing', 'awaiting-winner', 'paused'];
export const isRunning = (status: string) => RUNNING.includes(status);

export function useCampaigns() {
  return useQuery({
    queryKey: ['campaigns'],
    queryFn: async () => (await api.get<{ data: Campaign[] }>('/campaigns')).data,
  });
}

export function useCampaign(id: string | undefined) {
  return useQuery({
    queryKey: ['campaigns', id],
    enabled: !!id,
    queryFn: () => api.get<CampaignOverview>(`/campaigns/${id}`),
  });
}

export function useSaveCampaign(id?: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      id ? api.put<Campaign>(`/campaigns/${id}`, body) : api.post<Campaign>('/campaigns', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['campaigns'] }),
  });
}

export function useAddCost(campaignId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { label: string; amount: number; incurredOn?: string }) =>
      api.post<CampaignCost>(`/campaigns/${campaignId}/costs`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['campaigns', campaignId] }),
  });
}

export function useLinkJourney(campaignId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (journeyId: string) => api.post(`/campaigns/${campaignId}/journeys`, { journeyId }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['campaigns', campaignId] }),
  });
}

export function useBroadcast(id: string | undefined) {
  return useQuery({
    queryKey: ['broadcasts', id],
    enabled: !!id,
    queryFn: () => api.get<Broadcast>(`/broadcasts/${id}`),
    refetchInterval: (query) => (query.state.data && isRunning(query.state.data.status) ? 1000 : false),
  });
}

export function useSaveBroadcast(id?: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      id ? api.put<Broadcast>(`/broadcasts/${id}`, body) : api.post<Broadcast>('/broadcasts', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['broadcasts'] }),
  });
}

export function useConfirmation(id: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['broadcasts', id, 'confirm'],
    enabled: !!id && enabled,
    queryFn: () => api.post<Confirmation>(`/broadcasts/${id}/confirm`),
  });
}

export function useLaunch(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ broadcast: Broadcast; launched: boolean }>(`/broadcasts/${id}/launch`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['broadcasts', id] }),
  });
}

export function useControl(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: 'pause' | 'resume' | 'cancel') => api.post<Broadcast>(`/broadcasts/${id}/${action}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['broadcasts', id] }),
  });
}

export function useProgress(id: string | undefined, live: boolean) {
  return useQuery({
    queryKey: ['broadcasts', id, 'progress'],
    enabled: !!id,
    queryFn: () => api.get<BroadcastProgress>(`/broadcasts/${id}/progress`),
    refetchInterval: live ? 1000 : false,
  });
}

export function useAbTest(id: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['broadcasts', id, 'ab-test'],
    enabled: !!id && enabled,
    queryFn: () => api.get<AbTestResult>(`/broadcasts/${id}/ab-test`),
    refetchInterval: 5000,
  });
}

export function usePickWinner(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (variant: string) => api.post<Broadcast>(`/broadcasts/${id}/winner`, { variant }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['broadcasts', id] }),
  });
}

export function useReport(kind: 'campaigns' | 'broadcasts', id: string | undefined, model: AttributionModel) {
  return useQuery({
    queryKey: [kind, id, 'report', model],
    enabled: !!id,
    queryFn: () => api.get<Report>(`/${kind}/${id}/report?model=${model}`),
  });
}

export function useCalendar(from: string, to: string) {
  return useQuery({
    queryKey: ['calendar', from, to],
    queryFn: async () => (await api.get<{ data: CalendarItem[] }>(`/calendar?from=${from}&to=${to}`)).data,
  });
}

interface Named {
  id: string;
  name: string;
}

/** Segments, lists, templates and journeys to choose from in the composer and the campaign page. */
export function useAudienceSources() {
  return useQuery({
    queryKey: ['campaign-sources'],
    queryFn: async () => {
      const [segments, lists, templates, journeys] = await Promise.all([
        api.get<{ data: (Named & { members?: number })[] }>('/segments'),
        api.get<{ data: (Named & { members?: number })[] }>('/lists'),
        api.get<{ data: (Named & { channel: string })[] }>('/templates'),
        api.get<{ data: (Named & { status: string })[] }>('/journeys'),
      ]);
      return {
        segments: segments.data,
        lists: lists.data,
        templates: templates.data,
        journeys: journeys.data,
      };
    },
  });
}

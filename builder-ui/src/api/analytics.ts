import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ForecastPoint } from '../../../engine/analytics/forecast';
import type { FunnelStep } from '../../../engine/analytics/funnels';
import type { AttributionModel, CampaignFunnel } from '../../../engine/campaigns/report';
import { api } from './client';

export type { FunnelStep };

export interface RfmCell {
  r: number;
  fm: number;
  segment: string;
  contacts: number;
  revenue: number;
}

export interface RfmOverview {
  computedAt: string | null;
  params: Record<string, unknown> | null;
  cells: RfmCell[];
  segments: { name: string; contacts: number; revenue: number }[];
  valueClasses: { name: string; contacts: number; revenue: number }[];
}

export interface ModelResult<R = Record<string, unknown>> {
  model: string;
  params: Record<string, unknown>;
  result: R;
  jobId: string | null;
  computedAt: string | null;
}

export interface AnalyticsJob {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  total: number | null;
  done: number;
  failure: string | null;
}

export interface ClvScore {
  contactId: string;
  email: string | null;
  frequency: number;
  averageSpend: number;
  expectedPurchases: number;
  probabilityAlive: number;
  expectedSpend: number;
  clv: number;
}

export interface AffinityRule {
  id: string;
  antecedent: string[];
  consequent: string[];
  support: number;
  confidence: number;
  lift: number;
  orders: number;
}

export interface ClusterProfile {
  cluster: number;
  size: number;
  revenue: number;
  means: Record<string, number>;
}

export interface ForecastResult {
  history: { period: string; revenue: number; orders: number }[];
  fitted: number[];
  forecast: ForecastPoint[];
  mape: number | null;
  trend: number;
  season: number | null;
}

export interface FunnelResult {
  steps: FunnelStep[];
  breakdown: { value: string; steps: FunnelStep[] }[];
}

export interface Cohort {
  cohort: string;
  size: number;
  active: number[];
  retention: number[];
}

export interface Dashboard {
  totals: {
    contacts: number;
    activeJourneys: number;
    messages: number;
    conversions: number;
    revenue: number;
    /** Revenue the campaigns' attribution credits to them over the range (last touch). */
    attributedRevenue: number;
    /** What the campaigns cost over the range. */
    spend: number;
    roi: number | null;
  };
  weekly: {
    week: string;
    newContacts: number;
    messages: number;
    conversions: number;
    revenue: number;
    attributedRevenue: number;
    spend: number;
    roi: number | null;
  }[];
}

export type { CampaignFunnel };

export const analyticsKeys = {
  all: ['analytics'] as const,
  rfm: (segmentId = '') => [...analyticsKeys.all, 'rfm', segmentId] as const,
  result: (model: string) => [...analyticsKeys.all, 'result', model] as const,
  clvScores: (segmentId = '') => [...analyticsKeys.all, 'clv-scores', segmentId] as const,
  clusterSpread: (segmentId: string) => [...analyticsKeys.all, 'cluster-spread', segmentId] as const,
  rules: () => [...analyticsKeys.all, 'rules'] as const,
  dashboard: (from: string, to: string, segmentId = '') =>
    [...analyticsKeys.all, 'dashboard', from, to, segmentId] as const,
  job: (id: string) => [...analyticsKeys.all, 'job', id] as const,
};

/** The grid over the workspace, or over one segment's members. */
export function useRfm(segmentId = '') {
  return useQuery({
    queryKey: analyticsKeys.rfm(segmentId),
    queryFn: () => api.get<RfmOverview>(`/analytics/rfm${segmentId ? `?segmentId=${segmentId}` : ''}`),
  });
}

export function useRefreshRfm() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { windowDays: number; monetary: 'total' | 'average' }) =>
      api.post<{ contacts: number }>('/analytics/rfm/refresh', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: analyticsKeys.all }),
  });
}

export function useModelResult<R>(model: string) {
  return useQuery({
    queryKey: analyticsKeys.result(model),
    queryFn: () => api.get<ModelResult<R>>(`/analytics/results/${model}`),
  });
}

const segmentParam = (segmentId: string, joiner = '?') =>
  segmentId ? `${joiner}segmentId=${segmentId}` : '';

export function useClvScores(segmentId = '') {
  return useQuery({
    queryKey: analyticsKeys.clvScores(segmentId),
    queryFn: async () =>
      (await api.get<{ data: ClvScore[] }>(`/analytics/clv/scores${segmentParam(segmentId)}`)).data,
  });
}

/** Members and revenue of one segment per stored cluster; off without a segment. */
export function useClusterSpread(segmentId: string) {
  return useQuery({
    queryKey: analyticsKeys.clusterSpread(segmentId),
    queryFn: async () =>
      (
        await api.get<{ data: { cluster: number; members: number; revenue: number }[] }>(
          `/analytics/clusters/segment-spread?segmentId=${segmentId}`,
        )
      ).data,
    enabled: segmentId !== '',
  });
}

export function useAffinityRules() {
  return useQuery({
    queryKey: analyticsKeys.rules(),
    queryFn: async () => (await api.get<{ data: AffinityRule[] }>('/analytics/affinity/rules')).data,
  });
}

export function useDashboard(from: string, to: string, segmentId = '') {
  return useQuery({
    queryKey: analyticsKeys.dashboard(from, to, segmentId),
    queryFn: () =>
      api.get<Dashboard>(
        `/analytics/dashboard?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${segmentParam(segmentId, '&')}`,
      ),
  });
}

export function useStartJob() {
  return useMutation({
    mutationFn: (body: { model: string; options: Record<string, unknown> }) =>
      api.post<AnalyticsJob>('/analytics/jobs', body),
  });
}

/** Follows a job until it ends, then refreshes every analytics read. */
export function useJob(id: string | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: analyticsKeys.job(id ?? ''),
    enabled: id !== null,
    queryFn: async () => {
      const job = await api.get<AnalyticsJob>(`/jobs/${id}`);
      if (job.status === 'completed' || job.status === 'failed') {
        await queryClient.invalidateQueries({
          predicate: (q) => q.queryKey[0] === 'analytics' && q.queryKey[1] !== 'job',
        });
      }
      return job;
    },
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'completed' || status === 'failed' ? false : 500;
    },
  });
}

export function useFunnel() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<FunnelResult>('/analytics/funnels', body),
  });
}

export interface JourneyFunnelStep {
  nodeId: string;
  runs: number;
  conversion: number;
  overallConversion: number;
  dropOff: number;
  medianSeconds: number | null;
}

export function useJourneyFunnel() {
  return useMutation({
    mutationFn: async (body: { journeyId: string; nodeIds: string[]; version?: number }) =>
      (await api.post<{ data: JourneyFunnelStep[] }>('/analytics/journey-funnel', body)).data,
  });
}

export function useCohorts() {
  return useMutation({
    mutationFn: async (body: Record<string, unknown>) =>
      (await api.post<{ data: Cohort[] }>('/analytics/cohorts', body)).data,
  });
}

export function useClvFormula() {
  return useMutation({
    mutationFn: (body: { margin: number; rate: number; periods: number; convention: string }) =>
      api.post<{ clv: number }>('/analytics/clv/formula', body),
  });
}

/** A segment of the contacts matching analytics rules (needs segments:write). */
export function useCreateAnalyticsSegment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; rules: Record<string, unknown>[] }) =>
      api.post<{ id: string; name: string; members: number }>('/segments', {
        name: body.name,
        definition: { match: 'all', rules: body.rules },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['segments'] }),
  });
}

/** Downloads a CSV answered to a POST (funnels, cohorts); GET exports are plain links. */
export async function downloadPostCsv(path: string, body: unknown, name: string): Promise<void> {
  const csrf = /(?:^|;\s*)wayline_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
  const response = await fetch(`/v1${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body),
  });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = `${name}.csv`;
  link.click();
  URL.revokeObjectURL(link.href);
}

/** A campaign's funnel in contacts under an attribution model (nothing until a campaign is chosen). */
export function useCampaignFunnel(campaignId: string, model: AttributionModel) {
  return useQuery({
    queryKey: [...analyticsKeys.all, 'campaign-funnel', campaignId, model],
    enabled: campaignId !== '',
    queryFn: () =>
      api.get<CampaignFunnel>(`/analytics/campaigns/${encodeURIComponent(campaignId)}/funnel?model=${model}`),
  });
}

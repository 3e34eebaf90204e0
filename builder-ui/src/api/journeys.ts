import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type {
  Journey,
  JourneyCounts,
  JourneyGraph,
  JourneyTemplate,
  JourneyVersion,
  SimulationResult,
  UpgradeCheck,
  ValidationResult,
} from '../lib/types';
import { api } from './client';
import { journeyKeys, journeyQuery } from './journey-read';

export { journeyKeys, takeJourneyReadAtStart } from './journey-read';

const LIVE_COUNTS_EVERY_MS = 3000;

export function useJourneys() {
  return useQuery({
    queryKey: journeyKeys.list(),
    queryFn: async () => (await api.get<{ data: Journey[] }>('/journeys')).data,
  });
}

export function useJourneyTemplates() {
  return useQuery({
    queryKey: journeyKeys.templates(),
    queryFn: async () => (await api.get<{ data: JourneyTemplate[] }>('/journey-templates')).data,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useJourney(id: string, options: { refetchOnMount?: boolean } = {}) {
  return useQuery({ ...journeyQuery(id), ...options });
}

/** A published version never changes, so it is read once. */
export function useJourneyVersion(id: string, version: number | null) {
  return useQuery({
    queryKey: journeyKeys.version(id, version ?? 0),
    queryFn: () => api.get<JourneyVersion>(`/journeys/${id}/versions/${version}`),
    staleTime: Number.POSITIVE_INFINITY,
    enabled: version !== null,
  });
}

export function useJourneyVersions(id: string) {
  return useQuery({
    queryKey: journeyKeys.versions(id),
    queryFn: async () => (await api.get<{ data: JourneyVersion[] }>(`/journeys/${id}/versions`)).data,
  });
}

/** Counts of one version (the active one when null); `live` refreshes them every few seconds. */
function countsQuery(id: string, version: number | null, live: boolean) {
  return {
    queryKey: journeyKeys.counts(id, version),
    queryFn: () =>
      api.get<JourneyCounts>(`/journeys/${id}/counts${version === null ? '' : `?version=${version}`}`),
    refetchInterval: live ? LIVE_COUNTS_EVERY_MS : (false as const),
  };
}

export function useLiveJourneyCounts(id: string, version: number | null) {
  return useQuery({ ...countsQuery(id, version ?? 0, true), enabled: version !== null });
}

/** Counts of each published journey's active version, by journey id; a failed one is left out. */
export function useActiveCounts(journeys: Journey[] | undefined): Record<string, JourneyCounts> {
  const published = (journeys ?? []).filter((j) => j.activeVersion !== null);
  return useQueries({
    queries: published.map((j) => countsQuery(j.id, null, false)),
    combine: (answers) =>
      Object.fromEntries(published.flatMap((j, i) => (answers[i]?.data ? [[j.id, answers[i].data]] : []))),
  });
}

/** The API's validator on a draft; each distinct draft is checked once. */
export function useValidation(id: string, draftJson: string) {
  return useQuery({
    queryKey: journeyKeys.validation(id, draftJson),
    queryFn: () =>
      api.post<ValidationResult>(`/journeys/${id}/validate`, {
        graph: JSON.parse(draftJson) as JourneyGraph,
      }),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 30_000,
    placeholderData: (previous) => previous,
  });
}

/** Puts a journey the server answered with into the cache; lists read it again. */
export function useJourneyChanged(): (journey: Journey) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (journey: Journey) => {
      queryClient.setQueryData(journeyKeys.detail(journey.id), journey);
      void queryClient.invalidateQueries({ queryKey: journeyKeys.list() });
    },
    [queryClient],
  );
}

/** A journey from a shipped template, or from a graph (settings may be left out). */
export type NewJourney =
  | { template: string }
  | (Pick<JourneyGraph, 'name' | 'nodes' | 'edges'> & Partial<JourneyGraph>);

export function useCreateJourney() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (create: NewJourney) =>
      'template' in create
        ? api.post<Journey>('/journeys/from-template', create)
        : api.post<Journey>('/journeys', create),
    onSuccess: (journey) => {
      queryClient.setQueryData(journeyKeys.detail(journey.id), journey);
      void queryClient.invalidateQueries({ queryKey: journeyKeys.list() });
    },
  });
}

export function useDeleteJourney() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/journeys/${id}`),
    onSuccess: (_, id) => {
      queryClient.removeQueries({ queryKey: journeyKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: journeyKeys.list() });
    },
  });
}

export function useSaveDraft(id: string) {
  const changed = useJourneyChanged();
  return useMutation({
    mutationFn: (draftJson: string) => api.put<Journey>(`/journeys/${id}`, JSON.parse(draftJson)),
    onSuccess: (journey) => changed(journey),
  });
}

/** Who publishing (backfill) or resuming would enroll from a segment trigger's segment. */
export interface EntryAudience {
  segmentId: string | null;
  members: number;
  enteredWhilePaused: number;
}

export function useEntryAudience(id: string, enabled = true) {
  return useQuery({
    queryKey: [...journeyKeys.detail(id), 'entry-audience'],
    queryFn: () => api.get<EntryAudience>(`/journeys/${id}/entry-audience`),
    enabled,
    staleTime: 0,
  });
}

export type Backfill = 'enroll' | 'skip';

export function usePublish(id: string) {
  const queryClient = useQueryClient();
  const changed = useJourneyChanged();
  return useMutation({
    mutationFn: async ({ note, backfill }: { note: string; backfill?: Backfill }) => {
      const published = await api.post<{ version: number; backfilled: number; backfilledHeldOut: number }>(
        `/journeys/${id}/publish`,
        {
          ...(note ? { note } : {}),
          ...(backfill ? { backfill } : {}),
        },
      );
      return {
        version: published.version,
        backfilled: published.backfilled,
        backfilledHeldOut: published.backfilledHeldOut,
        journey: await api.get<Journey>(`/journeys/${id}`),
      };
    },
    onSuccess: ({ journey }) => {
      changed(journey);
      void queryClient.invalidateQueries({ queryKey: journeyKeys.versions(id) });
    },
  });
}

export type LifecycleAction = 'pause' | 'resume' | 'archive';

export function useLifecycle(journey: Journey) {
  const changed = useJourneyChanged();
  return useMutation({
    mutationFn: ({ action, missed }: { action: LifecycleAction; missed?: Backfill }) =>
      api.post<Journey & { missedEnrolled?: number; missedHeldOut?: number }>(
        `/journeys/${journey.id}/${action}`,
        action === 'resume' && missed ? { missed } : undefined,
      ),
    onSuccess: (updated) => changed({ ...journey, ...updated }),
  });
}

export function upgradeNode(
  id: string,
  nodeId: string,
  body: { version: number; config: Record<string, unknown>; dryRun?: boolean },
): Promise<UpgradeCheck> {
  return api.post<UpgradeCheck>(`/journeys/${id}/nodes/${encodeURIComponent(nodeId)}/upgrade`, body);
}

export function useSimulate(id: string) {
  return useMutation({
    mutationFn: (body: { source: 'draft' | 'active'; contact: unknown; events: unknown[] }) =>
      api.post<SimulationResult>(`/journeys/${id}/simulate`, body),
  });
}

export type { VersionDiff } from '../../../engine/automation/journeys/version-diff';

/** The diff between two versions, a version number or `draft` each. */
export function useJourneyDiff(id: string, from: string | null, to: string | null) {
  return useQuery({
    queryKey: [...journeyKeys.detail(id), 'diff', from, to] as const,
    queryFn: () =>
      api.get<import('../../../engine/automation/journeys/version-diff').VersionDiff>(
        `/journeys/${id}/diff?from=${from}&to=${to}`,
      ),
    enabled: from !== null && to !== null,
  });
}

export type { MigrationPreview, MigrationRequest } from '../../../engine/automation/runs/migration';

type MigrationPreviewT = import('../../../engine/automation/runs/migration').MigrationPreview;
type MigrationRequestT = import('../../../engine/automation/runs/migration').MigrationRequest;

/** A migration's progress as the API answers it (dates as strings). */
export interface MigrationView {
  id: string;
  toVersion: number;
  status: 'running' | 'done' | 'failed';
  total: number;
  moved: number;
  kept: number;
  failed: number;
  pastTimers: 'fire' | 'restart';
  createdAt: string;
  finishedAt: string | null;
}

/** The dry run of moving running runs of earlier versions, recomputed when the mapping changes. */
export function useMigrationPreview(id: string, request: MigrationRequestT, enabled = true) {
  return useQuery({
    queryKey: [...journeyKeys.detail(id), 'migration-preview', JSON.stringify(request)] as const,
    queryFn: () => api.post<MigrationPreviewT>(`/journeys/${id}/migrations/preview`, request),
    enabled,
  });
}

export function previewMigration(id: string, request: MigrationRequestT = {}) {
  return api.post<MigrationPreviewT>(`/journeys/${id}/migrations/preview`, request);
}

export function startMigration(id: string, request: MigrationRequestT) {
  return api.post<{ migration: MigrationView; preview: MigrationPreviewT }>(
    `/journeys/${id}/migrations`,
    request,
  );
}

/** A migration's progress, refreshed every second while it runs. */
export function useMigration(id: string, migrationId: string | null) {
  return useQuery({
    queryKey: [...journeyKeys.detail(id), 'migration', migrationId] as const,
    queryFn: () => api.get<MigrationView>(`/journeys/${id}/migrations/${migrationId}`),
    enabled: migrationId !== null,
    refetchInterval: (query) => (query.state.data?.status === 'running' || !query.state.data ? 1000 : false),
  });
}

/** Runs still going on each of these versions, refreshed every 1.5 s. */
export function useRunningByVersion(id: string, versions: number[]) {
  return useQueries({
    queries: versions.map((version) => ({
      queryKey: [...journeyKeys.detail(id), 'running', version] as const,
      queryFn: async () =>
        (await api.get<JourneyCounts>(`/journeys/${id}/counts?version=${version}`)).running,
      refetchInterval: 1500,
    })),
  });
}

type CodeBundleT = import('../../../engine/operations/journeys-as-code').CodeBundle;
type PushReportT = import('../../../engine/operations/journeys-as-code').PushReport;

/** The workspace's journeys, templates and segments in the format `wayline journeys pull` writes. */
export function exportJourneysCode() {
  return api.get<CodeBundleT>('/journeys-code');
}

/** Applies a bundle by name (validated and linted first; a problem refuses it and changes nothing). */
export function pushJourneysCode(bundle: unknown, options: { dryRun?: boolean; publish?: boolean } = {}) {
  return api.post<PushReportT>('/journeys-code', { bundle, ...options });
}

export function useRefreshJourneys() {
  const queryClient = useQueryClient();
  return useCallback(() => queryClient.invalidateQueries({ queryKey: journeyKeys.all }), [queryClient]);
}

export type { JourneyTiming } from '../../../engine/automation/runs/timing';

/** Median and p95 time per node of a version (the active one when null). */
export function useJourneyTiming(id: string, version: number | null, enabled = true) {
  return useQuery({
    queryKey: [...journeyKeys.detail(id), 'timing', version] as const,
    queryFn: () =>
      api.get<import('../../../engine/automation/runs/timing').JourneyTiming>(
        `/journeys/${id}/timing${version === null ? '' : `?version=${version}`}`,
      ),
    enabled,
  });
}

/** The journey's latest runs with the path each took (for replay). */
export function useJourneyRuns(id: string, enabled = true) {
  return useQuery({
    queryKey: [...journeyKeys.detail(id), 'runs'] as const,
    queryFn: async () =>
      (await api.get<{ data: import('../lib/types').Run[] }>(`/journeys/${id}/runs?limit=50`)).data,
    enabled,
  });
}

/** A random split's A/B report (per branch rates, the winner and its significance). */
export function useSplitReport(id: string, nodeId: string, metric: 'open' | 'click' | 'conversion') {
  return useQuery({
    queryKey: [...journeyKeys.detail(id), 'split', nodeId, metric] as const,
    queryFn: () =>
      api.get<import('../../../engine/operations/journey-split-report').SplitReport>(
        `/journeys/${id}/splits/${encodeURIComponent(nodeId)}/report?metric=${metric}`,
      ),
  });
}

/** Publishes the draft with the split resolved to one branch; optionally moves waiting runs. */
export function usePromoteSplit(id: string, nodeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { branch: string; migrate: boolean }) =>
      api.post<{ version: number; branch: string; migration: { id: string } | null }>(
        `/journeys/${id}/splits/${encodeURIComponent(nodeId)}/promote`,
        body,
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: journeyKeys.detail(id) }),
  });
}

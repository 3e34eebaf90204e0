import type { QueryClient } from '@tanstack/react-query';
import type { Journey } from '../lib/types';
import { api } from './client';

/**
 * A journey's first read and its query keys, apart from the other journey reads (api/journeys.ts)
 * so that the app's start-up (`warmRoute`) starts the editor's read without waiting for a chunk.
 */
export const journeyKeys = {
  all: ['journeys'] as const,
  list: () => [...journeyKeys.all, 'list'] as const,
  templates: () => [...journeyKeys.all, 'templates'] as const,
  detail: (id: string) => [...journeyKeys.all, 'detail', id] as const,
  versions: (id: string) => [...journeyKeys.detail(id), 'versions'] as const,
  version: (id: string, version: number) => [...journeyKeys.versions(id), version] as const,
  counts: (id: string, version: number | null) => [...journeyKeys.detail(id), 'counts', version] as const,
  validation: (id: string, draftJson: string) => [...journeyKeys.detail(id), 'validate', draftJson] as const,
};

/** One journey with its draft: the editor's first read. */
export const journeyQuery = (id: string) => ({
  queryKey: journeyKeys.detail(id),
  queryFn: () => api.get<Journey>(`/journeys/${id}`),
});

/**
 * Journeys the app's start-up reads for the page it opened on, not yet taken by an editor: the
 * read under way, or done and answered.
 */
const readAtStart = new Map<string, 'reading' | 'read'>();

/** Reads the journey a first visit opens on, beside the page's code (see `warmRoute`). */
export async function readJourneyAtStart(client: QueryClient, id: string): Promise<void> {
  readAtStart.set(id, 'reading');
  await client.prefetchQuery(journeyQuery(id));
  // An editor that opened meanwhile has taken the read; a failed read is the editor's to retry.
  if (readAtStart.get(id) !== 'reading') return;
  if (client.getQueryState(journeyKeys.detail(id))?.status === 'success') readAtStart.set(id, 'read');
  else readAtStart.delete(id);
}

/**
 * True once, for the editor that opens on a journey the start-up is reading or has just read:
 * that read is as fresh as the editor's own, so the editor waits for it instead of a second one.
 * Taken once, so an editor opened later on the same journey reads it afresh.
 */
export function takeJourneyReadAtStart(id: string): boolean {
  return readAtStart.delete(id);
}

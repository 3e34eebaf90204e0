import { useEffect, useMemo } from 'react';
import { useLiveJourneyCounts } from '../../api/journeys';
import type { KeyedStore } from '../../lib/store';
import { sameJson } from '../../lib/store';
import type { JourneyCounts, NodeCounts } from '../../lib/types';

/**
 * Live counts of one version (none when null): per node into the store the nodes subscribe to,
 * so a refresh re-renders only the nodes whose numbers changed; the journey totals returned.
 */
export function useLiveCounts(
  journeyId: string,
  version: number | null,
  store: KeyedStore<NodeCounts>,
): JourneyCounts | null {
  // The cache keeps an unchanged answer's identity, so an equal refresh changes nothing below.
  const counts = useLiveJourneyCounts(journeyId, version).data;
  useEffect(() => {
    if (counts) store.replace(new Map(Object.entries(counts.nodes)), sameJson);
  }, [counts, store]);
  return useMemo(() => (counts ? { ...counts, nodes: {} } : null), [counts]);
}

import { useEffect, useState } from 'react';
import { useValidation } from '../../api/journeys';
import type { KeyedStore } from '../../lib/store';
import { sameJson } from '../../lib/store';
import type { Problem, ValidationResult } from '../../lib/types';
import { useDebounced } from '../../lib/use-debounced';

/**
 * The API's validator on the draft a moment after each change; problems go to the nodes' store.
 * A failed check keeps the last result (publish stays as it was); the next change retries.
 */
export function useDraftValidation(journeyId: string, draftJson: string, problems: KeyedStore<Problem[]>) {
  const settled = useDebounced(draftJson, 350);
  const query = useValidation(journeyId, settled);
  const [validation, setValidation] = useState<ValidationResult | null>(null);
  const fresh = query.isPlaceholderData ? undefined : query.data;

  useEffect(() => {
    if (!fresh) return;
    setValidation(fresh);
    const byNode = new Map<string, Problem[]>();
    for (const p of [...fresh.errors, ...fresh.warnings]) {
      if (p.nodeId) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), p]);
    }
    problems.replace(byNode, sameJson);
  }, [fresh, problems]);

  const validating = settled !== draftJson || query.isFetching || (!!fresh && fresh !== validation);
  return { validation, validating };
}

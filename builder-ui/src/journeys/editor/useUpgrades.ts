import { useCallback, useMemo } from 'react';
import { upgradeNode } from '../../api/journeys';
import type { Journey } from '../../lib/types';
import type { UpgradeActions } from './panels/UpgradePanel';
import type { Autosave } from './useAutosave';

/** Checking and applying a node's move to a newer version against the server's draft. */
export function useUpgrades(options: {
  journeyId: string;
  autosave: Autosave;
  onJourneyChange: (journey: Journey) => void;
  notify: (text: string, kind: 'ok' | 'error') => void;
}): UpgradeActions {
  const { journeyId, onJourneyChange, notify } = options;
  const { saveNow, holdSaves, releaseSaves, adoptServerEdit } = options.autosave;

  const check = useCallback(
    async (nodeId: string, version: number, config: Record<string, unknown>) => {
      // The check reads the server's draft, so it must see the edges as drawn now.
      await saveNow();
      return upgradeNode(journeyId, nodeId, { version, config, dryRun: true });
    },
    [journeyId, saveNow],
  );

  const apply = useCallback(
    async (nodeId: string, version: number, config: Record<string, unknown>) => {
      await holdSaves();
      try {
        const result = await upgradeNode(journeyId, nodeId, { version, config });
        adoptServerEdit(new Map([[nodeId, { version: result.to, config: result.node.config }]]), true);
        if (result.journey) onJourneyChange(result.journey);
        notify(`Upgraded ${nodeId} to version ${result.to}`, 'ok');
        return result;
      } catch (error) {
        releaseSaves();
        throw error;
      }
    },
    [journeyId, holdSaves, releaseSaves, adoptServerEdit, onJourneyChange, notify],
  );

  return useMemo(() => ({ check, apply }), [check, apply]);
}
